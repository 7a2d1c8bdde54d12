import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { describe, expect, it } from 'vitest';
import { createDataConverter } from '../../codec/data-converter';
import { CodecKeyError } from '../../codec/keys';

const codecKeys = `k1:${crypto.randomBytes(32).toString('base64')}`;
const commandKeys = `c1:${crypto.randomBytes(32).toString('base64')}`;

// What a client or an activity sends loads the converter as the SDK does (by path, with Node's require).
describe("Homeward's data converter", () => {
  it('moves failure messages and stack traces into an encrypted payload, and reads them back', async () => {
    const converter = loadDataConverter(createDataConverter({ codecKeys, commandKeys }));
    const error = ApplicationFailure.create({
      message: 'Ada Lovelace-Byron has no consent',
      type: 'CommandRejected',
      details: ['consent_required'],
    });
    const failure = await encodeErrorToFailure(converter, error);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(Buffer.from(failure.encodedAttributes!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(
      Buffer.from(failure.applicationFailureInfo!.details!.payloads![0].metadata!['encryption-key-id']!).toString(),
    ).toBe('k1');
    expect(JSON.stringify(failure)).not.toContain('Lovelace');
    const back = (await decodeOptionalFailureToOptionalError(converter, failure)) as ApplicationFailure;
    expect(back.message).toBe('Ada Lovelace-Byron has no consent');
    expect(back.type).toBe('CommandRejected');
    expect(back.details).toEqual(['consent_required']);
  });

  it('fails at construction on a malformed key setting, naming it', () => {
    expect(() => createDataConverter({ codecKeys: 'k1:short', commandKeys })).toThrow(CodecKeyError);
    expect(() => createDataConverter({ codecKeys, commandKeys: 'c1:short' })).toThrow(/HOMEWARD_COMMAND_KEYS/);
  });
});
