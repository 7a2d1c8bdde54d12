import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../kafka/topics';
import type { Agency } from '../../schemas/common';
import { startInboundBridges, type RunningBridges } from '../../bridges/inbound';
import { admission, dayFromToday as day, jointAssessment } from '../support/fixtures';
import { TopicReader, type ReceivedMessage } from '../support/kafka';
import { externalProducer } from '../support/produce';
import { eventually, startSystem } from '../support/system';

// The agency round trip on the production profile's three-broker cluster: a referral reaches the
// agency's own topic, read by the agency's system as its SCRAM user over SASL_SSL; its answer,
// sent as that user on its responses topic, comes back through the inbound bridge into the pathway.
const agencies = ['intermediate-care', 'equipment'] as const satisfies readonly Agency[];

let system: Awaited<ReturnType<typeof startSystem>>;
let bridges: RunningBridges;
const readers = new Map<Agency, TopicReader>();
const producers = new Map<Agency, Awaited<ReturnType<typeof externalProducer>>>();
beforeAll(async () => {
  system = await startSystem();
  // The cluster is the run's own and no other file answers on the inbound topics: the bridges read them from the start.
  bridges = await startInboundBridges(
    system.config,
    pino({ level: 'silent' }),
    `homeward-inbound-production-${randomUUID()}`,
  );
  for (const agency of agencies) {
    readers.set(
      agency,
      await new TopicReader(system.config.kafka.brokers.join(','), `agency-${agency}`).start([
        topics.agencyEvents(agency),
      ]),
    );
    producers.set(agency, await externalProducer(`agency-${agency}`));
  }
});
afterAll(async () => {
  for (const reader of readers.values()) await reader.stop();
  for (const producer of producers.values()) await producer.close();
  await bridges?.stop();
  await system?.stop();
});

const types = (messages: ReceivedMessage[]) =>
  messages.map((m) =>
    String(m.value.type)
      .replace(/^uk\.nhs\.discharge\./, '')
      .replace(/\.v1$/, ''),
  );
/** What the agency's system has read of this pathway on its own topic, once `done` holds. */
const seenBy = async (agency: Agency, id: string, done: (seen: string[]) => boolean) => {
  const reader = readers.get(agency)!;
  await reader.waitFor(() => done(types(reader.of(topics.agencyEvents(agency), id))), 30_000);
  return reader.of(topics.agencyEvents(agency), id);
};
/** As the agency's system answers: on its own responses topic, signed in as itself. */
const answer = (agency: Agency, pathwayId: string, referralId: string, response: string) =>
  producers
    .get(agency)!
    .send(topics.agencyResponses(agency), pathwayId, { messageId: randomUUID(), pathwayId, referralId, response });

describe('production profile: agencies over the three-broker Kafka cluster', () => {
  it("Homeward, its bridges and every agency client reach the cluster over SASL_SSL with the run's CA", () => {
    expect(system.config.kafka).toMatchObject({
      ssl: true,
      sslCaFile: expect.any(String),
      sasl: { mechanism: 'scram-sha-512', username: 'homeward' },
    });
    expect(system.config.kafka.brokers).toHaveLength(3);
  });

  it("a referral reaches each agency's topic; their answers on their responses topics come back into the pathway", async () => {
    const body = admission({ site: `PROD-K-${Date.now()}` });
    const id = `pathway-${body.admissionId}`;
    for (const [path, payload] of [
      ['/pathways', body],
      [`/pathways/${id}/discharge-ready`, { date: day(-1) }],
      [`/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P1', needs: ['reablement', 'equipment'] }],
    ] as const) {
      const response = await system.call('POST', path, payload);
      expect({ path, status: response.status }).toEqual({ path, status: path === '/pathways' ? 201 : 200 });
    }

    // Each agency's system reads its referral, and only through its own topic (the reader is the agency's user).
    const referrals = new Map<Agency, string>();
    for (const agency of agencies) {
      const [requested] = await seenBy(agency, id, (seen) => seen.includes('referral.requested'));
      expect(requested.value.data, agency).toMatchObject({ agency, referralId: expect.any(String) });
      referrals.set(agency, String((requested.value.data as { referralId: string }).referralId));
    }

    await answer('intermediate-care', id, referrals.get('intermediate-care')!, 'accepted');
    await answer('intermediate-care', id, referrals.get('intermediate-care')!, 'ready');
    await answer('equipment', id, referrals.get('equipment')!, 'ready');

    // Into the pathway: both referrals ready, so it is ready for discharge.
    const ready = await eventually(
      () => system.call('GET', `/pathways/${id}`),
      (r) => r.body.stage === 'ready_for_discharge',
      30_000,
    );
    const statuses = Object.fromEntries(
      ready.body.state.referrals.map((r: { agency: string; status: string }) => [r.agency, r.status]),
    );
    expect(statuses).toEqual({ 'intermediate-care': 'ready', equipment: 'ready' });
    const timeline = ready.body.timeline.map((entry: { event: { type: string } }) => entry.event.type);
    expect(timeline.filter((type: string) => type === 'referral.ready')).toHaveLength(2);

    // And out again: each agency sees its own answers recorded, and the pathway ready.
    const icSeen = await seenBy('intermediate-care', id, (seen) => seen.includes('pathway.ready_for_discharge'));
    expect(types(icSeen)).toEqual([
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'pathway.ready_for_discharge',
    ]);
    const equipmentSeen = await seenBy('equipment', id, (seen) => seen.includes('pathway.ready_for_discharge'));
    // A `ready` to a referral not yet accepted records both.
    expect(types(equipmentSeen)).toEqual([
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'pathway.ready_for_discharge',
    ]);

    // The read model, fed from the same cluster, has the answers too.
    const permanent = await eventually(
      () => system.call('GET', `/pathways/${id}/timeline`),
      (r) => r.body.timeline?.length === timeline.length,
    );
    expect(permanent.body.timeline.map((entry: { event: { type: string } }) => entry.event.type)).toEqual(timeline);
  });
});
