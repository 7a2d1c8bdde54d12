import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../domain';
import { topics } from '../../kafka/topics';
import { admission } from '../support/fixtures';
import { TopicReader } from '../support/kafka';
import { eventually } from '../support/system';
import { inject } from 'vitest';
import { PathwayTestEnv, type Pathway } from '../support/pathway-env';

// Complete pathways on the real time-skipping test server: six weeks and 30 days pass in seconds.
let t: PathwayTestEnv;
beforeAll(async () => {
  t = await PathwayTestEnv.create();
});
afterEach(async () => {
  await t?.endRunning();
});
afterAll(async () => {
  await t?.teardown();
});

const team = [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'care_manager' }, { role: 'patient' }];
const agreement = { patient: 'agrees' };

async function readyP1(needs = ['reablement']): Promise<Pathway> {
  const pathway = await t.start();
  await pathway.command('discharge-ready', { date: await t.today() });
  await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs });
  const view = await pathway.view();
  for (const referral of view.state.referrals) {
    await pathway.command('referral-response', {
      referralId: referral.referralId,
      agency: referral.agency,
      response: 'ready',
    });
  }
  return pathway;
}

/** Home (rules 4): the discharge, then community health answers the welfare check it raised that day. */
async function dischargedHome(pathway: Pathway, body: Record<string, unknown> = {}): Promise<void> {
  await pathway.command('discharge', { date: await t.today(), destination: 'usual-residence', ...body });
  const check = (await pathway.view()).state.referrals.find((r) => r.service === 'welfare-check')!;
  await pathway.command(
    'referral-response',
    { referralId: check.referralId, agency: 'community-health', response: 'ready' },
    { subject: 'ch-system', role: 'agency', agency: 'community-health' },
  );
}

/** From a discharge home to the handback: the welfare check that day (rules 4), answered, then the watch's end. */
const homeThenHandedBack = [
  'discharge.recorded',
  'readmission_watch.started',
  'referral.requested',
  'referral.accepted',
  'referral.ready',
  'readmission_watch.expired',
  'pathway.handed_back',
];

async function rejection(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  return cause;
}

describe('dischargePathway workflow (time-skipping)', () => {
  it('P0: home with no new support, handed back when the 30-day watch ends', async () => {
    const pathway = await t.start();
    await pathway.command('discharge-ready', { date: await t.today() });
    const assessed = await pathway.command('assessment', { participants: team, agreement, pathway: 'P0', needs: [] });
    expect(assessed.stage).toBe('ready_for_discharge');
    await dischargedHome(pathway);
    expect((await pathway.view()).stage).toBe('readmission_watch');
    await t.sleep('29 days');
    expect((await pathway.view()).stage).toBe('readmission_watch');
    const result = await pathway.handle.result();
    expect(result.stage).toBe('handed_back');
    expect(result.state.outcome).toMatchObject({ detail: 'home' });
    expect(result.timeline.map((e) => e.event.type)).toEqual([
      'pathway.started',
      'discharge_ready.recorded',
      'assessment.completed',
      'pathway.ready_for_discharge',
      ...homeThenHandedBack,
    ]);
    expect(result.published).toBe(result.timeline.length);
  });

  it('P1 with goals met in week 3: intermediate care ends early, handback after the watch', async () => {
    const pathway = await readyP1();
    await dischargedHome(pathway);
    expect((await pathway.view()).stage).toBe('intermediate_care');
    await t.sleep('7 days');
    await pathway.command('review', { outcome: 'continue', goals: ['make a hot drink'] });
    await t.sleep('7 days');
    await pathway.command('review', { outcome: 'continue' });
    await t.sleep('5 days');
    const ended = await pathway.command('review', { outcome: 'goals_met' });
    expect(ended.stage).toBe('readmission_watch');
    const result = await pathway.handle.result();
    expect(result.stage).toBe('handed_back');
    expect(result.state.intermediateCare?.ended?.reason).toBe('goals_met');
    const types = result.timeline.map((e) => e.event.type);
    expect(types.filter((type) => type === 'review.recorded')).toHaveLength(3);
    expect(types).not.toContain('review.overdue');
    expect(types.slice(-2)).toEqual(['readmission_watch.expired', 'pathway.handed_back']);
  });

  it('P1 with home care and district nursing only: packages, no intermediate care, handed back after the watch', async () => {
    const pathway = await readyP1(['domiciliary-care', 'district-nursing']);
    await dischargedHome(pathway);
    expect((await pathway.view()).stage).toBe('readmission_watch');
    const result = await pathway.handle.result();
    expect(result.state.intermediateCare).toBeUndefined();
    expect(result.state.outcome).toMatchObject({ stage: 'handed_back', detail: 'home' });
    expect(result.timeline.map((e) => e.event.type).slice(-7)).toEqual(homeThenHandedBack);
  });

  it("rules 6: home care from the day after tomorrow: the workflow's timer reminds the patient at the start of the day before, once", async () => {
    const pathway = await t.start();
    await pathway.command('discharge-ready', { date: await t.today() });
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['domiciliary-care'] });
    const [homeCare] = (await pathway.view()).state.referrals;
    const firstVisit = await t.today(2);
    const dayBefore = await t.today(1);
    await pathway.command('referral-response', {
      referralId: homeCare.referralId,
      agency: homeCare.agency,
      response: 'ready',
      readyFrom: firstVisit,
    });
    await dischargedHome(pathway, { bridge: { by: 'family', until: dayBefore } });
    const reminders = async () =>
      (await pathway.view()).timeline.filter((e) => e.event.type === 'support.first_visit_due');
    expect(await reminders()).toEqual([]);
    await t.sleep('2 days');
    const [reminder, ...more] = await eventually(reminders, (found) => found.length > 0);
    expect(more).toEqual([]);
    expect(reminder.event).toMatchObject({
      type: 'support.first_visit_due',
      referralId: homeCare.referralId,
      on: firstVisit,
    });
    expect(reminder.event.at.slice(0, 10)).toBe(dayBefore);
  });

  it('reablement starts on its readyFrom; at six weeks it hands over to social care, which accepts late: the episode stays open, escalates, then the pathway is handed back', async () => {
    const pathway = await t.start();
    await pathway.command('discharge-ready', { date: await t.today() });
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['reablement'] });
    const startsOn = await t.today(3);
    await pathway.command('referral-response', {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'ready',
      readyFrom: startsOn,
    });
    // Home three days before reablement starts: the family bridges the gap (rules 4).
    await dischargedHome(pathway, { bridge: { by: 'family', until: await t.today(2) } });
    expect((await pathway.view()).stage).toBe('readmission_watch');
    await t.sleep('3 days');
    const started = await eventually(
      () => pathway.view(),
      (v) => v.stage === 'intermediate_care',
    );
    expect(started.state.intermediateCare).toMatchObject({ startDate: startsOn, services: ['reablement'] });
    for (let week = 1; week <= 5; week++) {
      await t.sleep('7 days');
      await pathway.command('review', { outcome: 'continue' });
    }
    // Past the six-week limit: the handover to long-term social care is requested and escalates unanswered.
    await t.sleep('7 days');
    await t.sleep('2 days');
    const awaiting = await pathway.view();
    expect(awaiting.stage).toBe('intermediate_care');
    expect(awaiting.state.intermediateCare?.awaitingHandover).toMatchObject({
      reason: 'six_week_limit',
      services: ['domiciliary-care'],
    });
    expect(awaiting.awaitingAgencies).toEqual(['social-care']);
    const handover = awaiting.state.referrals.find((r) => r.purpose === 'handover')!;
    expect(handover).toMatchObject({ agency: 'social-care', status: 'requested' });
    expect(awaiting.timeline.filter((e) => e.event.type === 'referral.escalated').map((e) => e.event)).toMatchObject([
      { referralId: handover.referralId, kind: 'acceptance', level: 1 },
    ]);
    await pathway.command(
      'referral-response',
      { referralId: handover.referralId, agency: 'social-care', response: 'accepted' },
      { subject: 'sc-system', role: 'agency', agency: 'social-care' },
    );
    await pathway.command(
      'referral-response',
      { referralId: handover.referralId, agency: 'social-care', response: 'ready' },
      { subject: 'sc-system', role: 'agency', agency: 'social-care' },
    );
    const result = await pathway.handle.result();
    const types = result.timeline.map((e) => e.event.type);
    expect(types.slice(-3)).toEqual(['referral.ready', 'intermediate_care.ended', 'pathway.handed_back']);
    expect(result.state.intermediateCare?.ended?.reason).toBe('six_week_limit');
    expect(result.state.outcome?.detail).toBe('long_term_services');
    // The watch (days 0–29) expired while intermediate care went on.
    expect(types.indexOf('readmission_watch.expired')).toBeLessThan(types.indexOf('handover.long_term_services'));
  });

  it('P2: a step-down bed that must be ready within 2 days, then community-bed recovery', async () => {
    const pathway = await t.start();
    await pathway.command('discharge-ready', { date: await t.today() });
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P2', needs: ['step-down-bed'] });
    await pathway.command('referral-response', {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'accepted',
    });
    await t.sleep('2 days');
    const stuck = await pathway.view();
    expect(stuck.timeline.map((e) => e.event.type)).toContain('referral.escalated');
    expect(stuck.state.referrals[0]).toMatchObject({ status: 'accepted', escalated: { readiness: 1 } });
    // Nobody gave a command: the timeline says a timer did it.
    expect(stuck.timeline.find((e) => e.event.type === 'referral.escalated')?.actor).toEqual({
      subject: 'timer',
      role: 'system',
    });
    await pathway.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
    await pathway.command('discharge', { date: await t.today(), destination: 'community-bed' });
    await t.sleep('10 days');
    await pathway.command('review', { outcome: 'goals_met' });
    const result = await pathway.handle.result();
    expect(result.stage).toBe('handed_back');
    expect(result.state.discharge).toMatchObject({ destination: 'community-bed', daysDelayed: 2 });
  });

  it('P3 for a patient who lacks capacity: a best-interests decision with the attorney, who consents; care-home placement, handed back with outcome care home', async () => {
    const pathway = await t.start(admission({ consents: [] }));
    await pathway.command('assessment', {
      participants: [{ role: 'social_worker' }, { role: 'nurse' }, { role: 'carer' }],
      patientAbsent: 'lacks_capacity',
      bestInterests: {
        representative: { role: 'attorney', name: 'Attorney Name' },
        decidedBy: 'social_worker',
        consulted: [{ relationship: 'family', name: 'Daughter Name' }],
      },
      agreement: { patient: 'agrees', family: 'agrees' },
      pathway: 'P3',
      needs: ['care-home-placement'],
    });
    const refused = await rejection(pathway.command('consent', { agency: 'care-home', given: true, givenBy: 'carer' }));
    expect(refused.message).toMatch(/a carer cannot consent/);
    await pathway.command('consent', { agency: 'care-home', given: true, givenBy: 'attorney' });
    await pathway.command('referral-response', { referralId: 'ref-1', agency: 'care-home', response: 'ready' });
    await pathway.command('discharge', { date: await t.today(), destination: 'care-home' });
    const result = await pathway.handle.result();
    expect(result.state.intermediateCare).toBeUndefined();
    expect(result.state.outcome?.detail).toBe('care_home');
  });

  it('a readmission on day 29 counts: packages on hold and the pathway closes as readmitted', async () => {
    const pathway = await readyP1();
    await dischargedHome(pathway);
    await t.sleep('29 days');
    const outcome = await pathway.command('readmission', { newAdmissionId: 'R29', admittedOn: await t.today() });
    // Reablement and the welfare check (rules 4).
    expect(outcome.events.map((e) => e.type)).toEqual([
      'referral.on_hold',
      'referral.on_hold',
      'intermediate_care.ended',
      'pathway.readmitted',
    ]);
    const result = await pathway.handle.result();
    expect(result.stage).toBe('readmitted');
    expect(result.state.readmission).toEqual({ newAdmissionId: 'R29', linkedPathwayId: 'pathway-R29' });
  });

  it('a readmission on day 30 does not count: the watch has ended', async () => {
    const pathway = await readyP1();
    await pathway.command('discharge', { date: await t.today(), destination: 'usual-residence' });
    await t.sleep('30 days');
    const cause = await rejection(
      pathway.command('readmission', { newAdmissionId: 'R30', admittedOn: await t.today() }),
    );
    expect(cause.type).toBe('CommandRejected');
    expect(cause.message).toMatch(/watch has ended/);
    expect((await pathway.view()).stage).toBe('intermediate_care');
  });

  it('a declined referral needs a re-referral before discharge', async () => {
    const pathway = await t.start();
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['domiciliary-care'] });
    await pathway.command('referral-response', {
      referralId: 'ref-1',
      agency: 'social-care',
      response: 'declined',
      reason: 'no capacity',
    });
    const blocked = await rejection(
      pathway.command('discharge', { date: await t.today(), destination: 'usual-residence' }),
    );
    expect(blocked.message).toMatch(/needs without a live referral: domiciliary-care/);
    const rereferral = await pathway.command('referral', { service: 'domiciliary-care', reason: 're-referral' });
    expect(rereferral.events).toEqual([{ sequence: expect.any(Number), type: 'referral.requested' }]);
    const ready = await pathway.command('referral-response', {
      referralId: 'ref-2',
      agency: 'social-care',
      response: 'ready',
    });
    expect(ready.stage).toBe('ready_for_discharge');
  });

  it("a new pathway runs under rules 6 (which keep rules 3's): meeting the criteria to reside again while ready stops the discharge until a new DRD, dated no earlier than the clearing", async () => {
    const pathway = await readyP1();
    expect((await pathway.view()).state.rules).toBe(6);
    const cleared = await pathway.command('criteria-to-reside-met', {});
    expect(cleared).toMatchObject({ stage: 'arranging', events: [{ type: 'discharge_ready.cleared' }] });
    const today = await t.today();
    const blocked = await rejection(pathway.command('discharge', { date: today, destination: 'usual-residence' }));
    expect(blocked.message).toMatch(/the patient meets the criteria to reside again/);
    const early = await rejection(pathway.command('discharge-ready', { date: await t.today(-1) }));
    expect(early.message).toContain(`is before ${today}, when the previous one`);
    const again = await pathway.command('discharge-ready', { date: today });
    expect(again.stage).toBe('ready_for_discharge');
    await pathway.command('cancel', { reason: 'other' });
    expect((await pathway.handle.result()).stage).toBe('cancelled');
  });

  it('an SLA breach escalates, escalates again a day later, and stops once resolved', async () => {
    const pathway = await t.start();
    await pathway.command('discharge-ready', { date: await t.today() });
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['equipment'] });
    await t.sleep('25 hours');
    await t.sleep('24 hours');
    let view = await pathway.view();
    const escalations = () => view.timeline.filter((e) => e.event.type === 'referral.escalated').map((e) => e.event);
    expect(escalations()).toMatchObject([{ level: 1, agency: 'equipment', kind: 'acceptance' }, { level: 2 }]);
    expect(view.state.referrals[0].overdueSince).toBeDefined();
    await pathway.command('referral-response', { referralId: 'ref-1', agency: 'equipment', response: 'ready' });
    await t.sleep('3 days');
    view = await pathway.view();
    expect(escalations()).toHaveLength(2);
    expect(view.stage).toBe('ready_for_discharge');
  });

  it('cancellation closes the pathway at once', async () => {
    const pathway = await t.start();
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['reablement'] });
    await pathway.command('cancel', { reason: 'transferred' });
    const result = await pathway.handle.result();
    expect(result.stage).toBe('cancelled');
    expect(result.timeline.map((e) => e.event.type).slice(-2)).toEqual(['referral.on_hold', 'pathway.cancelled']);
  });

  it('Scotland/Wales policies are honoured by the timers (a 28-day limit ends intermediate care earlier)', async () => {
    const pathway = await t.start(admission(), {
      policy: resolvePolicy('wales', { intermediateCareMaxDays: 28, readmissionWatchDays: 14 }),
    });
    await pathway.command('assessment', { participants: team, agreement, pathway: 'P1', needs: ['reablement'] });
    await pathway.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
    const discharged = await t.today();
    await pathway.command('discharge', { date: discharged, destination: 'usual-residence' });
    await t.sleep('6 days');
    // The transition plan: nothing remains to hand over when the episode ends.
    await pathway.command('review', { outcome: 'continue', remainingNeeds: [] });
    const result = await pathway.handle.result();
    expect(result.state.intermediateCare?.ended?.reason).toBe('six_week_limit');
    expect(result.state.intermediateCare?.endBy).toBe(
      new Date(Date.parse(discharged) + 28 * 86_400_000).toISOString().slice(0, 10),
    );
  });

  it("publishes a start's events in its first workflow task (a local activity), an Update's by an activity after its task, each message once", async () => {
    const reader = await new TopicReader(inject('kafkaBrokers')).start([topics.pathwayEvents]);
    const pathway = await t.start();
    await eventually(
      () => pathway.view(),
      (v) => v.published > 0 && v.published === v.timeline.length,
    );
    const type = temporal.api.enums.v1.EventType;
    const history = async () => (await pathway.handle.fetchHistory()).events ?? [];
    const eventTypes = async () => (await history()).map((e) => e.eventType);
    const started = await eventTypes();
    // A local activity's marker (every patch records a marker too, so a marker alone says nothing).
    const markers = (await history()).map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
    expect(markers).toContain('core_local_activity');
    expect(started).not.toContain(type.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    await pathway.command('discharge-ready', { date: await t.today() });
    const view = await eventually(
      () => pathway.view(),
      (v) => v.published === v.timeline.length,
    );
    expect(view.timeline.length).toBeGreaterThan(1);
    expect(await eventTypes()).toContain(type.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const messages = await reader.waitFor(
      (all) => all.filter((m) => m.key === pathway.id).length >= view.timeline.length,
    );
    await reader.stop();
    const ids = messages.filter((m) => m.key === pathway.id).map((m) => m.value.id);
    expect(ids.sort()).toEqual(view.timeline.map((e) => `${pathway.id}/${e.sequence}`).sort());
  });

  it('continues as new before the history grows large, keeping state, Updates in flight and every event', async () => {
    const reader = await new TopicReader(inject('kafkaBrokers')).start([topics.pathwayEvents]);
    const pathway = await t.start(admission(), { continueAsNewAfter: 8 });
    await pathway.command('discharge-ready', { date: await t.today(-1) });
    await pathway.command('assessment', {
      participants: team,
      agreement,
      pathway: 'P1',
      needs: ['reablement', 'equipment', 'district-nursing'],
    });
    // Several Updates at once while the run is cutting over.
    await Promise.all([
      pathway.command('delay-reason', { code: 'awaiting_transport', agency: 'acute-trust' }),
      pathway.command('delay-reason', { code: 'awaiting_diagnostics', agency: 'acute-trust' }),
      pathway.command('delay-reason', { code: 'awaiting_medicines_tto', agency: 'acute-trust' }),
    ]);
    for (const [referralId, agency] of [
      ['ref-1', 'intermediate-care'],
      ['ref-2', 'equipment'],
      ['ref-3', 'community-health'],
    ]) {
      await pathway.command('referral-response', { referralId, agency, response: 'accepted' });
      await pathway.command('referral-response', { referralId, agency, response: 'ready' });
    }
    await pathway.command('discharge', { date: await t.today(), destination: 'usual-residence' });
    // The cut-over happens once the outbox is drained and no Update is in flight.
    const view = await eventually(
      () => pathway.view(),
      (v) => v.runs > 1,
    );
    expect((await pathway.handle.describe()).runId).not.toBe(pathway.handle.firstExecutionRunId);
    expect(view.stage).toBe('intermediate_care');
    // The three reasons recorded while the run cut over were carried across, and closed at the discharge (rules 4).
    const reasons = (type: string) => view.timeline.filter((e) => e.event.type === type);
    expect([
      reasons('delay_reason.recorded').length,
      reasons('delay_reason.resolved').length,
      view.state.delayReasons.length,
    ]).toEqual([3, 3, 0]);
    expect(view.timeline.map((e) => e.sequence)).toEqual(view.timeline.map((_, i) => i + 1));
    const messages = await reader.waitFor(
      (all) => new Set(all.filter((m) => m.key === pathway.id).map((m) => m.value.id)).size === view.timeline.length,
    );
    await reader.stop();
    const ids = new Set(messages.filter((m) => m.key === pathway.id).map((m) => m.value.id));
    expect([...ids].sort()).toEqual(view.timeline.map((e) => `${pathway.id}/${e.sequence}`).sort());
  });

  it("continues as new each time a run's history reaches the length its start set, well before its pathway-event count", async () => {
    const reader = await new TopicReader(inject('kafkaBrokers')).start([topics.pathwayEvents]);
    const limit = 40;
    const pathway = await t.start(admission(), { continueAsNewAtHistoryLength: limit });
    const today = Date.parse(await t.today());
    const commands = 8;
    // Each command's events published before the next: a run cuts over once its outbox is empty.
    for (let i = 1; i <= commands; i++) {
      const date = new Date(today + i * 86_400_000).toISOString().slice(0, 10);
      await pathway.command('expected-discharge-date', { date });
      await eventually(
        () => pathway.view(),
        (v) => v.published === v.timeline.length,
      );
    }
    const view = await eventually(
      () => pathway.view(),
      (v) => v.runs > 2 && v.published === v.timeline.length,
    );
    // One pathway event per command: the default count (500) was nowhere near; the history was.
    expect(view.timeline).toHaveLength(1 + commands);
    expect(view.timeline.map((e) => e.sequence)).toEqual(view.timeline.map((_, i) => i + 1));
    expect(view.state.edd).toBe(new Date(today + commands * 86_400_000).toISOString().slice(0, 10));
    // The first run stopped within a command (a dozen events) of the limit: cut, not left to grow.
    const first = t.env.client.workflow.getHandle(pathway.id, pathway.handle.firstExecutionRunId);
    const firstRun = (await first.fetchHistory()).events ?? [];
    expect(firstRun.length).toBeGreaterThanOrEqual(limit);
    expect(firstRun.length).toBeLessThan(limit + 15);
    const messages = await reader.waitFor(
      (all) => new Set(all.filter((m) => m.key === pathway.id).map((m) => m.value.id)).size === view.timeline.length,
    );
    await reader.stop();
    const ids = messages.filter((m) => m.key === pathway.id).map((m) => m.value.id);
    expect(ids.sort()).toEqual(view.timeline.map((e) => `${pathway.id}/${e.sequence}`).sort());
  });
});
