import fs from 'node:fs';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, it } from 'vitest';
import type { Actor } from '../../schemas/actor';
import { admission } from '../support/fixtures';
import { eventually } from '../support/system';
import { PathwayTestEnv, type Pathway } from '../support/pathway-env';
import { startTracing, stopTracing } from '../../telemetry/tracing';

/**
 * Records representative pathway histories for the replay test (`npm run record-histories`).
 * Re-record only on purpose: the committed histories are what running pathways look like, and a
 * workflow change that cannot replay them needs `patched()` instead.
 */
let t: PathwayTestEnv;
beforeAll(async () => {
  t = await PathwayTestEnv.create({ plainPayloads: true });
});
afterAll(async () => {
  await t?.teardown();
});

const team = [{ role: 'nurse' }, { role: 'patient' }];

/** Saves the history once the pathway has ended, or as it stands (`open`) for one still waiting on an agency. */
async function save(name: string, pathway: Pathway, open = false) {
  if (!open) await pathway.handle.result().catch(() => undefined);
  write(name, await pathway.handle.fetchHistory());
}

function write(name: string, history: temporal.api.history.v1.IHistory) {
  // protobufjs' own JSON form: read back with History.fromObject by the replay test.
  const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  fs.writeFileSync(path.join(__dirname, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
}

async function readyP1(options: Parameters<PathwayTestEnv['start']>[1] = {}): Promise<Pathway> {
  const pathway = await t.start({}, options);
  await pathway.command('discharge-ready', { date: await t.today(-1) });
  await pathway.command('assessment', { participants: team, pathway: 'P1', needs: ['reablement', 'equipment'] });
  await pathway.command('referral-response', {
    referralId: 'ref-1',
    agency: 'intermediate-care',
    response: 'accepted',
  });
  await pathway.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
  await pathway.command('referral-response', { referralId: 'ref-2', agency: 'equipment', response: 'ready' });
  return pathway;
}

// Each history is its own test, so one can be recorded alone (`npm run record-histories -- -t <name>`)
// without re-recording the others: older histories stay as older code wrote them.
it('p0-handed-back', async () => {
  const p0 = await t.start({}, { workflowId: 'pathway-history-p0' });
  await pathway0(p0);
  await save('p0-handed-back', p0);
});

it('p1-goals-met', async () => {
  const goalsMet = await readyP1({ workflowId: 'pathway-history-p1-goals-met' });
  await goalsMet.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await t.sleep('8 days');
  await goalsMet.command('review', { outcome: 'continue' });
  await t.sleep('10 days');
  await goalsMet.command('review', { outcome: 'goals_met' });
  await save('p1-goals-met', goalsMet);
});

it('p1-six-week-handover', async () => {
  const sixWeeks = await readyP1({ workflowId: 'pathway-history-p1-six-weeks' });
  await sixWeeks.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await save('p1-six-week-handover', sixWeeks);
});

it('p2-escalation-decline-cancel', async () => {
  const escalated = await t.start({}, { workflowId: 'pathway-history-escalation-decline' });
  await escalated.command('assessment', { participants: team, pathway: 'P2', needs: ['step-down-bed'] });
  await t.sleep('50 hours');
  await escalated.command('referral-response', {
    referralId: 'ref-1',
    agency: 'intermediate-care',
    response: 'declined',
  });
  await escalated.command('referral', { service: 'step-down-bed' });
  await escalated.command('referral-response', { referralId: 'ref-2', agency: 'intermediate-care', response: 'ready' });
  await escalated.command('cancel', { reason: 'transferred' });
  await save('p2-escalation-decline-cancel', escalated);
});

it('p1-readmitted-day-29', async () => {
  const readmitted = await readyP1({ workflowId: 'pathway-history-readmitted' });
  await readmitted.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await t.sleep('29 days');
  await readmitted.command('readmission', { newAdmissionId: 'HIST-R', admittedOn: await t.today() });
  await save('p1-readmitted-day-29', readmitted);
});

it('p1-continued-as-new', async () => {
  const continued = await readyP1({ workflowId: 'pathway-history-continue-as-new', continueAsNewAfter: 8 });
  await continued.command('delay-reason', { code: 'awaiting_transport', agency: 'acute-trust' });
  await continued.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await save('p1-continued-as-new', continued);
});

it('p1-actors', async () => {
  // Every command with its actor (staff, an agency), and a timer's escalation: the trust boundary's history.
  const nurse: Actor = { subject: 'history:nurse', role: 'discharge-team', sites: ['LEEDS-GEN'] };
  const provider: Actor = { subject: 'history:ic-system', role: 'agency', agency: 'intermediate-care' };
  const withActors = await t.start({}, { workflowId: 'pathway-history-actors', actor: nurse });
  await withActors.command('discharge-ready', { date: await t.today(-1) }, nurse);
  await withActors.command('assessment', { participants: team, pathway: 'P1', needs: ['reablement'] }, nurse);
  await t.sleep('30 hours');
  await withActors.command(
    'referral-response',
    { referralId: 'ref-1', agency: 'intermediate-care', response: 'accepted' },
    provider,
  );
  await withActors.command('delay-reason', { code: 'awaiting_p1_resource', agency: 'intermediate-care' }, provider);
  await withActors.command(
    'referral-response',
    { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' },
    provider,
  );
  await withActors.command('discharge', { date: await t.today(), destination: 'usual-residence' }, nurse);
  await withActors.command('cancel', { reason: 'died' }, nurse);
  await save('p1-actors', withActors);
});

it('p1-signed-commands', async () => {
  // Every command signed as the application signs it (third Update argument, a second start argument),
  // continued as new mid-way: the run saved starts from a carried state and carries the applied signatures.
  const nurse: Actor = { subject: 'history:nurse', role: 'discharge-team' };
  const signed = await t.start({}, { workflowId: 'pathway-history-signed', actor: nurse, continueAsNewAfter: 4 });
  await signed.command('discharge-ready', { date: await t.today(-1) }, nurse);
  const participants = [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }];
  await signed.command(
    'assessment',
    { participants, agreement: { patient: 'agrees' }, pathway: 'P1', needs: ['equipment'] },
    nurse,
  );
  await signed.command('referral-response', { referralId: 'ref-1', agency: 'equipment', response: 'ready' }, nurse);
  await signed.command('delay-reason', { code: 'awaiting_transport', agency: 'acute-trust' }, nurse);
  await signed.command('discharge', { date: await t.today(), destination: 'usual-residence' }, nurse);
  await save('p1-signed-commands-continued', signed);
  write(
    'p1-signed-commands',
    await t.env.client.workflow.getHandle(signed.id, signed.handle.firstExecutionRunId).fetchHistory(),
  );
});

// Rules 2 (the pathway as the source documents describe it): recorded after patched('pathway-as-documents').
const jointAssessment = {
  participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }],
  agreement: { patient: 'agrees' },
};

it('p1-home-care-without-intermediate-care', async () => {
  // Ongoing home care and district nursing are packages: no episode, handed back home after the watch.
  const homeCare = await t.start({}, { workflowId: 'pathway-history-home-care' });
  await homeCare.command('discharge-ready', { date: await t.today(-1) });
  await homeCare.command('assessment', {
    ...jointAssessment,
    pathway: 'P1',
    needs: ['domiciliary-care', 'district-nursing'],
    consents: ['social-care'],
  });
  await homeCare.command('referral-response', { referralId: 'ref-1', agency: 'social-care', response: 'accepted' });
  await homeCare.command('referral-response', { referralId: 'ref-1', agency: 'social-care', response: 'ready' });
  await homeCare.command('referral-response', { referralId: 'ref-2', agency: 'community-health', response: 'ready' });
  await homeCare.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await save('p1-home-care-without-intermediate-care', homeCare);
});

it('p1-reablement-handover-accepted-late', async () => {
  // Reablement starts on its readyFrom; at six weeks the episode hands over to social care, which
  // accepts late (escalation) while the episode stays open; handed back once ready.
  const agency: Actor = { subject: 'history:social-care-system', role: 'agency', agency: 'social-care' };
  const handover = await t.start({}, { workflowId: 'pathway-history-handover' });
  await handover.command('discharge-ready', { date: await t.today(-1) });
  await handover.command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] });
  await handover.command('referral-response', {
    referralId: 'ref-1',
    agency: 'intermediate-care',
    response: 'ready',
    readyFrom: await t.today(2),
  });
  await handover.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await t.sleep('2 days');
  await t.sleep('7 days');
  await handover.command('review', {
    outcome: 'continue',
    goals: ['walk to the shop'],
    remainingNeeds: ['domiciliary-care'],
  });
  await t.sleep('38 days');
  await handover.command(
    'referral-response',
    { referralId: 'ref-2', agency: 'social-care', response: 'accepted' },
    agency,
  );
  await handover.command(
    'referral-response',
    { referralId: 'ref-2', agency: 'social-care', response: 'ready' },
    agency,
  );
  await save('p1-reablement-handover-accepted-late', handover);
});

it('p3-best-interests', async () => {
  // A patient who lacks capacity: a best-interests decision with an advocate, consent by that decision; a carer's consent refused.
  const p3 = await t.start({ consents: [] }, { workflowId: 'pathway-history-best-interests' });
  await p3.command('assessment', {
    participants: [{ role: 'social_worker' }, { role: 'nurse' }, { role: 'carer' }],
    patientAbsent: 'lacks_capacity',
    bestInterests: { representative: { role: 'advocate', name: 'History Advocate' } },
    agreement: { patient: 'agrees', family: 'disagrees' },
    pathway: 'P3',
    needs: ['care-home-placement'],
  });
  await p3.command('consent', { agency: 'care-home', given: true, givenBy: 'carer' }).catch(() => undefined);
  await p3.command('consent', { agency: 'care-home', given: true, givenBy: 'best_interests' });
  await p3.command('referral-response', { referralId: 'ref-1', agency: 'care-home', response: 'ready' });
  await p3.command('discharge', { date: await t.today(), destination: 'care-home' });
  await save('p3-best-interests', p3);
});

async function pathway0(p0: Pathway) {
  await p0.command('expected-discharge-date', { date: await t.today(2) });
  await p0.command('discharge-ready', { date: await t.today(-2) });
  await p0.command('criteria-to-reside-met');
  await p0.command('discharge-ready', { date: await t.today() });
  await p0.command('assessment', { participants: team, pathway: 'P0', needs: [] });
  await p0.command('discharge', { date: await t.today(), destination: 'usual-residence' });
}

// Rules 3 (recorded after patched('criteria-to-reside-again')): meeting the criteria to reside
// again takes a ready pathway back to arranging until a new DRD, dated no earlier than the clearing;
// an open rehabilitation-at-home referral is awaiting a P1 resource.
it('p1-criteria-to-reside-again', async () => {
  const again = await t.start({}, { workflowId: 'pathway-history-criteria-again' });
  await again.command('discharge-ready', { date: await t.today(-2) });
  await again.command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['rehabilitation-at-home'] });
  await again.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'accepted' });
  await again.command('referral-response', { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
  await again.command('criteria-to-reside-met');
  await again.command('discharge', { date: await t.today(), destination: 'usual-residence' }).catch(() => undefined);
  await again.command('discharge-ready', { date: await t.today() });
  await again.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  // In intermediate care, its first review's timer set: enough to replay; the episode runs on for weeks.
  await save('p1-criteria-to-reside-again', again, true);
});

// Rules 4 (recorded after patched('safe-for-the-patient')): safe for the patient (issue 23).
it('p1-self-discharge', async () => {
  // A decline nobody re-refers escalates at once; re-referred; the patient then discharges
  // themselves: the watch runs, the open packages are told it is urgent, a welfare check goes to
  // community health; answered after the discharge, reablement starts intermediate care.
  const agency = (name: 'intermediate-care' | 'social-care' | 'community-health'): Actor => ({
    subject: `history:${name}-system`,
    role: 'agency',
    agency: name,
  });
  const left = await t.start({ consents: [] }, { workflowId: 'pathway-history-self-discharge' });
  await left.command('discharge-ready', { date: await t.today(-1) });
  await left.command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement', 'domiciliary-care'] });
  await left.command(
    'referral-response',
    { referralId: 'ref-2', agency: 'social-care', response: 'declined', reason: 'no capacity' },
    agency('social-care'),
  );
  await t.sleep('2 hours');
  await left.command('referral', { service: 'domiciliary-care', reason: 're-referral' });
  await left.command('cancel', { reason: 'self_discharged' }).catch(() => undefined);
  await left.command('discharge', { date: await t.today(), destination: 'usual-residence', selfDischarge: true });
  await left.command(
    'referral-response',
    { referralId: 'ref-4', agency: 'community-health', response: 'ready' },
    agency('community-health'),
  );
  await left.command(
    'referral-response',
    { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' },
    agency('intermediate-care'),
  );
  await save('p1-self-discharge', left, true);
});

/** Reablement starts in three days: the discharge is refused until the family bridges the gap. */
async function supportGapBridged(env: PathwayTestEnv, workflowId: string): Promise<Pathway> {
  const gap = await env.start({}, { workflowId });
  await gap.command('discharge-ready', { date: await env.today(-1) });
  await gap.command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] });
  await gap.command('delay-reason', { code: 'awaiting_transport', agency: 'acute-trust' });
  await gap.command('referral-response', {
    referralId: 'ref-1',
    agency: 'intermediate-care',
    response: 'ready',
    readyFrom: await env.today(3),
  });
  await gap.command('discharge', { date: await env.today(), destination: 'usual-residence' }).catch(() => undefined);
  await gap.command('discharge', {
    date: await env.today(),
    destination: 'usual-residence',
    bridge: { by: 'family', until: await env.today(2) },
  });
  return gap;
}

it('p1-support-gap-bridged', async () => {
  await save('p1-support-gap-bridged', await supportGapBridged(t, 'pathway-history-support-gap'), true);
});

// As above, recorded with the OpenTelemetry workflow interceptors always on (patched('opentelemetry-interceptors')).
it('p1-support-gap-bridged-traced', async () => {
  await save('p1-support-gap-bridged-traced', await supportGapBridged(t, 'pathway-history-support-gap-traced'), true);
});

// As above, since patched('opentelemetry-when-traced'): started with no trace context, so never traced.
it('p1-support-gap-bridged-untraced-start', async () => {
  await save(
    'p1-support-gap-bridged-untraced-start',
    await supportGapBridged(t, 'pathway-history-support-gap-untraced-start'),
    true,
  );
});

// As above, started and commanded inside a trace by a client sending it (the API's, tracing on): traced.
it('p1-support-gap-bridged-traced-start', async () => {
  startTracing('history-recorder', { spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
  const traced = await PathwayTestEnv.create({ plainPayloads: true, tracedClient: true });
  try {
    await trace.getTracer('history-recorder').startActiveSpan('record', async (span) => {
      await save(
        'p1-support-gap-bridged-traced-start',
        await supportGapBridged(traced, 'pathway-history-support-gap-traced-start'),
        true,
      );
      span.end();
    });
  } finally {
    await traced.teardown();
    await stopTracing();
  }
});

it('p0-housing-refused-carer', async () => {
  // Homeless, no fixed abode; the P0 relies on a carer not willing or able until they are; the
  // patient refuses the referral to housing; discharged, the welfare check answered, handed back.
  const { address: _address, ...patient } = admission().patient;
  const p0 = await t.start(
    { patient: { ...patient, housingStatus: 'homeless' } as never, consents: [] },
    { workflowId: 'pathway-history-housing-refused' },
  );
  await p0.command('discharge-ready', { date: await t.today(-1) });
  const carer = { name: 'History Carer', relationship: 'sister', willingAndAble: false, carersAssessment: 'accepted' };
  await p0.command('assessment', { ...jointAssessment, pathway: 'P0', needs: [], carer });
  await p0.command('carer', { carer: { ...carer, willingAndAble: true } });
  await p0.command('consent', { agency: 'housing', given: false });
  await p0.command('discharge', { date: await t.today(), destination: 'other', departure: 'patient_choice' });
  await p0.command('referral-response', { referralId: 'ref-1', agency: 'social-care', response: 'ready' });
  await p0.command('referral-response', { referralId: 'ref-2', agency: 'community-health', response: 'ready' });
  await t.sleep('30 days');
  await save('p0-housing-refused-carer', p0);
});

// Rules 5 (recorded after patched('living-assessment')): one living assessment (issue 24).
it('p1-living-assessment', async () => {
  // The provider writes back: its first review is overdue and chased twice, then recorded with the
  // needs now; it proposes the plan, equipment says it started, a second review hands over to
  // social care, which records funding and accepts: the episode ends, handed over.
  const agency = (name: 'intermediate-care' | 'social-care' | 'equipment'): Actor => ({
    subject: `history:${name}-system`,
    role: 'agency',
    agency: name,
  });
  const living = await t.start({}, { workflowId: 'pathway-history-living-assessment' });
  await living.command('discharge-ready', { date: await t.today(-1) });
  await living.command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement', 'equipment'] });
  await living.command(
    'referral-response',
    { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' },
    agency('intermediate-care'),
  );
  await living.command(
    'referral-response',
    { referralId: 'ref-2', agency: 'equipment', response: 'ready' },
    agency('equipment'),
  );
  await living.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await living.command(
    'support-started',
    { referralId: 'ref-2', agency: 'equipment', startedOn: await t.today() },
    agency('equipment'),
  );
  await t.sleep('9 days');
  await living.command(
    'episode-review',
    {
      agency: 'intermediate-care',
      outcome: 'continue',
      goals: ['Walk to the shop'],
      needsNow: { functionalNeeds: ['Needs help to wash'] },
    },
    agency('intermediate-care'),
  );
  await living.command(
    'transition-plan',
    { agency: 'intermediate-care', remainingNeeds: ['domiciliary-care'] },
    agency('intermediate-care'),
  );
  await living.command(
    'episode-review',
    {
      agency: 'intermediate-care',
      outcome: 'needs_long_term_support',
      goals: [],
      remainingNeeds: ['domiciliary-care'],
    },
    agency('intermediate-care'),
  );
  const funding = {
    payer: 'council',
    charging: 'means_tested',
    financialAssessment: 'complete',
    chargesFrom: await t.today(),
  };
  await living.command(
    'funding-decision',
    { referralId: 'ref-4', agency: 'social-care', ...funding },
    agency('social-care'),
  );
  await living.command(
    'referral-response',
    { referralId: 'ref-4', agency: 'social-care', response: 'ready' },
    agency('social-care'),
  );
  await save('p1-living-assessment', living, true);
});

// A start's own events published from its first workflow task by a local activity (recorded after
// patched('start-published-in-first-task')): a marker where older histories have an activity task;
// the Updates after it publish by the activity as before.
it('p0-start-published-locally', async () => {
  const p0 = await t.start({}, { workflowId: 'pathway-history-start-published-locally' });
  await eventually(
    () => p0.view(),
    (view) => view.published > 0 && view.published === view.timeline.length,
  );
  await p0.command('expected-discharge-date', { date: await t.today(2) });
  await p0.command('discharge-ready', { date: await t.today() });
  await p0.command('assessment', { participants: team, agreement: { patient: 'agrees' }, pathway: 'P0', needs: [] });
  await eventually(
    () => p0.view(),
    (view) => view.published === view.timeline.length,
  );
  await save('p0-start-published-locally', p0, true);
});

// Rules 6 (recorded after patched('handover-choice')): the review chased to the lead professional,
// and the choice a declined handover opens (issue 24).
it('p1-handover-declined-extended', async () => {
  // A lead is named for the episode; the first review is overdue and chased to the provider and the
  // lead; the review hands over to social care, which declines; the discharge team extends the
  // episode with a reason; at the new end the episode hands over again and social care takes it.
  const agency = (name: 'intermediate-care' | 'social-care'): Actor => ({
    subject: `history:${name}-system`,
    role: 'agency',
    agency: name,
  });
  const extended = await t.start({}, { workflowId: 'pathway-history-handover-declined-extended' });
  await extended.command('discharge-ready', { date: await t.today(-1) });
  await extended.command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] });
  await extended.command(
    'referral-response',
    { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' },
    agency('intermediate-care'),
  );
  await extended.command('discharge', { date: await t.today(), destination: 'usual-residence' });
  await extended.command('lead-professional', {
    scope: 'intermediate-care',
    role: 'occupational_therapist',
    team: 'Leeds reablement',
  });
  await t.sleep('9 days');
  await extended.command(
    'episode-review',
    {
      agency: 'intermediate-care',
      outcome: 'needs_long_term_support',
      goals: [],
      remainingNeeds: ['domiciliary-care'],
    },
    agency('intermediate-care'),
  );
  const handover = (await extended.view()).state.referrals.find(
    (r) => r.purpose === 'handover' && r.status === 'requested',
  )!;
  await extended.command(
    'referral-response',
    { referralId: handover.referralId, agency: 'social-care', response: 'declined', reason: 'No capacity this month' },
    agency('social-care'),
  );
  await extended.command('extend-episode', { until: await t.today(14), reason: 'handover_declined' });
  await t.sleep('15 days');
  const again = (await extended.view()).state.referrals.find(
    (r) => r.purpose === 'handover' && r.status === 'requested',
  )!;
  await extended.command(
    'referral-response',
    { referralId: again.referralId, agency: 'social-care', response: 'ready' },
    agency('social-care'),
  );
  await save('p1-handover-declined-extended', extended, true);
});

// A run cut at the history length its start set (recorded after patched('continue-as-new-at-history-length')):
// the first run's history, which ends in its continue-as-new well before 500 pathway events.
it('p0-continued-at-history-length', async () => {
  const p0 = await t.start(
    {},
    { workflowId: 'pathway-history-continued-at-history-length', continueAsNewAtHistoryLength: 40 },
  );
  // Each command's events published before the next: the run cuts over once its outbox is empty.
  for (let day = 1; day <= 5; day++) {
    await p0.command('expected-discharge-date', { date: await t.today(day) });
    await eventually(
      () => p0.view(),
      (v) => v.runs > 1 || v.published === v.timeline.length,
    );
  }
  const view = await eventually(
    () => p0.view(),
    (v) => v.runs > 1 && v.published === v.timeline.length,
  );
  write(
    'p0-continued-at-history-length',
    await t.env.client.workflow.getHandle(p0.id, p0.handle.firstExecutionRunId).fetchHistory(),
  );
  if (view.runs < 2) throw new Error('the pathway did not continue as new');
});
