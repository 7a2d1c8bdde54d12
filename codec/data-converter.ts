import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';

/** For bundleWorkflowCode: a pre-built workflow bundle must carry the same failure converter. */
export const failureConverterPath = path.join(__dirname, 'failure-converter.cjs');

/**
 * The data converter of every Homeward worker and Temporal client: payloads (the patient is in
 * the workflow input, Updates, results and activity inputs) and failure messages encrypted.
 * Throws CodecKeyError, naming what is wrong, if HOMEWARD_CODEC_KEYS is malformed.
 */
export function createDataConverter(codecKeys: string): DataConverter {
  return { payloadCodecs: [EncryptionCodec.fromSetting(codecKeys)], failureConverterPath };
}
