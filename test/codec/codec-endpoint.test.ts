import crypto from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { CodecRequestError, runCodec, type JsonPayload } from '../../codec/codec-endpoint';
import { EncryptionCodec, PayloadDecryptionError } from '../../codec/encryption-codec';

const codec = EncryptionCodec.fromSetting(`k1:${crypto.randomBytes(32).toString('base64')}`);
const patient = { name: 'Philippa Quenby-Ashdown', postcode: 'HX7 8QZ' };
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString();

/** A payload as the Temporal UI sends it: proto3 JSON, bytes in base64. */
function asJson(value: unknown): JsonPayload {
  const payload = defaultPayloadConverter.toPayload(value)!;
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
    ),
    data: Buffer.from(payload.data!).toString('base64'),
  };
}

describe('codec endpoint (Temporal UI remote codec protocol)', () => {
  it('encodes and decodes payloads in proto3 JSON', async () => {
    const encoded = await runCodec(codec, 'encode', { payloads: [asJson(patient), asJson(null)] });
    expect(encoded.payloads).toHaveLength(2);
    expect(text(encoded.payloads[0].metadata?.encoding)).toBe('binary/encrypted');
    expect(text(encoded.payloads[0].metadata?.['encryption-key-id'])).toBe('k1');
    expect(text(encoded.payloads[0].data)).not.toContain(patient.name);
    const decoded = await runCodec(codec, 'decode', encoded);
    expect(decoded.payloads).toEqual([asJson(patient), asJson(null)]);
    expect(JSON.parse(text(decoded.payloads[0].data))).toEqual(patient);
  });

  it('answers a request it cannot read naming the field, never echoing values', async () => {
    const request = { payloads: [{ metadata: { encoding: 'not base64 at all!' }, data: 'UGhpbGlwcGE=' }] };
    const error = await runCodec(codec, 'decode', request).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(CodecRequestError);
    expect(error?.message).toMatch(/^payloads\.0\.metadata\.encoding: /);
    expect(error?.message).not.toContain('not base64 at all');
    await expect(runCodec(codec, 'decode', { payload: [] })).rejects.toThrow(/payloads: /);
  });

  it('refuses to decode under a key it does not have, naming the key id', async () => {
    const other = EncryptionCodec.fromSetting(`k7:${crypto.randomBytes(32).toString('base64')}`);
    const encoded = await runCodec(other, 'encode', { payloads: [asJson(patient)] });
    await expect(runCodec(codec, 'decode', encoded)).rejects.toThrow(PayloadDecryptionError);
    await expect(runCodec(codec, 'decode', encoded)).rejects.toThrow(/key id "k7"/);
  });
});
