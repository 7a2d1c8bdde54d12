import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodecKeyError, parseCodecKeys } from '../../codec/keys';

const material = (bytes = 32) => crypto.randomBytes(bytes).toString('base64');

/** Asserts the setting is refused with `problem`, and that no key material from it is in the message. */
function refused(setting: string, problem: RegExp) {
  let error: unknown;
  try {
    parseCodecKeys(setting);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CodecKeyError);
  const message = (error as Error).message;
  expect(message).toMatch(/^HOMEWARD_CODEC_KEYS: /);
  expect(message).toMatch(problem);
  for (const part of setting.split(/[,:]/).filter((p) => p.length >= 8)) expect(message).not.toContain(part);
}

describe('HOMEWARD_CODEC_KEYS parsing', () => {
  it('reads id:key pairs in order, newest first, tolerating spaces and a trailing comma', () => {
    const [a, b] = [crypto.randomBytes(32), crypto.randomBytes(32)];
    const keys = parseCodecKeys(` k2:${a.toString('base64')} , k1.old:${b.toString('base64')},`);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1.old']);
    expect(keys[0].key.equals(a)).toBe(true);
    expect(keys[1].key.equals(b)).toBe(true);
  });

  it('refuses an empty setting', () => {
    refused(' , ', /no key/);
  });

  it('refuses an entry without an id, naming its position', () => {
    refused(`k1:${material()},${material()}`, /entry 2 is not <keyId>:<base64 of 32 bytes>/);
  });

  it('refuses an invalid key id without echoing it', () => {
    // Starts "+/": key material put where the id belongs.
    const keyLike = Buffer.concat([Buffer.from([0xfb, 0xff]), crypto.randomBytes(10)]).toString('base64');
    refused(`${keyLike}:${material()}`, /entry 1 has an invalid key id/);
    refused(`:${material()}`, /entry 1 has an invalid key id/);
  });

  it('refuses bad base64, naming the key id', () => {
    refused(`k1:${material().slice(0, 20)}*#${material().slice(22)}`, /key "k1" is not valid base64/);
    refused('k1:', /key "k1" is not valid base64/);
  });

  it('refuses a key that is not exactly 32 bytes, saying how long it is', () => {
    refused(`k1:${material(16)}`, /key "k1" is 16 bytes; AES-256-GCM needs exactly 32/);
    refused(`k1:${material(33)}`, /key "k1" is 33 bytes/);
  });

  it('refuses a key id listed twice', () => {
    refused(`k1:${material()},k1:${material()}`, /key id "k1" is listed twice/);
  });
});
