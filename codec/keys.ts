/** One AES-256 key of HOMEWARD_CODEC_KEYS. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

/** A malformed key setting. The message names the entry and the fault, never key material. */
export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

const keyBytes = 32;
// Key ids travel in clear in every payload's metadata and in error messages: keep them plain names.
const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses `<keyId>:<base64 of 32 bytes>,…` (the first key encrypts, every key decrypts). An entry
 * that cannot be parsed is named by its position only: it may be a key pasted without its id.
 */
export function parseCodecKeys(setting: string, name = 'HOMEWARD_CODEC_KEYS'): CodecKey[] {
  const fail = (problem: string): never => {
    throw new CodecKeyError(`${name}: ${problem}`);
  };
  // Blank entries (a trailing comma from a template) carry nothing: skip them rather than fail.
  const entries = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) fail('no key; expected <keyId>:<base64 of 32 bytes>, comma-separated, newest first');
  const keys: CodecKey[] = [];
  entries.forEach((entry, index) => {
    const position = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) fail(`${position} is not <keyId>:<base64 of 32 bytes>`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!keyIdPattern.test(id))
      fail(
        `${position} has an invalid key id (1–64 letters, digits, '.', '_' or '-', starting with a letter or digit)`,
      );
    if (keys.some((k) => k.id === id)) fail(`key id "${id}" is listed twice`);
    if (!material || !base64Pattern.test(material)) fail(`key "${id}" is not valid base64`);
    const key = Buffer.from(material, 'base64');
    if (key.length !== keyBytes)
      fail(`key "${id}" is ${key.length} bytes; AES-256-GCM needs exactly ${keyBytes} (e.g. openssl rand -base64 32)`);
    keys.push({ id, key });
  });
  return keys;
}
