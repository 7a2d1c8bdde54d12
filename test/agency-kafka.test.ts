import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createPublishActivities } from '../activities/publish';
import { EventPublisher } from '../kafka/publisher';
import { dlqEntries } from '../health/metrics';
import { agencies, inboundTopics, topics } from '../kafka/topics';
import type { Agency } from '../schemas/common';
import { startInboundBridges, type RunningBridges } from '../bridges/inbound';
import { admission, jointAssessment, nhsNumber } from './support/fixtures';
import { kafkaAs, positionGroupAtEnd, TopicReader, type ReceivedMessage } from './support/kafka';
import { externalProducer } from './support/produce';
import { schemaChecked } from './support/agency-schemas';
import { exclusive } from './support/exclusive';
import { eventually, startSystem } from './support/system';

// Agencies' side of Homeward on the real broker and the real Temporal dev server.
let system: Awaited<ReturnType<typeof startSystem>>;
let bridges: RunningBridges;
// Files whose bridges consume the inbound topics take turns, so none handles another's messages.
let release: () => void;
let reader: TopicReader;
type Producer = Awaited<ReturnType<typeof externalProducer>>;
const producers = new Map<string, Promise<Producer>>();
/** Each sender signs in as itself (`adt`, `agency-<agency>`), so the broker's ACLs apply. */
const producerAs = (principal: string) => {
  if (!producers.has(principal)) producers.set(principal, externalProducer(principal));
  return producers.get(principal)!;
};
const sendAs = async (
  principal: string,
  topic: string,
  key: string,
  value: unknown,
  headers?: Record<string, string>,
) => (await producerAs(principal)).send(topic, key, value, headers);

beforeAll(async () => {
  release = await exclusive('inbound-bridges');
  system = await startSystem();
  // The bridges' principal may use only consumer groups starting homeward-.
  const groupId = `homeward-inbound-test-${randomUUID()}`;
  await positionGroupAtEnd(inject('kafkaBrokers'), groupId, inboundTopics());
  bridges = await startInboundBridges(system.config, pino({ level: 'silent' }), groupId);
  reader = await new TopicReader(inject('kafkaBrokers')).start([
    topics.pathwayEvents,
    ...agencies.map(topics.agencyEvents),
    topics.dlq,
  ]);
});
afterAll(async () => {
  await reader?.stop();
  for (const producer of producers.values()) await (await producer).close();
  // Given back even if stopping fails, or the other files would wait for ever.
  await Promise.resolve(bridges?.stop()).finally(() => release?.());
  await system?.stop();
});

const forPathway = (id: string, topic: string) => reader.of(topic, id);
const types = (messages: ReceivedMessage[]) =>
  messages.map((m) =>
    String(m.value.type)
      .replace(/^uk\.nhs\.discharge\./, '')
      .replace(/\.v1$/, ''),
  );
/** An agency answers on its own responses topic; the message does not name the agency. */
const respond = (pathwayId: string, referralId: string, agency: Agency, response: string) =>
  sendAs(`agency-${agency}`, topics.agencyResponses(agency), pathwayId, {
    messageId: randomUUID(),
    pathwayId,
    referralId,
    response,
  });
const adt = (key: string, message: unknown) => sendAs('adt', topics.adt, key, message);
const referralStatus = async (id: string, referralId: string) =>
  (await system.call('GET', `/pathways/${id}`)).body.state.referrals.find(
    (r: { referralId: string }) => r.referralId === referralId,
  )?.status;

describe('agency events and replies over Kafka', () => {
  const start = admission({
    patient: { ...admission().patient, nhsNumber: nhsNumber(), housingStatus: 'homeless', gpPractice: 'B86001' },
    consents: ['intermediate-care', 'housing', 'gp'],
  });
  const id = `pathway-${start.admissionId}`;

  it('a P1 pathway end to end: each agency topic gets exactly its events and fields; replies and ADT drive the pathway', async () => {
    // Read once: the dates sent and the dates expected back must be the same day, even across midnight.
    const today = new Date().toISOString().slice(0, 10);
    await system.call('POST', '/pathways', start);
    await system.call('POST', `/pathways/${id}/discharge-ready`, { date: today });
    await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['reablement', 'home-from-hospital'],
    });
    // ref-1 reablement → intermediate-care, ref-2 home from hospital → voluntary (no consent yet: a voluntary
    // organisation needs it, unlike health and care agencies), ref-3 housing (duty to refer, consented).
    await respond(id, 'ref-1', 'intermediate-care', 'accepted');
    await respond(id, 'ref-1', 'intermediate-care', 'ready');
    await respond(id, 'ref-3', 'housing', 'ready');
    await respond(id, 'ref-2', 'voluntary', 'ready');
    await eventually(
      () => referralStatus(id, 'ref-2'),
      (s) => s === 'ready',
    );
    await system.call('POST', `/pathways/${id}/consent`, { agency: 'voluntary', given: true });
    await adt(start.admissionId, {
      type: 'discharge',
      messageId: randomUUID(),
      admissionId: start.admissionId,
      date: today,
      destination: 'temporary-accommodation',
    });
    const discharged = await eventually(
      () => system.call('GET', `/pathways/${id}`),
      (r) => r.body.stage === 'intermediate_care',
    );
    const total = discharged.body.timeline.length;
    // Topics are read independently: wait until each has caught up with the discharge.
    const expectedCounts = { housing: 5, voluntary: 6, 'intermediate-care': 6, gp: 2 } as const;
    await reader.waitFor(
      () =>
        forPathway(id, topics.pathwayEvents).length >= total &&
        forPathway(id, topics.agencyEvents('acute-trust')).length >= total &&
        Object.entries(expectedCounts).every(
          ([agency, n]) => forPathway(id, topics.agencyEvents(agency as keyof typeof expectedCounts)).length >= n,
        ),
    );

    const audit = forPathway(id, topics.pathwayEvents);
    expect(audit.map((m) => m.value.id)).toEqual(
      discharged.body.timeline.map((e: { sequence: number }) => `${id}/${e.sequence}`),
    );
    expect(forPathway(id, topics.agencyEvents('acute-trust')).map((m) => m.value)).toEqual(audit.map((m) => m.value));

    const housing = forPathway(id, topics.agencyEvents('housing'));
    expect(types(housing)).toEqual([
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'pathway.ready_for_discharge',
      'discharge.recorded',
    ]);
    expect(housing[0].value.data).toMatchObject({
      service: 'housing',
      reason: 'duty-to-refer',
      patient: { name: start.patient.name, address: start.patient.address, housingStatus: 'homeless' },
    });
    expect(housing[4].value.data).toEqual({ date: today, destination: 'temporary-accommodation' });
    const housingText = JSON.stringify(housing);
    expect(housingText).not.toContain(start.patient.nhsNumber);
    expect(housingText).not.toContain(start.patient.dateOfBirth);

    const voluntary = forPathway(id, topics.agencyEvents('voluntary'));
    expect(types(voluntary)).toEqual([
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'consent.recorded',
      'pathway.ready_for_discharge',
      'discharge.recorded',
    ]);
    expect(voluntary[0].value.data).toMatchObject({ consentRequired: true });
    expect(voluntary[0].value.data).not.toHaveProperty('patient');
    expect(JSON.stringify(voluntary.slice(0, 3))).not.toContain(start.patient.name);
    // Consent given after the referral releases, on the agency's own topic, what it may now see: name and address only.
    expect(voluntary[3].value.data).toEqual({
      agency: 'voluntary',
      given: true,
      givenBy: 'patient',
      patient: { name: start.patient.name, address: start.patient.address },
    });
    expect(JSON.stringify(voluntary)).not.toContain(start.patient.nhsNumber);

    const ic = forPathway(id, topics.agencyEvents('intermediate-care'));
    expect(types(ic)).toEqual([
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'pathway.ready_for_discharge',
      'discharge.recorded',
      'intermediate_care.started',
    ]);
    expect((ic[0].value.data as Record<string, unknown>).patient).toEqual({
      nhsNumber: start.patient.nhsNumber,
      name: start.patient.name,
      dateOfBirth: start.patient.dateOfBirth,
      address: start.patient.address,
    });

    const gp = forPathway(id, topics.agencyEvents('gp'));
    expect(types(gp)).toEqual(['discharge.recorded', 'intermediate_care.started']);
    expect(gp[0].value.data).toMatchObject({
      pathway: 'P1',
      services: expect.arrayContaining(['reablement', 'home-from-hospital', 'housing']),
      patient: { nhsNumber: start.patient.nhsNumber, gpPractice: 'B86001' },
    });
    expect(JSON.stringify(gp)).not.toContain(start.patient.address.postcode);

    // Community health makes the welfare check on the day of discharge (rules 4).
    await reader.waitFor(() => forPathway(id, topics.agencyEvents('community-health')).length > 0);
    const community = forPathway(id, topics.agencyEvents('community-health'));
    expect(types(community)).toEqual(['referral.requested']);
    expect(community[0].value.data).toMatchObject({
      service: 'welfare-check',
      reason: 'welfare-check',
      purpose: 'follow-up',
    });

    for (const agency of ['social-care', 'equipment', 'care-home'] as const) {
      expect(forPathway(id, topics.agencyEvents(agency)), agency).toEqual([]);
    }

    // An emergency admission of the same patient within the watch reaches this pathway by the
    // keyed NHS-number hash, without the PAS knowing the pathway id.
    const readmission = { ...admission({ patient: start.patient }), admittedAt: new Date().toISOString() };
    await adt(readmission.admissionId, { type: 'admission', messageId: randomUUID(), emergency: true, ...readmission });
    const closed = await eventually(
      () => system.call('GET', `/pathways/${id}`),
      (r) => r.body.stage === 'readmitted',
    );
    expect(closed.body.state.readmission.linkedPathwayId).toBe(`pathway-${readmission.admissionId}`);
    const linked = await eventually(
      () => system.call('GET', `/pathways/pathway-${readmission.admissionId}`),
      (r) => r.status === 200,
    );
    expect(linked.body.state.previousPathwayId).toBe(id);
    await reader.waitFor(() => types(forPathway(id, topics.agencyEvents('housing'))).includes('pathway.readmitted'));
    expect(types(forPathway(id, topics.agencyEvents('housing'))).slice(-2)).toEqual([
      'referral.on_hold',
      'pathway.readmitted',
    ]);
  });

  it("bad, foreign and unknown messages go to the DLQ with the reason; the agency is the topic's; duplicates are ignored; the consumer keeps going", async () => {
    const other = admission();
    const otherId = `pathway-${other.admissionId}`;
    await system.call('POST', '/pathways', other);
    // ref-1 equipment → equipment, ref-2 reablement → intermediate-care.
    await system.call('POST', `/pathways/${otherId}/assessment`, {
      ...jointAssessment,
      participants: [{ role: 'nurse' }, { role: 'care_manager' }, { role: 'carer' }],
      patientAbsent: 'too_unwell',
      agreement: undefined,
      pathway: 'P1',
      needs: ['equipment', 'reablement'],
    });
    const before = { ...bridges.consumer.stats };

    const equipment = (key: string, message: unknown) =>
      sendAs('agency-equipment', topics.agencyResponses('equipment'), key, message);
    await equipment(otherId, '{"not json');
    await equipment(otherId, { messageId: 'm-missing', pathwayId: otherId, response: 'accepted' });
    // Intermediate care is referred on the pathway too, but ref-1 is equipment's: on intermediate
    // care's own topic, the reply is intermediate care's, whatever it claims.
    // With the trace its sender's system was in (W3C traceparent): the refusal names that trace.
    const agencyTrace = randomUUID().replace(/-/g, '');
    await sendAs(
      'agency-intermediate-care',
      topics.agencyResponses('intermediate-care'),
      otherId,
      { messageId: 'm-foreign', pathwayId: otherId, referralId: 'ref-1', response: 'accepted' },
      { traceparent: `00-${agencyTrace}-00f067aa0ba902b7-01` },
    );
    // … and is refused exactly as a referral that does not exist: probing ids tells it nothing of equipment's.
    await sendAs('agency-intermediate-care', topics.agencyResponses('intermediate-care'), otherId, {
      messageId: 'm-none',
      pathwayId: otherId,
      referralId: 'ref-3',
      response: 'accepted',
    });
    // A message naming an agency is refused outright: only the topic says who answered.
    await equipment(otherId, {
      messageId: 'm-named',
      pathwayId: otherId,
      referralId: 'ref-1',
      agency: 'equipment',
      response: 'accepted',
    });
    await equipment('pathway-nobody', {
      messageId: 'm-unknown',
      pathwayId: 'pathway-nobody',
      referralId: 'ref-1',
      response: 'accepted',
    });
    await adt('x', { type: 'transfer', messageId: 'm-adt' });
    await respond(otherId, 'ref-1', 'equipment', 'accepted');
    await respond(otherId, 'ref-1', 'equipment', 'accepted');

    await eventually(
      () => referralStatus(otherId, 'ref-1'),
      (s) => s === 'accepted',
    );
    const letters = await reader.waitFor(
      (all) =>
        all.filter(
          (m) =>
            m.topic === topics.dlq &&
            m.value.failedAt &&
            [otherId, 'pathway-nobody', 'x'].includes(String(m.value.key)),
        ).length >= 7,
    );
    const dlq = letters.filter(
      (m) => m.topic === topics.dlq && [otherId, 'pathway-nobody', 'x'].includes(String(m.value.key)),
    );
    const reasons = dlq.map((m) => String(m.value.reason));
    // Keys spread over partitions, so the DLQ's order is not the sending order.
    expect(reasons).toHaveLength(7);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'invalid: not JSON',
        'invalid: referralId: Invalid input: expected string, received undefined',
        'unknown_referral: referralId: no referral ref-1 of yours on this pathway',
        'unknown_referral: referralId: no referral ref-3 of yours on this pathway',
        'invalid: (message): Unrecognized key: "agency"',
        expect.stringMatching(/^not_found/),
        expect.stringMatching(/^invalid: type/),
      ]),
    );
    expect(dlq.find((m) => m.value.reason === 'invalid: not JSON')?.value.value).toBe('{"not json');
    expect(dlq.find((m) => String(m.value.reason).includes('ref-1 of yours'))?.value).toMatchObject({
      topic: topics.agencyResponses('intermediate-care'),
      partition: expect.any(Number),
      offset: expect.any(String),
      messageId: 'm-foreign',
      traceId: agencyTrace,
    });
    expect(dlq.find((m) => m.value.reason === 'invalid: not JSON')?.value).not.toHaveProperty('messageId');
    // Counted by reason code, for the DLQ alert.
    const counted = (await dlqEntries.get()).values.filter(
      (v) => v.labels.topic === topics.agencyResponses('intermediate-care') && v.labels.reason === 'unknown_referral',
    );
    expect(counted.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(2);
    // Each agency hears of its own refused answers on its own topic, keyed by its messageId; nobody else does.
    const rejections = await reader.waitFor(
      (all) =>
        all.filter((m) => m.value.type === 'uk.nhs.discharge.response.rejected.v1' && m.value.subject === otherId)
          .length >= 4,
    );
    const rejected = (agency: Agency) =>
      schemaChecked(
        rejections.filter(
          (m) =>
            m.topic === topics.agencyEvents(agency) &&
            m.value.type === 'uk.nhs.discharge.response.rejected.v1' &&
            m.value.subject === otherId,
        ),
      );
    const byMessage = Object.fromEntries(
      rejected('intermediate-care').map((m) => [
        m.key,
        m.value.data as { reason: string; message: string; traceId?: string },
      ]),
    );
    expect(Object.keys(byMessage).sort()).toEqual(['m-foreign', 'm-none']);
    expect(byMessage['m-foreign']).toMatchObject({
      messageId: 'm-foreign',
      traceId: agencyTrace,
      reason: 'unknown_referral: referralId: no referral ref-1 of yours on this pathway',
      message: expect.stringContaining('"m-foreign"'),
    });
    expect(byMessage['m-none']).not.toHaveProperty('traceId');
    expect(byMessage['m-none'].reason.replace('ref-3', 'ref-1')).toBe(byMessage['m-foreign'].reason);
    expect(byMessage['m-foreign'].reason).not.toContain('equipment');
    expect(
      rejected('equipment')
        .map((m) => (m.value.data as { messageId?: string }).messageId)
        .sort(),
    ).toEqual(['m-missing', 'm-named']);
    expect(
      rejections.filter(
        (m) =>
          m.value.type === 'uk.nhs.discharge.response.rejected.v1' &&
          !m.topic.startsWith('homeward.agency.equipment') &&
          !m.topic.startsWith('homeward.agency.intermediate-care'),
      ),
    ).toEqual([]);
    // The hospital's rejected ADT message reaches no agency.
    expect(rejections.filter((m) => m.topic !== topics.dlq && JSON.stringify(m.value).includes('m-adt'))).toEqual([]);
    await eventually(
      async () => bridges.consumer.stats.duplicate,
      (n) => n > before.duplicate,
    );
    const events = (await system.call('GET', `/pathways/${otherId}`)).body.timeline.map(
      (e: { event: { type: string } }) => e.event.type,
    );
    expect(events.filter((t: string) => t === 'referral.accepted')).toHaveLength(1);
  });

  it('a retried publishing activity produces the same event ids, which consumers de-duplicate', async () => {
    const publisher = new EventPublisher(kafkaAs('homeward', { clientId: 'retry-test' }));
    const { publishEvents } = createPublishActivities(publisher);
    const pathwayId = `pathway-retry-${randomUUID().slice(0, 8)}`;
    const request = {
      pathwayId,
      events: [
        {
          sequence: 1,
          event: { type: 'pathway.cancelled' as const, at: new Date().toISOString(), reason: 'other' as const },
        },
      ],
      context: {
        patient: admission().patient,
        consents: {},
        referralAgencies: { 'ref-1': 'housing' as const },
        services: [],
      },
    };
    await publishEvents(request);
    await publishEvents(request); // what Temporal does when the first attempt's result was lost
    await publisher.close();
    const messages = await reader.waitFor(() => forPathway(pathwayId, topics.agencyEvents('housing')).length === 2);
    const housing = messages.filter((m) => m.key === pathwayId && m.topic === topics.agencyEvents('housing'));
    expect(housing[0].value.id).toBe(`${pathwayId}/1`);
    expect(housing[1].value).toEqual(housing[0].value);
  });
});
