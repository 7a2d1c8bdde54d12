import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { CommandSigningCodec } from './command-signing-codec';
import { EncryptionCodec } from './encryption-codec';

/** For bundleWorkflowCode: a pre-built workflow bundle must carry the same converters. */
export const failureConverterPath = path.join(__dirname, 'failure-converter.cjs');
export const payloadConverterPath = path.join(__dirname, 'command-proof.cjs');

export interface TemporalKeys {
  /** HOMEWARD_CODEC_KEYS: payload encryption. */
  codecKeys: string;
  /** HOMEWARD_COMMAND_KEYS: the signatures that prove a command came through the application. */
  commandKeys: string;
}

/**
 * The data converter of every Homeward worker and Temporal client: payloads (the patient is in
 * the workflow input, Updates, results and activity inputs) and failure messages encrypted, and
 * pathway commands signed (CommandSigningCodec). Throws CodecKeyError, naming what is wrong, if a
 * key setting is malformed.
 */
export function createDataConverter(keys: TemporalKeys): DataConverter {
  const codec = CommandSigningCodec.fromSettings(EncryptionCodec.fromSetting(keys.codecKeys), keys.commandKeys);
  return { payloadCodecs: [codec], payloadConverterPath, failureConverterPath };
}
