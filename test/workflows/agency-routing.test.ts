import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { agencies, topics } from '../../kafka/topics';
import type { Agency } from '../../schemas/common';
import { admission, nhsNumber } from '../support/fixtures';
import { TopicReader, type ReceivedMessage } from '../support/kafka';
import { PathwayTestEnv, type Pathway } from '../support/pathway-env';

// What each agency's topic on the real broker carries at the ends of a pathway the real workflow
// runs on the time-skipping server: weeks pass in seconds. Expected fields are written out here,
// not taken from the routing table.
let t: PathwayTestEnv;
let reader: TopicReader;
beforeAll(async () => {
  t = await PathwayTestEnv.create();
  reader = await new TopicReader(inject('kafkaBrokers')).start(agencies.map(topics.agencyEvents));
});
afterEach(async () => {
  await t?.endRunning();
});
afterAll(async () => {
  await reader?.stop();
  await t?.teardown();
});

const team = [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'care_manager' }, { role: 'patient' }];
const agreement = { patient: 'agrees' };
const patient = () => ({
  nhsNumber: nhsNumber(),
  name: 'Routing Patient',
  dateOfBirth: '1941-07-19',
  address: { line1: '3 Wharf Street', town: 'Leeds', postcode: 'LS2 7EQ' },
  housingStatus: 'settled' as const,
  gpPractice: 'B86002',
});

const short = (m: ReceivedMessage) =>
  String(m.value.type)
    .replace(/^uk\.nhs\.discharge\./, '')
    .replace(/\.v1$/, '');
/** One agency's messages for the pathway (schema-checked by the reader), once `count` have arrived. */
async function onTopic(pathway: Pathway, agency: Agency, count: number): Promise<ReceivedMessage[]> {
  await reader.waitFor(() => reader.of(topics.agencyEvents(agency), pathway.id).length >= count, 30_000);
  return reader.of(topics.agencyEvents(agency), pathway.id);
}
const data = (messages: ReceivedMessage[], type: string) => messages.find((m) => short(m) === type)?.value.data;

async function dischargedP1(start = admission({ patient: patient() })) {
  const pathway = await t.start(start);
  await pathway.command('discharge-ready', { date: await t.today() });
  await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['reablement'] });
  await pathway.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
  const dischargedOn = await t.today();
  await pathway.command('discharge', { date: dischargedOn, destination: 'usual-residence' });
  return { pathway, start, dischargedOn };
}

describe('agency topics at the ends of a pathway', () => {
  it('a handover to long-term services: social care and the GP get it with the patient fields each needs; reviews reach intermediate care only; CloudEvents headers on every message', async () => {
    const { pathway, start } = await dischargedP1();
    await t.sleep('7 days');
    await pathway.command('review', {
      outcome: 'needs_long_term_support',
      goals: ['walk to the shops'],
      remainingNeeds: ['domiciliary-care'],
    });
    const view = await pathway.view();
    const handover = view.state.referrals.find((r) => r.purpose === 'handover')!;
    expect(handover).toMatchObject({ agency: 'social-care', service: 'domiciliary-care' });
    await pathway.command('referral-response', {
      referralId: handover.referralId,
      agency: 'social-care',
      response: 'ready',
    });
    const result = await pathway.handle.result();
    expect(result.state.outcome).toMatchObject({ stage: 'handed_back', detail: 'long_term_services' });

    const { nhsNumber: nhs, name, dateOfBirth, address, gpPractice } = start.patient;
    const socialCare = await onTopic(pathway, 'social-care', 5);
    expect(socialCare.map(short)).toEqual([
      'handover.long_term_services',
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'pathway.handed_back',
    ]);
    // The latest picture goes with the handover (issue 24): social care gets the goals and the plan, no clinical notes.
    const picture = {
      latestReview: { goals: ['walk to the shops'], on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), reviewNumber: 1 },
      transitionPlan: ['domiciliary-care'],
    };
    expect(data(socialCare, 'handover.long_term_services')).toEqual({
      reason: 'long_term_needs',
      to: ['social-care', 'gp'],
      services: ['domiciliary-care'],
      patient: { nhsNumber: nhs, name, dateOfBirth, address },
      picture,
    });
    expect(data(socialCare, 'pathway.handed_back')).toEqual({ outcome: 'long_term_services' });

    const gp = await onTopic(pathway, 'gp', 5);
    expect(gp.map(short)).toEqual([
      'discharge.recorded',
      'intermediate_care.started',
      'handover.long_term_services',
      'intermediate_care.ended',
      'pathway.handed_back',
    ]);
    // The GP: identifiers and practice, never the address.
    // …and the GP's task (issue 24): update its care record, knowing who takes over.
    const task = {
      action: 'update_care_record_after_handover',
      services: [{ service: 'domiciliary-care', provider: 'social-care' }],
    };
    expect(data(gp, 'handover.long_term_services')).toEqual({
      reason: 'long_term_needs',
      to: ['social-care', 'gp'],
      services: ['domiciliary-care'],
      patient: { nhsNumber: nhs, name, dateOfBirth, gpPractice },
      picture,
      task,
    });

    await reader.waitFor(() =>
      reader.of(topics.agencyEvents('intermediate-care'), pathway.id).some((m) => short(m) === 'pathway.handed_back'),
    );
    const ic = reader.of(topics.agencyEvents('intermediate-care'), pathway.id);
    expect(ic.filter((m) => short(m) === 'review.recorded').map((m) => m.value.data)).toEqual([
      {
        outcome: 'needs_long_term_support',
        goals: ['walk to the shops'],
        reviewNumber: 1,
        nextReviewDue: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        remainingNeeds: ['domiciliary-care'],
      },
    ]);
    for (const agency of agencies.filter((a) => a !== 'intermediate-care' && a !== 'acute-trust')) {
      expect(
        reader.of(topics.agencyEvents(agency), pathway.id).filter((m) => short(m).startsWith('review.')),
        agency,
      ).toEqual([]);
    }

    const all = agencies.flatMap((agency) => reader.of(topics.agencyEvents(agency), pathway.id));
    for (const message of all) {
      expect(message.headers).toMatchObject({
        ce_id: String(message.value.id),
        ce_type: String(message.value.type),
        'content-type': 'application/cloudevents+json',
      });
      expect(message.value.id).toBe(`${pathway.id}/${String(message.value.sequence)}`);
    }
  });

  it('rules 6: an overdue review is chased to the provider naming the lead professional, and again a day later', async () => {
    const { pathway, dischargedOn } = await dischargedP1();
    await pathway.command('lead-professional', {
      scope: 'intermediate-care',
      role: 'occupational_therapist',
      team: 'Leeds reablement',
    });
    // The first review is due a week after the start, overdue from the next day, chased again a day later.
    await t.sleep('9 days');
    const chases = () =>
      reader.of(topics.agencyEvents('intermediate-care'), pathway.id).filter((m) => short(m) === 'review.overdue');
    await reader.waitFor(() => chases().length >= 2, 30_000);
    const overdue = chases();
    const dueOn = new Date(Date.parse(dischargedOn) + 7 * 86_400_000).toISOString().slice(0, 10);
    const lead = { role: 'occupational_therapist', team: 'Leeds reablement' };
    expect(overdue.map((m) => m.value.data)).toEqual([
      { dueOn, level: 1, leadProfessional: lead },
      { dueOn, level: 2, leadProfessional: lead },
    ]);
    // The review stops the chase.
    await pathway.command('review', { outcome: 'continue', goals: [] });
    expect((await pathway.view()).state.intermediateCare).toMatchObject({ reviews: 1, lead });
  });

  it('a readmission on day 3: intermediate care and the GP are told the day and date, the package is put on hold', async () => {
    const { pathway } = await dischargedP1();
    await t.sleep('3 days');
    const admittedOn = await t.today();
    await pathway.command('readmission', { newAdmissionId: 'RR3', admittedOn });
    expect((await pathway.handle.result()).stage).toBe('readmitted');

    const ic = await onTopic(pathway, 'intermediate-care', 9);
    expect(ic.map(short)).toEqual([
      'referral.requested',
      'referral.accepted',
      'referral.ready',
      'pathway.ready_for_discharge',
      'discharge.recorded',
      'intermediate_care.started',
      'referral.on_hold',
      'intermediate_care.ended',
      'pathway.readmitted',
    ]);
    expect(data(ic, 'referral.on_hold')).toEqual({
      referralId: 'ref-1',
      agency: 'intermediate-care',
      reason: 'readmitted',
    });
    expect(data(ic, 'pathway.readmitted')).toEqual({ admittedOn, dayOfWatch: 3 });
    const gp = await onTopic(pathway, 'gp', 4);
    expect(gp.map(short)).toEqual([
      'discharge.recorded',
      'intermediate_care.started',
      'intermediate_care.ended',
      'pathway.readmitted',
    ]);
    expect(data(gp, 'pathway.readmitted')).toEqual({ admittedOn, dayOfWatch: 3 });
  });

  it('a cancellation: the referred agency hears its package is on hold and why the pathway closed; the GP only that it closed', async () => {
    const pathway = await t.start(admission({ patient: patient() }));
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['equipment'] });
    await pathway.command('cancel', { reason: 'died' });
    expect((await pathway.handle.result()).stage).toBe('cancelled');

    const equipment = await onTopic(pathway, 'equipment', 3);
    expect(equipment.map(short)).toEqual(['referral.requested', 'referral.on_hold', 'pathway.cancelled']);
    expect(data(equipment, 'referral.on_hold')).toEqual({
      referralId: 'ref-1',
      agency: 'equipment',
      reason: 'cancelled',
    });
    expect(data(equipment, 'pathway.cancelled')).toEqual({ reason: 'died' });
    const gp = await onTopic(pathway, 'gp', 1);
    expect(gp.map(short)).toEqual(['pathway.cancelled']);
    expect(data(gp, 'pathway.cancelled')).toEqual({ reason: 'died' });
  });
});
