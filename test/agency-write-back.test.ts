import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { agencies, inboundTopics, topics } from '../kafka/topics';
import type { AgencyWriteBackCommand } from '../schemas/commands';
import type { Agency } from '../schemas/common';
import { startInboundBridges, type RunningBridges } from '../bridges/inbound';
import { admission, jointAssessment, nhsNumber } from './support/fixtures';
import { positionGroupAtEnd, TopicReader, type ReceivedMessage } from './support/kafka';
import { externalProducer } from './support/produce';
import { schemaChecked } from './support/agency-schemas';
import { exclusive } from './support/exclusive';
import { eventually, startSystem } from './support/system';

// The agencies that deliver the care write back (issue 24), on their own responses topics and over
// HTTP with their tokens, on the real broker, the real Temporal dev server and the real API.
let system: Awaited<ReturnType<typeof startSystem>>;
let bridges: RunningBridges;
let release: () => void;
let reader: TopicReader;
type Producer = Awaited<ReturnType<typeof externalProducer>>;
const producers = new Map<string, Promise<Producer>>();
const producerAs = (principal: string) => {
  if (!producers.has(principal)) producers.set(principal, externalProducer(principal));
  return producers.get(principal)!;
};

beforeAll(async () => {
  release = await exclusive('inbound-bridges');
  system = await startSystem();
  const groupId = `homeward-inbound-test-${randomUUID()}`;
  await positionGroupAtEnd(inject('kafkaBrokers'), groupId, inboundTopics());
  bridges = await startInboundBridges(system.config, pino({ level: 'silent' }), groupId);
  reader = await new TopicReader(inject('kafkaBrokers')).start([...agencies.map(topics.agencyEvents), topics.dlq]);
});
afterAll(async () => {
  await reader?.stop();
  for (const producer of producers.values()) await (await producer).close();
  await Promise.resolve(bridges?.stop()).finally(() => release?.());
  await system?.stop();
});

const today = () => new Date().toISOString().slice(0, 10);
const typeOf = (m: ReceivedMessage) =>
  String(m.value.type)
    .replace(/^uk\.nhs\.discharge\./, '')
    .replace(/\.v1$/, '');
const onTopic = (id: string, agency: Agency, type: string) =>
  reader.of(topics.agencyEvents(agency), id).filter((m) => typeOf(m) === type);
/** The agency's message on its own responses topic, which alone says who sent it. */
async function send(agency: Agency, pathwayId: string, message: Record<string, unknown>): Promise<string> {
  const messageId = randomUUID();
  await (
    await producerAs(`agency-${agency}`)
  ).send(topics.agencyResponses(agency), pathwayId, { messageId, pathwayId, ...message });
  return messageId;
}
const writeBack = (
  agency: Agency,
  pathwayId: string,
  command: AgencyWriteBackCommand,
  payload: Record<string, unknown>,
) => send(agency, pathwayId, { command, ...payload });
const answer = (agency: Agency, pathwayId: string, referralId: string, response: string) =>
  send(agency, pathwayId, { referralId, response });
const asAgency = async (agency: Agency, pathwayId: string, command: string, body: Record<string, unknown>) =>
  system.callWith(await system.token(`agency:${agency}`), 'POST', `/pathways/${pathwayId}/${command}`, {
    ...body,
    agency,
  });
const pathway = async (id: string) => (await system.call('GET', `/pathways/${id}`)).body;
const referralOf = async (id: string, service: string, purpose?: string) =>
  (await pathway(id)).state.referrals.find(
    (r: { service: string; purpose?: string }) => r.service === service && r.purpose === purpose,
  )?.referralId as string;

/** A homeless patient on P1 with reablement, equipment and home care, discharged today: intermediate care under way. */
async function inIntermediateCare(needs: string[]): Promise<string> {
  const start = admission({
    patient: { ...admission().patient, nhsNumber: nhsNumber(), housingStatus: 'homeless', gpPractice: 'B86001' },
    consents: ['housing'],
  });
  const id = `pathway-${start.admissionId}`;
  await system.call('POST', '/pathways', start);
  await system.call('POST', `/pathways/${id}/discharge-ready`, { date: today() });
  await system.call('POST', `/pathways/${id}/assessment`, {
    ...jointAssessment,
    pathway: 'P1',
    needs,
    summary: { functionalNeeds: ['Walks to the shop with a frame'], clinical: ['Warfarin'] },
  });
  for (const r of (await pathway(id)).state.referrals) await answer(r.agency, id, r.referralId, 'ready');
  await eventually(
    () => pathway(id),
    (p) => p.stage === 'ready_for_discharge',
  );
  await system.call('POST', `/pathways/${id}/discharge`, { date: today(), destination: 'temporary-accommodation' });
  await eventually(
    () => pathway(id),
    (p) => p.stage === 'intermediate_care',
  );
  return id;
}

describe('agency write-back over Kafka and HTTP', () => {
  it('each agency acts on its own referral or episode; another agency is refused exactly as for an unknown one', async () => {
    const id = await inIntermediateCare(['reablement', 'equipment', 'domiciliary-care']);
    const [equipmentRef, homeCare, housing] = [
      await referralOf(id, 'equipment'),
      await referralOf(id, 'domiciliary-care'),
      await referralOf(id, 'housing'),
    ];
    const day = today();
    const needsNow = { functionalNeeds: ['Needs help to wash'] };

    // Each command for the agency's own, on its topic: echoed back on its events topic.
    await writeBack('intermediate-care', id, 'episode-review', {
      outcome: 'continue',
      goals: ['Walk to the shop'],
      needsNow,
    });
    await writeBack('intermediate-care', id, 'transition-plan', { remainingNeeds: ['domiciliary-care'] });
    await writeBack('social-care', id, 'funding-decision', {
      referralId: homeCare,
      payer: 'council',
      charging: 'means_tested',
      financialAssessment: 'complete',
      chargesFrom: day,
    });
    await writeBack('equipment', id, 'support-started', { referralId: equipmentRef, startedOn: day });
    await writeBack('social-care', id, 'support-not-started', {
      referralId: homeCare,
      dueOn: day,
      reason: 'no_access',
    });
    await writeBack('housing', id, 'housing-outcome', {
      referralId: housing,
      outcome: 'accommodation_secured',
      on: day,
    });
    // After the missed visit, social care moves its start to tomorrow (the patient's plan shows the new day).
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await writeBack('social-care', id, 'start-date-moved', { referralId: homeCare, readyFrom: tomorrow });
    const echoes: [Agency, string][] = [
      ['intermediate-care', 'review.recorded'],
      ['intermediate-care', 'transition_plan.proposed'],
      ['social-care', 'funding.recorded'],
      ['equipment', 'support.started'],
      ['social-care', 'support.not_started'],
      ['housing', 'housing_outcome.recorded'],
    ];
    await reader.waitFor(() => echoes.every(([agency, type]) => onTopic(id, agency, type).length > 0));
    expect(schemaChecked(onTopic(id, 'intermediate-care', 'review.recorded'))[0].value.data).toMatchObject({
      reviewNumber: 1,
      goals: ['Walk to the shop'],
      needsNow,
    });
    expect(onTopic(id, 'equipment', 'support.started')[0].value.data).toEqual({
      referralId: equipmentRef,
      agency: 'equipment',
      service: 'equipment',
      startedOn: day,
    });
    await reader.waitFor(() =>
      onTopic(id, 'social-care', 'referral.ready').some(
        (m) => (m.value.data as { movedFrom?: string }).movedFrom !== undefined,
      ),
    );
    const moved = schemaChecked(onTopic(id, 'social-care', 'referral.ready')).find(
      (m) => (m.value.data as { movedFrom?: string }).movedFrom !== undefined,
    )!;
    expect(moved.value.data).toMatchObject({ referralId: homeCare, readyFrom: tomorrow, movedFrom: day });
    // The missed first visit reaches the discharge team (the trust's topic) the day it is reported.
    await reader.waitFor(() => onTopic(id, 'acute-trust', 'support.not_started').length > 0);
    expect(onTopic(id, 'acute-trust', 'support.not_started')[0].value.data).toEqual({
      referralId: homeCare,
      agency: 'social-care',
      service: 'domiciliary-care',
      dueOn: day,
      reason: 'no_access',
    });
    for (const [agency, type] of echoes) schemaChecked(onTopic(id, agency, type));
    // Who wrote what: the timeline names each agency's Kafka principal.
    const timeline = (await pathway(id)).timeline as {
      event: { type: string; movedFrom?: string };
      actor?: { agency?: string };
    }[];
    expect(timeline.find((e) => e.event.type === 'housing_outcome.recorded')?.actor).toMatchObject({
      role: 'agency',
      agency: 'housing',
    });
    expect(timeline.find((e) => e.event.type === 'referral.ready' && e.event.movedFrom)?.actor).toMatchObject({
      role: 'agency',
      agency: 'social-care',
    });

    // Another agency's, over HTTP with its token: 409, the same as an unknown referral or no episode.
    const refusals: [Agency, AgencyWriteBackCommand, Record<string, unknown>][] = [
      ['equipment', 'episode-review', { outcome: 'continue', goals: [] }],
      ['equipment', 'transition-plan', { remainingNeeds: [] }],
      [
        'housing',
        'funding-decision',
        { referralId: homeCare, payer: 'council', charging: 'free', financialAssessment: 'not_needed' },
      ],
      ['social-care', 'support-started', { referralId: equipmentRef, startedOn: day }],
      ['housing', 'support-not-started', { referralId: equipmentRef, dueOn: day, reason: 'other' }],
      ['social-care', 'housing-outcome', { referralId: housing, outcome: 'accommodation_secured', on: day }],
      ['housing', 'start-date-moved', { referralId: homeCare, readyFrom: tomorrow }],
    ];
    for (const [agency, command, payload] of refusals) {
      const refused = await asAgency(agency, id, command, payload);
      const unknown = await asAgency(
        agency,
        id,
        command,
        'referralId' in payload ? { ...payload, referralId: 'ref-99' } : payload,
      );
      expect(refused.status, `${agency} ${command}`).toBe(409);
      expect(refused.body.error).toBe('referralId' in payload ? 'unknown_referral' : 'unknown_episode');
      expect(refused.body.message.replace(String(payload.referralId), 'ref-99')).toBe(unknown.body.message);
    }
    // An agency not referred on the pathway does not learn it exists; one naming another agency is forbidden.
    expect(
      (await asAgency('care-home', id, 'support-started', { referralId: equipmentRef, startedOn: day })).status,
    ).toBe(404);
    expect(
      (
        await system.callWith(await system.token('agency:equipment'), 'POST', `/pathways/${id}/support-started`, {
          referralId: equipmentRef,
          agency: 'social-care',
          startedOn: day,
        })
      ).status,
    ).toBe(403);
    // The agency's own, over HTTP: a second review.
    const second = await asAgency('intermediate-care', id, 'episode-review', { outcome: 'continue', goals: [] });
    expect(second.status).toBe(200);

    // … and on Kafka: the DLQ, and a rejection on the sender's own topic.
    const sent = new Map<string, string>();
    for (const [agency, command, payload] of refusals)
      sent.set(await writeBack(agency, id, command, payload), `${agency} ${command}`);
    const rejected = await reader.waitFor(
      (all) =>
        all.filter((m) => m.value.type === 'uk.nhs.discharge.response.rejected.v1' && sent.has(String(m.key))).length >=
        refusals.length,
    );
    for (const m of rejected.filter(
      (r) => r.value.type === 'uk.nhs.discharge.response.rejected.v1' && sent.has(String(r.key)),
    )) {
      const [agency] = sent.get(String(m.key))!.split(' ');
      expect(m.topic, sent.get(String(m.key))).toBe(topics.agencyEvents(agency as Agency));
      expect(String((m.value.data as { reason: string }).reason)).toMatch(
        /^unknown_(referral: referralId: no referral ref-\d+ of yours|episode: no intermediate-care episode of yours)/,
      );
    }
    await reader.waitFor(
      (all) => all.filter((m) => m.topic === topics.dlq && m.value.key === id).length >= refusals.length,
    );
    // Nothing another agency sent was recorded.
    const after = (await pathway(id)).timeline as { event: { type: string } }[];
    expect(after.filter((e) => e.event.type === 'review.recorded')).toHaveLength(2);
    expect(
      after.filter((e) =>
        [
          'support.started',
          'support.not_started',
          'housing_outcome.recorded',
          'funding.recorded',
          'transition_plan.proposed',
        ].includes(e.event.type),
      ),
    ).toHaveLength(5);
    // A message delivered twice is ignored, not rejected.
    const before = bridges.consumer.stats.duplicate;
    await writeBack('equipment', id, 'support-started', { referralId: equipmentRef, startedOn: day });
    await eventually(
      async () => bridges.consumer.stats.duplicate,
      (n) => n > before,
    );
  });

  it('an episode review delivered twice (one message id) is recorded once; another message is another review', async () => {
    const id = await inIntermediateCare(['reablement']);
    const reviews = async () =>
      ((await pathway(id)).timeline as { event: { type: string } }[]).filter((e) => e.event.type === 'review.recorded')
        .length;
    const review = {
      command: 'episode-review',
      messageId: `review-${randomUUID()}`,
      outcome: 'continue',
      goals: ['Walk to the shop'],
    };
    await send('intermediate-care', id, review);
    await eventually(reviews, (n) => n === 1);
    await send('intermediate-care', id, review);
    // One partition per pathway, in order: once a later message's review is recorded, the repeat has been handled.
    await send('intermediate-care', id, {
      ...review,
      messageId: `review-${randomUUID()}`,
      goals: ['Walk to the park'],
    });
    await eventually(reviews, (n) => n >= 2);
    const recorded = ((await pathway(id)).timeline as { event: { type: string; goals?: string[] } }[]).filter(
      (e) => e.event.type === 'review.recorded',
    );
    expect(recorded.map((e) => e.event.goals)).toEqual([['Walk to the shop'], ['Walk to the park']]);
    // Nothing was refused: the repeat is no error for the agency.
    expect(
      reader
        .of(topics.agencyEvents('intermediate-care'), id)
        .filter((m) => m.value.type === 'uk.nhs.discharge.response.rejected.v1'),
    ).toEqual([]);
  });

  it('social care declines the handover: listed as handover declined until the discharge team extends the episode with a reason; the provider and the GP are told', async () => {
    const id = await inIntermediateCare(['reablement']);
    await writeBack('intermediate-care', id, 'episode-review', {
      outcome: 'needs_long_term_support',
      goals: [],
      remainingNeeds: ['domiciliary-care'],
    });
    await reader.waitFor(() => onTopic(id, 'social-care', 'referral.requested').length === 1);
    const handover = onTopic(id, 'social-care', 'referral.requested')[0].value.data as { referralId: string };
    await send('social-care', id, {
      referralId: handover.referralId,
      response: 'declined',
      reason: 'No capacity this month',
    });
    const declinedList = async () =>
      (
        (await system.call('GET', '/pathways?handoverDeclined=true&limit=1000')).body.pathways as {
          pathwayId: string;
        }[]
      ).map((p) => p.pathwayId);
    await eventually(declinedList, (ids) => ids.includes(id), 30_000);

    const until = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const extended = await system.call('POST', `/pathways/${id}/extend-episode`, {
      until,
      reason: 'handover_declined',
    });
    expect(extended.status).toBe(200);
    expect((await pathway(id)).state.intermediateCare).toMatchObject({ endBy: until });
    await eventually(declinedList, (ids) => !ids.includes(id), 30_000);
    await reader.waitFor(
      () =>
        onTopic(id, 'intermediate-care', 'intermediate_care.extended').length === 1 &&
        onTopic(id, 'gp', 'intermediate_care.extended').length === 1,
    );
    expect(schemaChecked(onTopic(id, 'gp', 'intermediate_care.extended'))[0].value.data).toEqual({
      until,
      reason: 'handover_declined',
    });
    // An agency may not extend the episode: the discharge team's choice.
    expect(
      (await asAgency('intermediate-care', id, 'extend-episode', { until, reason: 'handover_declined' })).status,
    ).toBe(403);
  });

  it("P1 lifecycle: two reviews over Kafka, social care funds and accepts the handover; its and the GP's messages carry the latest review and the funding, field by field", async () => {
    const id = await inIntermediateCare(['reablement']);
    const day = today();
    await system.call('POST', `/pathways/${id}/lead-professional`, {
      scope: 'intermediate-care',
      role: 'occupational_therapist',
      team: 'Leeds reablement',
    });
    const first = { functionalNeeds: ['Walks indoors with a frame'], risks: ['Falls'] };
    const latest = {
      functionalNeeds: ['Needs help to wash and dress'],
      risks: ['Falls on the stairs'],
      clinical: ['Pressure area care'],
    };
    await writeBack('intermediate-care', id, 'episode-review', {
      outcome: 'continue',
      goals: ['Walk to the shop'],
      needsNow: first,
    });
    await reader.waitFor(() => onTopic(id, 'intermediate-care', 'review.recorded').length === 1);
    await writeBack('intermediate-care', id, 'episode-review', {
      outcome: 'needs_long_term_support',
      goals: ['Stay at home'],
      needsNow: latest,
      remainingNeeds: ['domiciliary-care'],
    });
    await reader.waitFor(
      () =>
        onTopic(id, 'social-care', 'referral.requested').length === 1 &&
        onTopic(id, 'gp', 'handover.long_term_services').length === 1,
    );

    const review = { reviewNumber: 2, on: day, goals: ['Stay at home'] };
    const lead = { role: 'occupational_therapist', team: 'Leeds reablement' };
    const [handoverReferral] = schemaChecked(onTopic(id, 'social-care', 'referral.requested'));
    const referral = handoverReferral.value.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(referral.purpose).toBe('handover');
    expect(referral.service).toBe('domiciliary-care');
    // Social care sees the latest review's needs it may see: never the clinical detail.
    expect(referral.picture.latestReview).toEqual({
      ...review,
      needsNow: { functionalNeeds: latest.functionalNeeds, risks: latest.risks },
    });
    expect(referral.picture.transitionPlan).toEqual(['domiciliary-care']);
    expect(referral.picture.leadProfessional).toEqual(lead);
    expect(referral.picture.funding).toEqual([
      {
        referralId: referral.referralId,
        service: 'domiciliary-care',
        agency: 'social-care',
        payer: 'council',
        charging: 'means_tested',
        financialAssessment: 'pending',
      },
    ]);
    const [gpHandover] = schemaChecked(onTopic(id, 'gp', 'handover.long_term_services'));
    const gpPicture = (gpHandover.value.data as { picture: Record<string, unknown> }).picture;
    expect(gpPicture.latestReview).toEqual({ ...review, needsNow: latest });
    expect(gpPicture.transitionPlan).toEqual(['domiciliary-care']);
    expect(gpPicture.leadProfessional).toEqual(lead);
    // The GP is named in the handover: its task, each service taking over with its provider, and whom to contact.
    expect((gpHandover.value.data as { task: unknown }).task).toEqual({
      action: 'update_care_record_after_handover',
      services: [{ service: 'domiciliary-care', provider: 'social-care' }],
      leadProfessional: lead,
    });
    // Its discharge summary, days before: dates, where and how, each service ready with its provider and start.
    const [gpDischarge] = schemaChecked(onTopic(id, 'gp', 'discharge.recorded'));
    const summary = (gpDischarge.value.data as { summary: { services: unknown[] } }).summary;
    expect(summary).toMatchObject({
      dischargedOn: day,
      destination: 'temporary-accommodation',
      pathway: 'P1',
      admittedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(summary.services).toContainEqual({ service: 'reablement', provider: 'intermediate-care', from: day });
    expect(JSON.stringify(summary)).not.toContain('Warfarin');

    // Social care's financial assessment and decision, then its acceptance: the handover completes today.
    const funding = { payer: 'council', charging: 'means_tested', financialAssessment: 'complete', chargesFrom: day };
    await writeBack('social-care', id, 'funding-decision', { referralId: referral.referralId, ...funding });
    await answer('social-care', id, referral.referralId, 'accepted');
    await answer('social-care', id, referral.referralId, 'ready');
    await reader.waitFor(
      () =>
        onTopic(id, 'gp', 'intermediate_care.ended').length === 1 &&
        onTopic(id, 'social-care', 'funding.recorded').length === 1,
    );
    expect(schemaChecked(onTopic(id, 'social-care', 'funding.recorded'))[0].value.data).toEqual({
      referralId: referral.referralId,
      agency: 'social-care',
      service: 'domiciliary-care',
      ...funding,
    });
    const [ended] = schemaChecked(onTopic(id, 'gp', 'intermediate_care.ended'));
    const endedData = ended.value.data as { reason: string; picture: Record<string, unknown> };
    expect(endedData.reason).toBe('long_term_needs');
    expect(endedData.picture.funding).toEqual([
      { referralId: referral.referralId, service: 'domiciliary-care', agency: 'social-care', ...funding },
    ]);
    expect(endedData.picture.latestReview).toEqual({ ...review, needsNow: latest });
    // The provider hears of the end without the others' funding.
    await reader.waitFor(() => onTopic(id, 'intermediate-care', 'intermediate_care.ended').length === 1);
    expect(onTopic(id, 'intermediate-care', 'intermediate_care.ended')[0].value.data).not.toHaveProperty('picture');
    // Over HTTP, social care sees exactly what its topic carried.
    const view = await system.callWith(await system.token('agency:social-care'), 'GET', `/pathways/${id}`);
    expect(view.body.events.find((e: { type: string }) => e.type.includes('referral.requested'))?.data).toEqual(
      referral,
    );

    // The GP, never referred, reads the pathways it was told of with its own token: this one, as its topic carried it.
    const gp = await system.token('agency:gp');
    const gpView = await system.callWith(gp, 'GET', `/pathways/${id}`);
    expect(gpView.status).toBe(200);
    const gpTopic = reader.of(topics.agencyEvents('gp'), id).map((m) => ({ id: m.value.id, data: m.value.data }));
    expect(gpView.body.events.map((e: { id: string; data: unknown }) => ({ id: e.id, data: e.data }))).toEqual(gpTopic);
    const gpTimeline = await eventually(
      () => system.callWith(gp, 'GET', `/pathways/${id}/timeline`),
      (r) => r.status === 200 && r.body.events.length === gpTopic.length,
    );
    expect(gpTimeline.body.events.map((e: { id: string }) => e.id)).toEqual(gpTopic.map((e) => e.id));
    const listed = await eventually(
      () => system.callWith(gp, 'GET', '/pathways?status=all&limit=1000'),
      (r) => r.body.pathways?.some((p: { pathwayId: string }) => p.pathwayId === id),
    );
    expect(listed.status).toBe(200);
    // A stay still in hospital has told the GP nothing: not found, and not listed.
    const unknown = admission({ patient: { ...admission().patient, nhsNumber: nhsNumber() } });
    await system.call('POST', '/pathways', unknown);
    expect((await system.callWith(gp, 'GET', `/pathways/pathway-${unknown.admissionId}`)).status).toBe(404);
    // Once the read model holds it (the discharge team reads its timeline there), the GP's timeline and list still lack it.
    await eventually(
      () => system.call('GET', `/pathways/pathway-${unknown.admissionId}/timeline`),
      (r) => r.status === 200,
    );
    expect((await system.callWith(gp, 'GET', `/pathways/pathway-${unknown.admissionId}/timeline`)).status).toBe(404);
    const relisted = await system.callWith(gp, 'GET', '/pathways?status=all&limit=1000');
    expect(relisted.body.pathways.map((p: { pathwayId: string }) => p.pathwayId)).toContain(id);
    expect(relisted.body.pathways.map((p: { pathwayId: string }) => p.pathwayId)).not.toContain(
      `pathway-${unknown.admissionId}`,
    );
  });
});
