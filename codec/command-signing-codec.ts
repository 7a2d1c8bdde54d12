import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { encodingOf, encodings } from './command-proof.cjs';
import { ENCRYPTED_ENCODING, type EncryptionCodec } from './encryption-codec';
import { parseCodecKeys, type CodecKey } from './keys';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const digest = (data: Uint8Array | null | undefined) =>
  crypto
    .createHash('sha256')
    .update(data ?? new Uint8Array())
    .digest('base64');

interface SignedProof {
  command: string;
  pathwayId: string;
  at: string;
  keyId?: string;
  mac?: string;
}

const readProof = (payload: Payload): SignedProof | undefined => {
  try {
    const value = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')) as Record<string, unknown>;
    const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
    const [command, pathwayId, at] = [text('command'), text('pathwayId'), text('at')];
    if (!command || !pathwayId || !at) return undefined;
    return { command, pathwayId, at, keyId: text('keyId'), mac: text('mac') };
  } catch {
    return undefined;
  }
};

const checked = (verdict: Record<string, unknown>): Payload => ({
  metadata: { encoding: utf8(encodings.checked) },
  data: utf8(JSON.stringify(verdict)),
});

/**
 * Every Temporal payload of a Homeward process goes through here: encrypted on the way out and
 * decrypted on the way in (EncryptionCodec), and a pathway command's proof signed on the way out
 * and checked on the way in.
 *
 * The signature (HMAC-SHA-256 under the first HOMEWARD_COMMAND_KEYS key; any listed key checks)
 * covers the command's name, its pathway, the time it was signed and every other payload of the
 * command (payload and actor), byte for byte as they were before encryption. Encryption alone gives
 * no integrity here: whoever holds the codec keys (a codec server for the Temporal UI, say) could
 * otherwise write any command as any actor. A proof is valid only if every payload of its command
 * arrived encrypted, so a command sent around the codec is refused even with a copied proof.
 */
export class CommandSigningCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly signingKeyId: string;

  /** Without `encryption` (the test history recorder: committed histories replay without a key), payloads stay plain and need not arrive encrypted. */
  constructor(
    private readonly encryption: EncryptionCodec | undefined,
    keys: readonly CodecKey[],
  ) {
    if (keys.length === 0) throw new Error('CommandSigningCodec needs at least one key');
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.signingKeyId = keys[0].id;
  }

  /** From HOMEWARD_COMMAND_KEYS' format (that of HOMEWARD_CODEC_KEYS); a malformed setting throws CodecKeyError. */
  static fromSettings(encryption: EncryptionCodec | undefined, commandKeys: string): CommandSigningCodec {
    return new CommandSigningCodec(encryption, parseCodecKeys(commandKeys, 'HOMEWARD_COMMAND_KEYS'));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const signed = payloads.map((payload, index) => {
      if (encodingOf(payload) !== encodings.request) return payload;
      const proof = readProof(payload);
      if (!proof || proof.mac) return payload;
      const keyId = this.signingKeyId;
      const mac = this.mac(keyId, proof, others(payloads, index));
      return { metadata: payload.metadata, data: utf8(JSON.stringify({ ...proof, keyId, mac })) };
    });
    return this.encryption ? this.encryption.encode(signed) : signed;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const arrivedEncrypted = payloads.map((payload) => encodingOf(payload) === ENCRYPTED_ENCODING);
    const plain = this.encryption ? await this.encryption.decode(payloads) : payloads;
    return plain.map((payload, index) => {
      const encoding = encodingOf(payload);
      // Only this codec writes a checked proof: one that arrives so was made by the caller.
      if (encoding === encodings.checked)
        return checked({ verdict: 'refused', reason: 'it carries a proof marked as checked by its sender' });
      if (encoding !== encodings.request) return payload;
      return checked(this.check(payload, index, plain, arrivedEncrypted));
    });
  }

  private check(
    payload: Payload,
    index: number,
    plain: Payload[],
    arrivedEncrypted: boolean[],
  ): Record<string, unknown> {
    const proof = readProof(payload);
    if (!proof?.keyId || !proof.mac) return { verdict: 'refused', reason: 'its proof is not signed' };
    const refused = (reason: string) => ({ verdict: 'refused', reason, mac: proof.mac });
    if (this.encryption && arrivedEncrypted.some((encrypted) => !encrypted))
      return refused('it arrived unencrypted (sent around the payload codec)');
    const key = this.keys.get(proof.keyId);
    if (!key) return refused(`its proof is signed with key id "${proof.keyId}", which is not in HOMEWARD_COMMAND_KEYS`);
    const expected = Buffer.from(this.mac(proof.keyId, proof, others(plain, index)), 'base64url');
    const given = Buffer.from(proof.mac, 'base64url');
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
      return refused('its signature does not match the command (altered, or signed for another command)');
    }
    return { verdict: 'valid', command: proof.command, pathwayId: proof.pathwayId, at: proof.at, mac: proof.mac };
  }

  private mac(keyId: string, proof: SignedProof, signedPayloads: Payload[]): string {
    const covered = JSON.stringify([
      'homeward-command/1',
      keyId,
      proof.command,
      proof.pathwayId,
      proof.at,
      signedPayloads.map((payload) => [encodingOf(payload) ?? '', digest(payload.data)]),
    ]);
    return crypto.createHmac('sha256', this.keys.get(keyId)!).update(covered).digest('base64url');
  }
}

const others = (payloads: Payload[], index: number) => payloads.filter((_, i) => i !== index);
