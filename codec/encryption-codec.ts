import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { open, seal } from './aes-gcm';
import { parseCodecKeys, type CodecKey } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

/** A payload this process cannot decrypt. Names the key id, never key material or payload content. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const text = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('utf8') : undefined);

/**
 * AES-256-GCM over the whole serialized payload (metadata included, so its JSON encoding and
 * type hints are hidden too), with a fresh random IV each time: data = IV ‖ ciphertext ‖ tag.
 * The first key encrypts; any configured key decrypts, chosen by the key id in the metadata.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly encryptingKeyId: string;

  constructor(keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.encryptingKeyId = keys[0].id;
  }

  /** From HOMEWARD_CODEC_KEYS' format; a malformed setting throws CodecKeyError. */
  static fromSetting(setting: string): EncryptionCodec {
    return new EncryptionCodec(parseCodecKeys(setting));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  /** Payloads that were never encrypted (histories recorded without a codec) pass through. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) =>
      text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING ? this.decrypt(payload) : payload,
    );
  }

  private encrypt(payload: Payload): Payload {
    const data = seal(this.keys.get(this.encryptingKeyId)!, temporal.api.common.v1.Payload.encode(payload).finish());
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.encryptingKeyId),
      },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId)
      throw new PayloadDecryptionError(`Cannot decrypt a Temporal payload: it has no ${KEY_ID_METADATA} metadata`);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `Cannot decrypt a Temporal payload: it was encrypted with key id "${keyId}", which is not in HOMEWARD_CODEC_KEYS ` +
          `(this process has ${[...this.keys.keys()].map((id) => `"${id}"`).join(', ')}); add that key, after the newest`,
      );
    }
    const opened = open(key, Buffer.from(payload.data ?? []));
    if ('fault' in opened) {
      const why =
        opened.fault === 'truncated'
          ? 'it is truncated'
          : 'authentication failed (the payload was altered, or this key id names a different key here)';
      throw new PayloadDecryptionError(`Cannot decrypt a Temporal payload under key id "${keyId}": ${why}`);
    }
    // A plain object with only the fields that were set, as the SDK's own payloads are.
    return temporal.api.common.v1.Payload.toObject(temporal.api.common.v1.Payload.decode(opened.plain)) as Payload;
  }
}
