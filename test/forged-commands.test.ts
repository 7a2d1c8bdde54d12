import crypto from 'node:crypto';
import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { commandProofRequest } from '../codec/command-proof.cjs';
import { failureConverterPath, payloadConverterPath } from '../codec/data-converter';
import { EncryptionCodec } from '../codec/encryption-codec';
import { resolvePolicy } from '../domain';
import { commandUpdate, type PathwayInput } from '../workflows/definitions';
import { admission } from './support/fixtures';
import { testSecrets } from './support/secrets';
import { startSystem } from './support/system';
import { proofFor, testDataConverter } from './support/temporal';

// The audit's first finding: whoever reaches Temporal's port ran any pathway command as any actor.
// Each client below is what such a caller can build; the real worker on the real dev server must
// refuse every command they send, and nothing may reach the pathway's timeline.
type System = Awaited<ReturnType<typeof startSystem>>;
let system: System;
let connection: Connection;
beforeAll(async () => {
  system = await startSystem();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await connection?.close();
  await system?.stop();
});

const clientWith = (dataConverter?: DataConverter) => new Client({ connection, dataConverter });
/**
 * Sends its payloads plain, as a caller without any key does. It reads the worker's answer (a
 * failure, encrypted like every payload) with the run's key only so the test can say why it was refused.
 */
const plainSender = (converter: Omit<DataConverter, 'payloadCodecs'> = {}): DataConverter => {
  const codec = EncryptionCodec.fromSetting(testSecrets().codecKeys);
  return {
    ...converter,
    failureConverterPath,
    payloadCodecs: [{ encode: async (payloads) => payloads, decode: (payloads) => codec.decode(payloads) }],
  };
};
const forgedActor = { subject: 'forged', role: 'agency', agency: 'housing' };
const delayReason = { code: 'awaiting_transport', agency: 'acute-trust', note: 'forged' };
const newKey = (id: string) => `${id}:${crypto.randomBytes(32).toString('base64')}`;
/** What the holder of the codec keys (a Temporal UI codec server, say) can send: encrypted, proof unsigned. */
const codecOnly = (): DataConverter => ({
  payloadCodecs: [EncryptionCodec.fromSetting(testSecrets().codecKeys)],
  payloadConverterPath,
  failureConverterPath,
});

async function openPathway(): Promise<string> {
  const started = await system.call('POST', '/pathways', admission());
  expect(started.status).toBe(201);
  return started.body.pathwayId as string;
}

const timelineLength = async (pathwayId: string) =>
  ((await system.call('GET', `/pathways/${pathwayId}`)).body.timeline as unknown[]).length;

async function refused(client: Client, pathwayId: string, args: unknown[]): Promise<string> {
  const before = await timelineLength(pathwayId);
  const error = await client.workflow
    .getHandle(pathwayId)
    .executeUpdate(commandUpdate('delay-reason'), { args: args as [unknown] })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error, 'the forged command was applied').toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('UnprovenCommand');
  expect(await timelineLength(pathwayId)).toBe(before);
  return cause.message;
}

describe('a command sent straight to Temporal', () => {
  it('is refused without the codec, with or without a made-up proof, and nothing is recorded', async () => {
    const pathwayId = await openPathway();
    const plain = clientWith(plainSender());
    expect(await refused(plain, pathwayId, [delayReason, forgedActor])).toMatch(/no proof that Homeward sent it/);
    const madeUp = {
      command: 'delay-reason',
      pathwayId,
      at: new Date().toISOString(),
      keyId: 'dev',
      mac: 'x'.repeat(43),
      verdict: 'valid',
    };
    expect(await refused(plain, pathwayId, [delayReason, forgedActor, madeUp])).toMatch(/no proof/);
    // A proof in the application's encoding, but sent around the codec.
    const unencrypted = clientWith(plainSender({ payloadConverterPath }));
    const proof = commandProofRequest('delay-reason', pathwayId, new Date().toISOString());
    expect(await refused(unencrypted, pathwayId, [delayReason, forgedActor, proof])).toMatch(/not signed/);
  });

  it('is refused from a holder of the codec keys (unsigned) or of another signing key', async () => {
    const pathwayId = await openPathway();
    const proof = () => proofFor('delay-reason', pathwayId);
    expect(await refused(clientWith(codecOnly()), pathwayId, [delayReason, forgedActor, proof()])).toMatch(
      /not signed/,
    );
    const otherKey = clientWith(testDataConverter({ commandKeys: newKey(testSecrets().commandKeys.split(':')[0]) }));
    expect(await refused(otherKey, pathwayId, [delayReason, forgedActor, proof()])).toMatch(/signature does not match/);
  });

  it('is refused when a signed command is sent again, or its proof is out of date', async () => {
    const pathwayId = await openPathway();
    const signing = clientWith(testDataConverter());
    const actor = { subject: 'test:discharge-team', role: 'discharge-team' as const };
    const once = proofFor('delay-reason', pathwayId);
    const before = await timelineLength(pathwayId);
    await signing.workflow
      .getHandle(pathwayId)
      .executeUpdate(commandUpdate('delay-reason'), { args: [delayReason, actor, once] });
    expect(await timelineLength(pathwayId)).toBe(before + 1);
    // The same signed command (as captured from the history) once more.
    expect(await refused(signing, pathwayId, [delayReason, actor, once])).toMatch(/applied already/);
    const stale = proofFor('delay-reason', pathwayId, new Date(Date.now() - 3_600_000));
    expect(await refused(signing, pathwayId, [delayReason, actor, stale])).toMatch(/out of date/);
    // A proof made for another command does not carry over.
    expect(await refused(signing, pathwayId, [delayReason, actor, proofFor('cancel', pathwayId)])).toMatch(
      /another command/,
    );
  });

  it('a forged start fails at once: no pathway event is recorded or published', async () => {
    const body = admission();
    const input: PathwayInput = {
      start: { ...body, type: 'start', at: new Date().toISOString() },
      policy: resolvePolicy('england'),
      patientKey: 'forged',
      actor: forgedActor as PathwayInput['actor'],
    };
    const carried = {
      ...input,
      carried: { state: {}, timeline: [], published: 0, runs: 1 },
    } as unknown as PathwayInput;
    const attempts: [string, Client, unknown[]][] = [
      [`pathway-${body.admissionId}`, clientWith(plainSender()), [input]],
      [
        `pathway-${body.admissionId}-codec`,
        clientWith(codecOnly()),
        [input, proofFor('start', `pathway-${body.admissionId}-codec`)],
      ],
      [`pathway-${body.admissionId}-carried`, clientWith(testDataConverter()), [carried]],
    ];
    for (const [workflowId, client, args] of attempts) {
      const handle = await client.workflow.start('dischargePathway', {
        taskQueue: system.config.temporal.taskQueue,
        workflowId,
        args,
      });
      // Read with Homeward's converter: the failure is encrypted as every payload is.
      const error = await clientWith(testDataConverter())
        .workflow.getHandle(workflowId)
        .result()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, workflowId).toBeInstanceOf(WorkflowFailedError);
      expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('UnprovenStart');
      const history = await handle.fetchHistory();
      const types = history.events!.map((event) => event.eventType);
      expect(types).not.toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
      // No pathway's search attributes either; only the SDK's own record of a patch (TemporalChangeVersion).
      const upserted = history.events!.flatMap((event) =>
        Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
      );
      expect(upserted.filter((name) => name !== 'TemporalChangeVersion')).toEqual([]);
    }
    // What the API starts is proven: it runs.
    expect((await system.call('POST', '/pathways', admission())).status).toBe(201);
  });
});
