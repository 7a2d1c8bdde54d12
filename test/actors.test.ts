import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { agencies, topics } from '../kafka/topics';
import { admission, jointAssessment } from './support/fixtures';
import { TopicReader } from './support/kafka';
import { eventually, startSystem } from './support/system';

// Who did what, on the timeline and the audit stream; what an agency sees over HTTP and Kafka.
let system: Awaited<ReturnType<typeof startSystem>>;
let reader: TopicReader;
beforeAll(async () => {
  system = await startSystem();
  reader = await new TopicReader(inject('kafkaBrokers')).start([
    topics.pathwayEvents,
    ...agencies.map(topics.agencyEvents),
  ]);
});
afterAll(async () => {
  await reader?.stop();
  await system?.stop();
});

describe('actors and agency views', () => {
  const start = admission({ consents: ['intermediate-care', 'equipment', 'gp'] });
  const id = `pathway-${start.admissionId}`;
  const onTopic = (topic: string) => reader.of(topic, id).map((m) => m.value);

  beforeAll(async () => {
    await system.call('POST', '/pathways', start);
    await system.call('POST', `/pathways/${id}/discharge-ready`, { date: new Date().toISOString().slice(0, 10) });
    await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['reablement', 'equipment'],
    });
    const equipment = await system.token('agency:equipment', { subject: 'equipment-system-7' });
    expect(
      (
        await system.callWith(equipment, 'POST', `/pathways/${id}/referral-response`, {
          referralId: 'ref-2',
          agency: 'equipment',
          response: 'accepted',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await system.callWith(equipment, 'POST', `/pathways/${id}/delay-reason`, {
          code: 'awaiting_equipment_adaptations',
          agency: 'equipment',
        })
      ).status,
    ).toBe(200);
  });

  it('the timeline says who gave each command', async () => {
    // From the read model: once the projector has the last event.
    const { body } = await eventually(
      () => system.call('GET', `/pathways/${id}/timeline`),
      (r) => r.body.timeline?.some((e: { event: { type: string } }) => e.event.type === 'delay_reason.recorded'),
    );
    const actorOf = (type: string) =>
      body.timeline.find((e: { event: { type: string } }) => e.event.type === type)?.actor;
    expect(actorOf('pathway.started')).toEqual({ subject: 'test:discharge-team', role: 'discharge-team' });
    expect(actorOf('referral.requested')).toEqual({ subject: 'test:discharge-team', role: 'discharge-team' });
    expect(actorOf('referral.accepted')).toEqual({
      subject: 'equipment-system-7',
      role: 'agency',
      agency: 'equipment',
    });
    expect(actorOf('delay_reason.recorded')).toEqual({
      subject: 'equipment-system-7',
      role: 'agency',
      agency: 'equipment',
    });
  });

  it('the audit stream carries the actor; agency topics only its role and agency, never who', async () => {
    const timeline = (await system.call('GET', `/pathways/${id}`)).body.timeline as unknown[];
    // The reader starts from the beginning of every topic: under a loaded suite that takes a while.
    await reader.waitFor(() => onTopic(topics.pathwayEvents).length === timeline.length, 60_000);
    const accepted = onTopic(topics.pathwayEvents).find((e) => e.type === 'uk.nhs.discharge.referral.accepted.v1');
    expect(accepted).toMatchObject({
      actorrole: 'agency',
      actoragency: 'equipment',
      actorsubject: 'equipment-system-7',
    });
    expect(onTopic(topics.pathwayEvents)[0]).toMatchObject({
      actorrole: 'discharge-team',
      actorsubject: 'test:discharge-team',
    });
    const onEquipment = onTopic(topics.agencyEvents('equipment'));
    expect(onEquipment.find((e) => e.type === 'uk.nhs.discharge.referral.accepted.v1')).toMatchObject({
      actorrole: 'agency',
      actoragency: 'equipment',
    });
    for (const agency of agencies.filter((a) => a !== 'acute-trust')) {
      for (const message of onTopic(topics.agencyEvents(agency))) {
        expect(message).not.toHaveProperty('actorsubject');
        expect(JSON.stringify(message)).not.toMatch(/test:discharge-team|equipment-system-7/);
      }
    }
  });

  it("an agency's HTTP view of a pathway is exactly the events its Kafka topic carries", async () => {
    for (const [agency, count] of [
      ['equipment', 2],
      ['intermediate-care', 1],
    ] as const) {
      const bearer = await system.token(`agency:${agency}`);
      const { status, body } = await system.callWith(bearer, 'GET', `/pathways/${id}`);
      expect(status).toBe(200);
      expect(body.events).toHaveLength(count);
      const kafka = await eventually(
        async () => onTopic(topics.agencyEvents(agency)),
        (messages) => messages.length >= body.events.length,
      );
      expect(body).toEqual({ view: 'agency', pathwayId: id, agency, events: kafka });
      // Minimised: no state, no other agency's referrals; the equipment service gets no NHS number or date of birth.
      expect(body).not.toHaveProperty('state');
      if (agency === 'equipment') {
        expect(JSON.stringify(body)).not.toContain(start.patient.dateOfBirth);
        expect(JSON.stringify(body)).not.toContain(start.patient.nhsNumber);
      }
      expect(
        body.events.every(
          (e: { data: { agency?: string } }) => e.data.agency === undefined || e.data.agency === agency,
        ),
      ).toBe(true);
      const timeline = await eventually(
        () => system.callWith(bearer, 'GET', `/pathways/${id}/timeline`),
        (r) => r.body.events?.length === kafka.length,
      );
      expect(timeline.body.events).toEqual(kafka);
    }
  });
});
