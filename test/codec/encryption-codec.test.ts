import crypto from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../codec/encryption-codec';

const key = () => crypto.randomBytes(32).toString('base64');
const [k1, k2, k9] = [`k1:${key()}`, `k2:${key()}`, `k9:${key()}`];
const patient = { nhsNumber: '9434765919', name: 'Ada Lovelace-Byron', postcode: 'LS1 4AP' };
const payload = (): Payload => defaultPayloadConverter.toPayload(patient)!;
const meta = (p: Payload, name: string) => Buffer.from(p.metadata![name]!).toString();

async function encrypted(setting: string): Promise<Payload> {
  const [result] = await EncryptionCodec.fromSetting(setting).encode([payload()]);
  return result;
}

async function decryptionError(setting: string, input: Payload): Promise<Error> {
  const error = await EncryptionCodec.fromSetting(setting)
    .decode([input])
    .then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  expect(error).toBeInstanceOf(PayloadDecryptionError);
  return error!;
}

const flipByte = (p: Payload, index: number): Payload => {
  const data = Buffer.from(p.data!);
  data[(index + data.length) % data.length] ^= 0x01;
  return { ...p, data };
};

describe('EncryptionCodec (AES-256-GCM)', () => {
  it('round-trips a payload, hiding its data and its JSON encoding', async () => {
    const sealed = await encrypted(k1);
    expect(meta(sealed, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(sealed, KEY_ID_METADATA)).toBe('k1');
    expect(Object.keys(sealed.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    const bytes = Buffer.from(sealed.data!);
    for (const value of [...Object.values(patient), 'json/plain']) expect(bytes.includes(value)).toBe(false);
    const [opened] = await EncryptionCodec.fromSetting(k1).decode([sealed]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(patient);
    expect(meta(opened, 'encoding')).toBe('json/plain');
  });

  it('uses a fresh IV for every payload', async () => {
    const codec = EncryptionCodec.fromSetting(k1);
    const sealed = await codec.encode([payload(), payload()]);
    const ivs = sealed.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex'));
    expect(ivs[0]).not.toBe(ivs[1]);
    expect(Buffer.from(sealed[0].data!).equals(Buffer.from(sealed[1].data!))).toBe(false);
  });

  it('rotates: encrypts with the first key and still decrypts with the older ones', async () => {
    const old = await encrypted(k1);
    const rotated = EncryptionCodec.fromSetting(`${k2},${k1}`);
    const [opened] = await rotated.decode([old]);
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(patient);
    const [fresh] = await rotated.encode([payload()]);
    expect(meta(fresh, KEY_ID_METADATA)).toBe('k2');
    expect(rotated.encryptingKeyId).toBe('k2');
  });

  it('names an unknown key id, and the ones it has, without key material', async () => {
    const error = await decryptionError(k9, await encrypted(k1));
    expect(error.message).toMatch(
      /encrypted with key id "k1", which is not in HOMEWARD_CODEC_KEYS \(this process has "k9"\)/,
    );
    for (const setting of [k1, k9]) expect(error.message).not.toContain(setting.split(':')[1]);
  });

  it('detects tampering with the ciphertext, the tag or the IV (GCM authentication)', async () => {
    const sealed = await encrypted(k1);
    for (const index of [0, 12, 20, -1]) {
      const error = await decryptionError(k1, flipByte(sealed, index));
      expect(error.message).toMatch(/under key id "k1": authentication failed/);
      expect(error.message).not.toContain(patient.name);
    }
  });

  it('detects a payload relabelled with another configured key id', async () => {
    const sealed = await encrypted(k1);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    expect((await decryptionError(`${k2},${k1}`, relabelled)).message).toMatch(
      /under key id "k2": authentication failed/,
    );
  });

  it('refuses a truncated payload and one without a key id', async () => {
    const sealed = await encrypted(k1);
    expect((await decryptionError(k1, { ...sealed, data: Buffer.from(sealed.data!).subarray(0, 20) })).message).toMatch(
      /truncated/,
    );
    const { [KEY_ID_METADATA]: _dropped, ...rest } = sealed.metadata!;
    expect((await decryptionError(k1, { ...sealed, metadata: rest })).message).toMatch(/no encryption-key-id metadata/);
  });

  it('passes payloads that were never encrypted through decode unchanged', async () => {
    const plain = [payload(), defaultPayloadConverter.toPayload(undefined)!];
    expect(await EncryptionCodec.fromSetting(k1).decode(plain)).toEqual(plain);
  });
});
