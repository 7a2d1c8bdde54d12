import crypto from 'node:crypto';

const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

/**
 * AES-256-GCM with a fresh random IV each time: IV ‖ ciphertext ‖ tag. `context`, when given, is
 * authenticated but not stored: the same context must be given to open it, so a ciphertext moved
 * elsewhere (another record's) fails to open.
 */
export function seal(key: Buffer, plain: Uint8Array, context?: string): Buffer {
  const iv = crypto.randomBytes(ivBytes);
  const cipher = crypto.createCipheriv(algorithm, key, iv);
  if (context !== undefined) cipher.setAAD(Buffer.from(context));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext of `seal`'s output, or why not: too short to be one, or not authentic (altered, another key, another context). */
export function open(
  key: Buffer,
  data: Buffer,
  context?: string,
): { plain: Buffer } | { fault: 'truncated' | 'unauthentic' } {
  if (data.length < ivBytes + tagBytes) return { fault: 'truncated' };
  const decipher = crypto.createDecipheriv(algorithm, key, data.subarray(0, ivBytes));
  if (context !== undefined) decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(data.subarray(data.length - tagBytes));
  try {
    return {
      plain: Buffer.concat([decipher.update(data.subarray(ivBytes, data.length - tagBytes)), decipher.final()]),
    };
  } catch {
    return { fault: 'unauthentic' };
  }
}
