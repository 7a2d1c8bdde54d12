import crypto from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { describe, expect, it } from 'vitest';
import { checkedProof, commandProofRequest, encodings } from '../../codec/command-proof.cjs';
import { CommandSigningCodec } from '../../codec/command-signing-codec';
import { payloadConverterPath } from '../../codec/data-converter';
import { EncryptionCodec } from '../../codec/encryption-codec';

const key = (id: string) => `${id}:${crypto.randomBytes(32).toString('base64')}`;
const codecKeys = key('k1');
const [c1, c2] = [key('c1'), key('c2')];
const codec = (commandKeys: string) =>
  CommandSigningCodec.fromSettings(EncryptionCodec.fromSetting(codecKeys), commandKeys);
// The converter as the SDK loads it, by path (the same module the workflow bundle carries).
const { payloadConverter } = loadDataConverter({ payloadConverterPath });

const at = '2026-12-05T10:00:00.000Z';
const command = (proof = commandProofRequest('delay-reason', 'pathway-A1', at)) =>
  [{ code: 'awaiting_transport' }, { subject: 's', role: 'discharge-team' }, proof].map((value) =>
    payloadConverter.toPayload(value),
  );

/** What the workflow receives for the command's last argument. */
const received = async (sent: Payload[], by = codec(c1)) =>
  checkedProof(payloadConverter.fromPayload((await by.decode(sent))[2]));

describe('the command signing codec', () => {
  it('signs on the way out and hands the workflow a valid checked proof on the way in', async () => {
    const sent = await codec(c1).encode(command());
    expect(sent.every((payload) => Buffer.from(payload.metadata!.encoding!).toString() === 'binary/encrypted')).toBe(
      true,
    );
    expect(await received(sent)).toMatchObject({
      verdict: 'valid',
      command: 'delay-reason',
      pathwayId: 'pathway-A1',
      at,
      mac: expect.any(String),
    });
    // The command's other payloads come through unchanged.
    const [payload, actor] = (await codec(c1).decode(sent)).map((p) => payloadConverter.fromPayload(p));
    expect([payload, actor]).toEqual([{ code: 'awaiting_transport' }, { subject: 's', role: 'discharge-team' }]);
  });

  it('checks with every listed key, so signing keys rotate (newest first)', async () => {
    const signedWithOld = await codec(c1).encode(command());
    expect((await received(signedWithOld, codec(`${c2},${c1}`)))?.verdict).toBe('valid');
    expect(await received(signedWithOld, codec(c2))).toMatchObject({
      verdict: 'refused',
      reason: expect.stringMatching(/key id "c1", which is not in HOMEWARD_COMMAND_KEYS/),
    });
  });

  it('refuses a command whose actor was swapped after signing', async () => {
    const [payload, , proof] = await codec(c1).encode(command());
    const [, otherActor] = await codec(c1).encode([
      payloadConverter.toPayload({}),
      payloadConverter.toPayload({ subject: 'x', role: 'agency', agency: 'housing' }),
    ]);
    expect(await received([payload, otherActor, proof])).toMatchObject({
      verdict: 'refused',
      reason: expect.stringMatching(/signature does not match/),
    });
  });

  it('refuses a proof sent unencrypted, and one its sender marked as checked', async () => {
    const signingOnly = CommandSigningCodec.fromSettings(undefined, c1);
    const plainButSigned = await signingOnly.encode(command());
    expect(await received(plainButSigned)).toMatchObject({
      verdict: 'refused',
      reason: expect.stringMatching(/unencrypted/),
    });
    // Without encryption (the history recorder) the same is valid.
    expect((await received(plainButSigned, signingOnly))?.verdict).toBe('valid');
    const forged: Payload = {
      metadata: { encoding: Buffer.from(encodings.checked) },
      data: Buffer.from(JSON.stringify({ verdict: 'valid', command: 'delay-reason', pathwayId: 'pathway-A1', at })),
    };
    const sent = await EncryptionCodec.fromSetting(codecKeys).encode([...command().slice(0, 2), forged]);
    expect(await received(sent)).toMatchObject({
      verdict: 'refused',
      reason: expect.stringMatching(/marked as checked by its sender/),
    });
  });

  it('gives a workflow nothing it could take for a checked proof from plain JSON', () => {
    expect(
      checkedProof(
        payloadConverter.fromPayload(payloadConverter.toPayload({ verdict: 'valid', command: 'delay-reason' })),
      ),
    ).toBeUndefined();
  });
});
