import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodecKeyError } from '../../codec/keys';
import { PersonalDataCipher, SealedDataError, type Sealed } from '../../codec/personal-data-cipher';

const key = () => crypto.randomBytes(32).toString('base64');
const [k1, k2, k9] = [`k1:${key()}`, `k2:${key()}`, `k9:${key()}`];
const patient = { nhsNumber: '9434765919', name: 'Ada Lovelace-Byron', address: { postcode: 'LS1 4AP' } };
const where = 'pathway-A1/1';

function openingError(cipher: PersonalDataCipher, sealed: Sealed, at = where): SealedDataError {
  let caught: unknown;
  try {
    cipher.open(sealed, at);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SealedDataError);
  const message = (caught as Error).message;
  for (const value of [patient.nhsNumber, patient.name, patient.address.postcode]) expect(message).not.toContain(value);
  return caught as SealedDataError;
}

describe('PersonalDataCipher (the read model’s personal data at rest)', () => {
  it('seals under the first key, hiding every value, and opens with any listed key', () => {
    const sealed = PersonalDataCipher.fromSetting(`${k1},${k2}`).seal({ patient }, where);
    expect(sealed.keyId).toBe('k1');
    for (const value of [patient.nhsNumber, patient.name, patient.address.postcode])
      expect(sealed.data.includes(value)).toBe(false);
    expect(PersonalDataCipher.fromSetting(`${k2},${k1}`).open(sealed, where)).toEqual({ patient });
  });

  it('a fresh IV each time: the same data seals differently', () => {
    const cipher = PersonalDataCipher.fromSetting(k1);
    expect(cipher.seal({ patient }, where).data.equals(cipher.seal({ patient }, where).data)).toBe(false);
  });

  it('a key that is not listed: a clear error naming the key ids, never a value', () => {
    const sealed = PersonalDataCipher.fromSetting(k1).seal({ patient }, where);
    expect(openingError(PersonalDataCipher.fromSetting(k9), sealed).message).toBe(
      'Cannot open the personal data of pathway-A1/1: it was sealed with key id "k1", which is not in HOMEWARD_CODEC_KEYS (this process has "k9"); add that key, after the newest',
    );
  });

  it('another key under the same id, altered data, data moved to another event, truncated data: refused, named', () => {
    const sealed = PersonalDataCipher.fromSetting(k1).seal({ patient }, where);
    expect(openingError(PersonalDataCipher.fromSetting(`k1:${key()}`), sealed).message).toMatch(
      /under key id "k1": authentication failed/,
    );
    const altered = Buffer.from(sealed.data);
    altered[20] ^= 0x01;
    expect(openingError(PersonalDataCipher.fromSetting(k1), { ...sealed, data: altered }).message).toMatch(
      /authentication failed/,
    );
    expect(openingError(PersonalDataCipher.fromSetting(k1), sealed, 'pathway-B2/1').message).toMatch(
      /^Cannot open the personal data of pathway-B2\/1 under key id "k1": authentication failed/,
    );
    expect(
      openingError(PersonalDataCipher.fromSetting(k1), { ...sealed, data: sealed.data.subarray(0, 20) }).message,
    ).toMatch(/it is truncated/);
  });

  it('a malformed key setting is refused as the codec refuses it', () => {
    expect(() => PersonalDataCipher.fromSetting('k1:short')).toThrow(CodecKeyError);
  });
});
