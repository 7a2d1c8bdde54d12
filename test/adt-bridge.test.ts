import { randomUUID } from 'node:crypto';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApplication } from '../app';
import { createDataConverter } from '../codec/data-converter';
import { patientKey } from '../config/patient-key';
import { createKafka } from '../kafka/client';
import { InboundConsumer, type Outcome } from '../kafka/inbound-consumer';
import { topics } from '../kafka/topics';
import type { StartPayload } from '../schemas/commands';
import { createInboundHandler } from '../bridges/inbound-handlers';
import { agencyRejectionNotice } from '../bridges/rejection-notices';
import { searchAttributes } from '../workflows/search-attributes';
import { exclusive } from './support/exclusive';
import { admission, jointAssessment, nhsNumber } from './support/fixtures';
import { kafkaAs, positionGroupAtEnd, TopicReader } from './support/kafka';
import { externalProducer } from './support/produce';
import { eventually, startSystem } from './support/system';
import { TcpProxy } from './support/tcp-proxy';

// The hospital's ADT feed on the real broker, into the real handler and pathways on the real
// Temporal dev server: the cases the happy path never meets. The bridge reaches Temporal through a
// TCP proxy, so a test can take Temporal away from it alone.
let system: Awaited<ReturnType<typeof startSystem>>;
let release: () => void;
let proxy: TcpProxy;
let connection: Connection;
let consumer: InboundConsumer;
let producer: Awaited<ReturnType<typeof externalProducer>>;
let reader: TopicReader;
const groupId = `homeward-adt-bridge-${randomUUID()}`;
/** What the handler decided for each message, by messageId, in order of delivery; and each delivery that threw. */
const outcomes = new Map<string, Outcome[]>();
const threw: string[] = [];
const messageIdOf = (message: KafkaMessage) =>
  String((JSON.parse(message.value?.toString() ?? '{}') as { messageId?: string }).messageId);

beforeAll(async () => {
  // Files whose bridges consume the inbound topics take turns, so none handles another's messages.
  release = await exclusive('inbound-bridges');
  system = await startSystem();
  const [host, port] = inject('temporalAddress').split(':');
  proxy = new TcpProxy({ host, port: Number(port) });
  await proxy.open();
  // Few quick gRPC retries (as the API has), so an unreachable Temporal fails a delivery in about a second.
  connection = await Connection.connect({
    address: `127.0.0.1:${proxy.port}`,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 3, maxIntervalMs: () => 300 }))],
  });
  const client = new Client({
    connection,
    namespace: system.config.temporal.namespace,
    dataConverter: createDataConverter(system.config),
  });
  const handle = createInboundHandler({ app: createApplication(client, system.config) });
  await positionGroupAtEnd(inject('kafkaBrokers'), groupId, [topics.adt]);
  // The bridge's own parts (handler, consumer, rejection notices); the wrapper only watches.
  consumer = new InboundConsumer(
    createKafka({ ...system.config.kafka, clientId: 'adt-bridge-test' }),
    groupId,
    async (topic, message) => {
      const id = messageIdOf(message);
      try {
        const outcome = await handle(topic, message);
        outcomes.set(id, [...(outcomes.get(id) ?? []), outcome]);
        return outcome;
      } catch (error) {
        threw.push(id);
        throw error;
      }
    },
    pino({ level: 'silent' }),
    agencyRejectionNotice,
  );
  await consumer.start([topics.adt]);
  producer = await externalProducer('adt');
  reader = await new TopicReader(inject('kafkaBrokers')).start([topics.dlq]);
});
afterAll(async () => {
  await reader?.stop();
  await producer?.close();
  // Given back even if stopping fails, or the other files would wait for ever.
  await Promise.resolve(consumer?.stop()).finally(() => release?.());
  await connection?.close();
  await proxy?.close();
  await system?.stop();
});

/** Sends an ADT message as the PAS does and returns what the bridge made of its `delivery`-th arrival. */
async function adt(message: { messageId: string } & Record<string, unknown>, delivery = 1): Promise<Outcome> {
  await producer.send(topics.adt, String(message.admissionId), message);
  const all = await eventually(
    async () => outcomes.get(message.messageId) ?? [],
    (seen) => seen.length >= delivery,
    30_000,
  );
  return all[delivery - 1];
}
const admissionMessage = (start: StartPayload, emergency: boolean, admittedAt = start.admittedAt) => ({
  type: 'admission',
  messageId: randomUUID(),
  emergency,
  admissionId: start.admissionId,
  patient: start.patient,
  site: start.site,
  localAuthority: start.localAuthority,
  admittedAt,
});
const pathway = async (id: string) => (await system.call('GET', `/pathways/${id}`)).body;
const eventTypes = async (id: string): Promise<string[]> =>
  (await pathway(id)).timeline.map((e: { event: { type: string } }) => e.event.type);
const day = (today: string, offset: number) =>
  new Date(Date.parse(today) + offset * 86_400_000).toISOString().slice(0, 10);

/** A P0 stay discharged on `dischargedOn`, through the API; `today` from the one clock the test reads. */
async function dischargedStay(dischargedOn: string, admittedDaysBefore = 3) {
  const start = admission({
    patient: { ...admission().patient, nhsNumber: nhsNumber() },
    admittedAt: `${day(dischargedOn, -admittedDaysBefore)}T09:00:00.000Z`,
  });
  const id = `pathway-${start.admissionId}`;
  expect((await system.call('POST', '/pathways', start)).status).toBe(201);
  expect((await system.call('POST', `/pathways/${id}/discharge-ready`, { date: day(dischargedOn, -1) })).status).toBe(
    200,
  );
  expect(
    (await system.call('POST', `/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P0', needs: [] })).status,
  ).toBe(200);
  expect(
    (await system.call('POST', `/pathways/${id}/discharge`, { date: dischargedOn, destination: 'usual-residence' }))
      .status,
  ).toBe(200);
  return { start, id };
}

/** Until Temporal's visibility lists the pathway under the patient's key in `stage`: how the bridge finds a previous stay. */
async function listedAs(start: StartPayload, stage: string) {
  const key = patientKey(start.patient.nhsNumber, system.config.patientKeySecret);
  const query = `${searchAttributes.patientKey.name} = '${key}' AND ${searchAttributes.stage.name} = '${stage}'`;
  await eventually(
    async () => (await system.client.workflow.count(query)).count,
    (n) => n === 1,
    20_000,
  );
}

const closedAnswer = (id: string, stage: string) => ({
  status: 409,
  body: { error: 'closed', message: `Pathway ${id} is closed (${stage}) and takes no more commands` },
});

describe('cancel-admission', () => {
  it("cancels the stay's pathway; delivered again it is a duplicate; a later discharge is dead-lettered naming why; HTTP commands get 409", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const start = admission();
    const id = `pathway-${start.admissionId}`;
    expect(await adt(admissionMessage(start, false))).toMatchObject({ kind: 'applied' });
    const cancel = { type: 'cancel-admission', messageId: randomUUID(), admissionId: start.admissionId };
    expect(await adt(cancel)).toMatchObject({ kind: 'applied' });
    expect(await pathway(id)).toMatchObject({
      stage: 'cancelled',
      state: { outcome: { stage: 'cancelled', detail: 'admission_cancelled' } },
    });
    expect(await adt(cancel, 2)).toMatchObject({ kind: 'duplicate' });
    expect((await eventTypes(id)).filter((t) => t === 'pathway.cancelled')).toHaveLength(1);

    const discharge = {
      type: 'discharge',
      messageId: randomUUID(),
      admissionId: start.admissionId,
      date: today,
      destination: 'usual-residence',
    };
    const refused = await adt(discharge);
    expect(refused).toEqual({
      kind: 'rejected',
      reason: `closed: Pathway ${id} is closed (cancelled) and takes no more commands`,
    });
    const letters = await reader.waitFor((all) =>
      all.some((m) => m.value.key === start.admissionId && m.value.reason === (refused as { reason: string }).reason),
    );
    expect(letters.find((m) => m.value.key === start.admissionId)?.value).toMatchObject({
      topic: topics.adt,
      value: JSON.stringify(discharge),
    });

    expect(await system.call('POST', `/pathways/${id}/discharge-ready`, { date: today })).toMatchObject(
      closedAnswer(id, 'cancelled'),
    );
  });
});

describe('discharge', () => {
  it('of a pathway not ready is dead-lettered naming what it waits for; once ready, delivered twice it is recorded once; another date is refused', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const start = admission();
    const id = `pathway-${start.admissionId}`;
    await system.call('POST', '/pathways', start);
    await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['equipment'],
    });
    const early = {
      type: 'discharge',
      messageId: randomUUID(),
      admissionId: start.admissionId,
      date: today,
      destination: 'usual-residence',
    };
    expect(await adt(early)).toEqual({
      kind: 'rejected',
      reason:
        'not_allowed_in_stage: discharge is not allowed in stage arranging: referrals not ready: ref-1 (equipment, requested)',
    });
    expect(await pathway(id)).toMatchObject({ stage: 'arranging' });
    await reader.waitFor((all) =>
      all.some((m) => m.value.key === start.admissionId && String(m.value.reason).startsWith('not_allowed_in_stage')),
    );

    const equipment = await system.token('agency:equipment');
    expect(
      (
        await system.callWith(equipment, 'POST', `/pathways/${id}/referral-response`, {
          referralId: 'ref-1',
          agency: 'equipment',
          response: 'ready',
        })
      ).status,
    ).toBe(200);
    expect(await pathway(id)).toMatchObject({ stage: 'ready_for_discharge' });
    const discharge = { ...early, messageId: randomUUID() };
    expect(await adt(discharge)).toMatchObject({ kind: 'applied' });
    expect(await adt(discharge, 2)).toMatchObject({ kind: 'duplicate' });
    const otherDate = { ...early, messageId: randomUUID(), date: day(today, -1) };
    expect(await adt(otherDate)).toEqual({
      kind: 'rejected',
      reason: `not_allowed_in_stage: discharge: already recorded on ${today}; the pathway is in stage readmission_watch`,
    });
    const view = await pathway(id);
    expect(
      view.timeline.filter((e: { event: { type: string } }) => e.event.type === 'discharge.recorded'),
    ).toHaveLength(1);
    expect(view.state.discharge).toMatchObject({ date: today, destination: 'usual-residence' });
  });
});

describe('an admission of a patient in a 30-day watch', () => {
  it('elective: a new stay, not a readmission; emergency, delivered twice: links the stays once; the readmitted pathway takes no more commands', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const previous = await dischargedStay(day(today, -5));
    await listedAs(previous.start, 'readmission_watch');

    const elective = admission({ patient: previous.start.patient, admittedAt: `${today}T00:00:00.000Z` });
    expect(await adt({ ...admissionMessage(elective, false), ward: 'Ward 12' })).toEqual({
      kind: 'applied',
      detail: `pathway-${elective.admissionId} started`,
    });
    // The PAS's admitting ward goes on the stay (the staff's pages show it).
    expect((await pathway(`pathway-${elective.admissionId}`)).state).toMatchObject({ ward: 'Ward 12' });
    expect((await pathway(`pathway-${elective.admissionId}`)).state.previousPathwayId).toBeUndefined();
    expect(await pathway(previous.id)).toMatchObject({ stage: 'readmission_watch' });

    const emergency = admission({ patient: previous.start.patient, admittedAt: `${today}T00:00:00.000Z` });
    const message = admissionMessage(emergency, true);
    expect(await adt(message)).toEqual({
      kind: 'applied',
      detail: `pathway-${emergency.admissionId} started, readmission of ${previous.id}`,
    });
    expect(await adt(message, 2)).toEqual({
      kind: 'duplicate',
      detail: `pathway-${emergency.admissionId} started, readmission of ${previous.id}`,
    });
    const readmitted = await pathway(previous.id);
    expect(readmitted).toMatchObject({
      stage: 'readmitted',
      state: {
        readmission: { newAdmissionId: emergency.admissionId, linkedPathwayId: `pathway-${emergency.admissionId}` },
      },
    });
    expect(
      readmitted.timeline.filter((e: { event: { type: string } }) => e.event.type === 'pathway.readmitted'),
    ).toHaveLength(1);
    expect((await pathway(`pathway-${emergency.admissionId}`)).state.previousPathwayId).toBe(previous.id);

    expect(
      await system.call('POST', `/pathways/${previous.id}/emergency-attendance`, { attendedOn: today }),
    ).toMatchObject(closedAnswer(previous.id, 'readmitted'));
  });

  it('whose watch has already ended: an emergency admission starts a stay of its own; the handed-back pathway stays closed', async () => {
    const today = new Date().toISOString().slice(0, 10);
    // Discharged 40 days ago: the watch (days 0–29) ended on day 30, so the pathway hands back at once.
    const previous = await dischargedStay(day(today, -40), 10);
    await eventually(
      () => pathway(previous.id),
      (view) => view.stage === 'handed_back',
    );
    await listedAs(previous.start, 'handed_back');

    const emergency = admission({ patient: previous.start.patient, admittedAt: `${today}T00:00:00.000Z` });
    expect(await adt(admissionMessage(emergency, true))).toEqual({
      kind: 'applied',
      detail: `pathway-${emergency.admissionId} started`,
    });
    expect((await pathway(`pathway-${emergency.admissionId}`)).state.previousPathwayId).toBeUndefined();
    expect(await pathway(previous.id)).toMatchObject({
      stage: 'handed_back',
      state: { outcome: { stage: 'handed_back', detail: 'home' } },
    });
    expect(await eventTypes(previous.id)).not.toContain('pathway.readmitted');

    expect(
      await system.call('POST', `/pathways/${previous.id}/readmission`, {
        newAdmissionId: emergency.admissionId,
        admittedOn: today,
        emergency: true,
      }),
    ).toMatchObject(closedAnswer(previous.id, 'handed_back'));
  });
});

describe('at least once', () => {
  it('a delivery that fails because Temporal is unreachable leaves the offset uncommitted, and the message is handled when it comes again', async () => {
    const start = admission();
    const id = `pathway-${start.admissionId}`;
    const message = admissionMessage(start, false);
    const admin = kafkaAs('admin', { clientId: 'adt-bridge-offsets' }).admin();
    await admin.connect();
    const committed = async (partition: number) => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topics.adt] });
      return BigInt(offsets.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
    };
    try {
      await proxy.close();
      const at = await producer.send(topics.adt, start.admissionId, message);
      await eventually(
        async () => threw.filter((m) => m === message.messageId).length,
        (n) => n >= 1,
        30_000,
      );
      expect(outcomes.get(message.messageId)).toBeUndefined();
      // Not committed past the message: a restarted bridge would read it again too.
      expect(await committed(at.partition)).toBeLessThanOrEqual(BigInt(at.offset));
      expect((await system.call('GET', `/pathways/${id}`)).status).toBe(404);

      await proxy.open();
      const handled = await eventually(
        async () => outcomes.get(message.messageId) ?? [],
        (seen) => seen.length > 0,
        45_000,
      );
      expect(handled).toEqual([{ kind: 'applied', detail: `${id} started` }]);
      expect(await pathway(id)).toMatchObject({ stage: 'admitted', state: { admissionId: start.admissionId } });
      await eventually(
        () => committed(at.partition),
        (offset) => offset === BigInt(at.offset) + 1n,
      );
    } finally {
      await proxy.open().catch(() => undefined);
      await admin.disconnect();
    }
  });
});
