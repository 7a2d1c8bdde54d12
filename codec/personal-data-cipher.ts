import { open, seal } from './aes-gcm';
import { parseCodecKeys, type CodecKey } from './keys';

/** Personal data as the read model stores it: AES-256-GCM ciphertext and the id of the key that sealed it. */
export interface Sealed {
  keyId: string;
  data: Buffer;
}

/** Sealed personal data this process cannot open. Names the record and the key id, never key material or content. */
export class SealedDataError extends Error {
  override name = 'SealedDataError';
}

/**
 * Personal data at rest in PostgreSQL, under the same keys as Temporal's payloads
 * (HOMEWARD_CODEC_KEYS): the first key seals, any listed key opens, chosen by the key id stored
 * beside the ciphertext. Each ciphertext is bound to its record (`where`, e.g. an event id): moved
 * onto another record, it does not open.
 */
export class PersonalDataCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly sealingKeyId: string;

  constructor(keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new Error('PersonalDataCipher needs at least one key');
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.sealingKeyId = keys[0].id;
  }

  /** From HOMEWARD_CODEC_KEYS' format; a malformed setting throws CodecKeyError. */
  static fromSetting(setting: string): PersonalDataCipher {
    return new PersonalDataCipher(parseCodecKeys(setting));
  }

  /** Whether this process holds the key with this id. */
  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(value: unknown, where: string): Sealed {
    return {
      keyId: this.sealingKeyId,
      data: seal(this.keys.get(this.sealingKeyId)!, Buffer.from(JSON.stringify(value)), where),
    };
  }

  open({ keyId, data }: Sealed, where: string): unknown {
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SealedDataError(
        `Cannot open the personal data of ${where}: it was sealed with key id "${keyId}", which is not in HOMEWARD_CODEC_KEYS ` +
          `(this process has ${[...this.keys.keys()].map((id) => `"${id}"`).join(', ')}); add that key, after the newest`,
      );
    }
    const opened = open(key, data, where);
    if ('fault' in opened) {
      const why =
        opened.fault === 'truncated'
          ? 'it is truncated'
          : 'authentication failed (it was altered or moved from another record, or this key id names a different key here)';
      throw new SealedDataError(`Cannot open the personal data of ${where} under key id "${keyId}": ${why}`);
    }
    return JSON.parse(opened.plain.toString('utf8'));
  }
}
