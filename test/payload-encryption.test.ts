import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec, KEY_ID_METADATA } from '../codec/encryption-codec';
import { pathwayViewQuery } from '../workflows/definitions';
import { admission, jointAssessment, nhsNumber } from './support/fixtures';
import { testSecrets } from './support/secrets';
import { eventually, startSystem } from './support/system';
import { connectDevServer, proofFor } from './support/temporal';

// Temporal stores what Homeward sends it: the patient must be in there only encrypted. Homeward's
// own worker and API run on the real dev server; a plain client (no codec) reads what is stored.
type System = Awaited<ReturnType<typeof startSystem>>;
type Plain = Awaited<ReturnType<typeof connectDevServer>>;
let plain: Plain;
beforeAll(async () => {
  plain = await connectDevServer({ codecKeys: false });
});
afterAll(async () => {
  await plain?.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const newKey = (id: string) => `${id}:${crypto.randomBytes(32).toString('base64')}`;
const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function distinctivePatient() {
  const body = admission({ localAuthority: 'Calderdale' });
  body.patient = {
    ...body.patient,
    nhsNumber: nhsNumber(),
    name: 'Philippa Quenby-Ashdown',
    dateOfBirth: '1941-07-19',
    address: { line1: '17 Larkspur Mews', town: 'Hebden Bridge', postcode: 'HX7 8QZ' },
  };
  const { nhsNumber: nhs, name, dateOfBirth, address } = body.patient;
  return { body, personal: [nhs, name, dateOfBirth, address.line1, address.town, address.postcode] };
}

/**
 * Every payload in a proto message, with where it is, but for those Temporal writes past the
 * codec: search attributes (indexed, so no personal data goes there) and patched() markers (the
 * SDK core's, holding a patch id). The byte search still covers them.
 */
function payloadsIn(value: unknown, at = ''): { at: string; payload: Payload }[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => payloadsIn(item, `${at}[${i}]`));
  const record = value as Record<string, unknown>;
  const metadata = record.metadata as Record<string, Uint8Array> | undefined;
  if (metadata && typeof metadata === 'object' && 'encoding' in metadata) return [{ at, payload: record as Payload }];
  return Object.entries(record)
    .filter(([name]) => name !== 'searchAttributes' && name !== 'markerRecordedEventAttributes')
    .flatMap(([name, item]) => payloadsIn(item, `${at}.${name}`));
}

const metadataText = (payload: Payload | null | undefined, name: string) => {
  const value = payload?.metadata?.[name];
  return value ? Buffer.from(value).toString() : undefined;
};

async function storedHistory(client: Client, pathwayId: string) {
  const history = await client.workflow.getHandle(pathwayId).fetchHistory();
  return { events: history.events ?? [], bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) };
}

const ofType = (events: HistoryEvent[], type: temporal.api.enums.v1.EventType) =>
  events.filter((e) => e.eventType === type);

describe('patient data in Temporal', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('is nowhere in clear in the history or description, while Homeward reads the pathway normally', async () => {
    const { body, personal } = distinctivePatient();
    const id = `pathway-${body.admissionId}`;
    expect((await system.call('POST', '/pathways', body)).status).toBe(201);
    await system.call('POST', `/pathways/${id}/discharge-ready`, { date: today() });
    const assessed = await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['reablement'],
      notes: `Lives alone at ${body.patient.address.line1}`,
    });
    expect(assessed.status).toBe(200);
    const view = await eventually(
      () => system.call('GET', `/pathways/${id}`),
      (r) => r.body.published === r.body.timeline.length,
    );
    expect(view.status).toBe(200);
    expect(view.body.state.patient).toEqual(body.patient);

    const { events, bytes } = await storedHistory(plain.client, id);
    // The search reads the stored bytes: ids in clear are found, the patient is not.
    expect(bytes.includes(id)).toBe(true);
    for (const value of personal) expect(bytes.includes(value), value).toBe(false);
    const description = await plain.client.workflow.getHandle(id).describe();
    const described = Buffer.from(
      temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(description.raw).finish(),
    );
    for (const value of personal) expect(described.includes(value), value).toBe(false);

    // Input, Update arguments and results, activity inputs and results: each one encrypted.
    const payloads = payloadsIn(events);
    const places = new Set(payloads.map((p) => p.at.replace(/\[\d+\]/g, '[]')));
    for (const place of [
      'workflowExecutionStartedEventAttributes.input',
      'workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest.input.args',
      'workflowExecutionUpdateCompletedEventAttributes.outcome.success',
      'activityTaskScheduledEventAttributes.input',
      'activityTaskCompletedEventAttributes.result',
    ]) {
      expect(
        [...places].some((at) => at.includes(place)),
        place,
      ).toBe(true);
    }
    // The OpenTelemetry interceptors' header carries a trace context (empty while tracing is off) and
    // nothing else, in clear as the SDK writes it (headers do not pass through the codec); every other payload is encrypted.
    const traceHeaders = payloads.filter(({ at }) => at.endsWith('header.fields._tracer-data'));
    for (const { at, payload } of traceHeaders) {
      expect(
        Object.keys(JSON.parse(Buffer.from(payload.data!).toString('utf8')) as object).every((key) =>
          ['traceparent', 'tracestate'].includes(key),
        ),
        at,
      ).toBe(true);
    }
    for (const { at, payload } of payloads.filter((p) => !traceHeaders.includes(p))) {
      expect(metadataText(payload, 'encoding'), at).toBe('binary/encrypted');
      expect(metadataText(payload, KEY_ID_METADATA), at).toBe(testSecrets().codecKeys.split(':')[0]);
    }
    // What is stored is the patient, encrypted: the run's key opens it.
    const started = ofType(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)[0]
      .workflowExecutionStartedEventAttributes!;
    const [input] = await EncryptionCodec.fromSetting(testSecrets().codecKeys).decode([started.input!.payloads![0]]);
    expect(JSON.parse(Buffer.from(input.data!).toString()).start.patient).toEqual(body.patient);
  });

  it('encodes failure messages and stack traces too', async () => {
    const workflowId = `pathway-${crypto.randomUUID()}`;
    const handle = await system.client.workflow.start('dischargePathway', {
      taskQueue: system.config.temporal.taskQueue,
      workflowId,
      // No start command: the workflow code throws, failing its task with a message and a stack
      // (the SDK logs that failure, decoded, as a warning: expected output).
      args: [{ patientKey: 'not-a-pathway' }, proofFor('start', workflowId)],
    });
    try {
      const failed = await eventually(
        async () =>
          ofType(
            (await storedHistory(plain.client, handle.workflowId)).events,
            EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
          ),
        (found) => found.length > 0,
      );
      const failure = failed[0].workflowTaskFailedEventAttributes!.failure!;
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace ?? '').toBe('');
      expect(metadataText(failure.encodedAttributes, 'encoding')).toBe('binary/encrypted');
      const [opened] = await EncryptionCodec.fromSetting(testSecrets().codecKeys).decode([failure.encodedAttributes!]);
      const attributes = JSON.parse(Buffer.from(opened.data!).toString()) as { message: string; stack_trace: string };
      expect(attributes.message).toMatch(/reading 'type'/);
      expect(attributes.stack_trace).toContain('workflows/discharge-pathway.ts');
    } finally {
      await handle.terminate('test over');
    }
  });
});

describe('codec key rotation', () => {
  const [k1, k2, k9] = [newKey('k1'), newKey('k2'), newKey('k9')];
  let before: System | undefined;
  let after: System | undefined;
  afterAll(async () => {
    await before?.stop();
    await after?.stop();
  });

  it('a pathway started under k1 is read and continued under k2,k1; new payloads carry k2; an unrelated key gets a clear error', async () => {
    const { body } = distinctivePatient();
    const id = `pathway-${body.admissionId}`;
    before = await startSystem({ HOMEWARD_CODEC_KEYS: k1 });
    expect((await before.call('POST', '/pathways', body)).status).toBe(201);
    expect((await before.call('POST', `/pathways/${id}/discharge-ready`, { date: today() })).status).toBe(200);
    const { taskQueue } = before.config.temporal;
    await before.stop();
    before = undefined;

    // The new worker has no cached state: it replays the k1 history before it answers.
    after = await startSystem({ HOMEWARD_CODEC_KEYS: `${k2},${k1}`, TEMPORAL_TASK_QUEUE: taskQueue });
    const read = await after.call('GET', `/pathways/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.state.patient).toEqual(body.patient);
    const assessed = await after.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P0',
      needs: [],
    });
    expect(assessed.status).toBe(200);
    const grown = await after.call('GET', `/pathways/${id}`);
    const added = grown.body.timeline
      .slice(read.body.timeline.length)
      .map((e: { event: { type: string } }) => e.event.type);
    expect(added).toContain('assessment.completed');

    const { events } = await storedHistory(plain.client, id);
    const started = ofType(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)[0]
      .workflowExecutionStartedEventAttributes!;
    expect(metadataText(started.input!.payloads![0], KEY_ID_METADATA)).toBe('k1');
    const updates = ofType(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).map(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes!,
    );
    expect(updates.map((u) => u.acceptedRequest!.input!.name)).toEqual(['discharge-ready', 'assessment']);
    expect(updates.map((u) => metadataText(u.acceptedRequest!.input!.args!.payloads![0], KEY_ID_METADATA))).toEqual([
      'k1',
      'k2',
    ]);

    const stranger = await connectDevServer({ codecKeys: k9 });
    try {
      const error = await stranger.client.workflow
        .getHandle(id)
        .query(pathwayViewQuery)
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.message).toMatch(
        /encrypted with key id "k2", which is not in HOMEWARD_CODEC_KEYS \(this process has "k9"\)/,
      );
      for (const key of [k1, k2, k9]) expect(error?.message).not.toContain(key.split(':')[1]);
    } finally {
      await stranger.close();
      await after.client.workflow.getHandle(id).terminate('test over');
    }
  });
});
