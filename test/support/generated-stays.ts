import fc from 'fast-check';
import {
  CommandRejected,
  dateOf,
  decide,
  evolve,
  initialState,
  nextDeadline,
  resolvePolicy,
  type PathwayState,
} from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { DelayReasonCode, DischargePathwayCode, Region, Service } from '../../schemas/common';
import type { RecordedPathwayEvent } from '../../workflows/definitions';
import { admission, jointAssessment } from './fixtures';

/**
 * Hospital stays generated for property tests of the managers' figures: admitted up to six weeks
 * ago, then what a ward and the agencies do (a DRD, possibly in the future; the criteria to reside
 * met again; a joint assessment and its referrals; answers; delay reasons; a discharge, a
 * cancellation or a readmission), each a few days after the last. The domain's decider makes the
 * events (a command it refuses is left out, as the API would refuse it) and the workflow's timers
 * fire at each deadline, as they would.
 *
 * Every event falls a whole number of days and 1 to 6 hours before `now`: at least an hour from
 * any "N days ago", so a figure counted against a number of days (stuck) cannot change while a
 * test runs.
 */

type Step =
  | { kind: 'discharge-ready'; offset: number }
  | { kind: 'criteria-to-reside-met' }
  | { kind: 'assessment'; pathway: DischargePathwayCode; needs: Service[] }
  | { kind: 'answer'; response: 'accepted' | 'ready' | 'declined'; purpose?: 'handover' }
  /** Intermediate care's review handing over to long-term services (the spec's fixed stays only). */
  | { kind: 'review-long-term' }
  | { kind: 'delay-reason'; code: DelayReasonCode }
  | { kind: 'discharge' }
  | { kind: 'cancel' }
  | { kind: 'readmission' };

export interface StayPlan {
  admittedDaysAgo: number;
  region: Region;
  site: number;
  localAuthority: number;
  /** Each step with the whole days and the hours before `now` (1 to 6) it comes after the last. */
  steps: { gapDays: number; hoursBack: number; step: Step }[];
}

const plans = {
  P0: [[]],
  P1: [['reablement'], ['domiciliary-care'], ['reablement', 'equipment']],
  P2: [['step-down-bed']],
  P3: [['care-home-placement']],
} as const;

const drd = fc.record({ kind: fc.constant('discharge-ready' as const), offset: fc.integer({ min: -3, max: 2 }) });
const assessment = fc
  .constantFrom(...(Object.keys(plans) as DischargePathwayCode[]))
  .chain((pathway) =>
    fc
      .constantFrom(...plans[pathway])
      .map((needs): Step => ({ kind: 'assessment', pathway, needs: [...needs] as Service[] })),
  );
const answer = fc.record({
  kind: fc.constant('answer' as const),
  response: fc.constantFrom('accepted' as const, 'ready' as const, 'ready' as const, 'declined' as const),
});
const reason = fc.record({
  kind: fc.constant('delay-reason' as const),
  code: fc.constantFrom<DelayReasonCode>('awaiting_transport', 'awaiting_medicines_tto', 'awaiting_therapy_decision'),
});
const ending = fc.constantFrom<Step>(
  { kind: 'discharge' },
  { kind: 'discharge' },
  { kind: 'discharge' },
  { kind: 'cancel' },
);

type Timed = StayPlan['steps'][number];
const timed = (step: fc.Arbitrary<Step>): fc.Arbitrary<Timed> =>
  fc.record({ gapDays: fc.nat({ max: 4 }), hoursBack: fc.integer({ min: 1, max: 6 }), step });
/** A step `present` times in `present + absent`. */
const sometimes = (step: fc.Arbitrary<Step>, present: number, absent: number): fc.Arbitrary<Timed[]> =>
  fc.oneof(
    { weight: present, arbitrary: timed(step).map((t) => [t]) },
    { weight: absent, arbitrary: fc.constant<Timed[]>([]) },
  );

/** A stay's course in the usual order, each part often enough that stays get discharged, cancelled and readmitted. */
export const stayPlan: fc.Arbitrary<StayPlan> = fc
  .record({
    admittedDaysAgo: fc.integer({ min: 0, max: 40 }),
    region: fc.constantFrom<Region>('england', 'england', 'scotland'),
    site: fc.nat({ max: 1 }),
    localAuthority: fc.nat({ max: 1 }),
    drd: sometimes(drd, 5, 1),
    // The criteria to reside met again, and sometimes a new DRD after.
    again: fc.oneof(
      {
        weight: 1,
        arbitrary: fc
          .tuple(timed(fc.constant({ kind: 'criteria-to-reside-met' as const })), sometimes(drd, 1, 1))
          .map(([met, next]) => [met, ...next]),
      },
      { weight: 4, arbitrary: fc.constant<Timed[]>([]) },
    ),
    assessment: sometimes(assessment, 3, 1),
    answers: fc.array(timed(answer), { maxLength: 4 }),
    reason: sometimes(reason, 1, 3),
    ending: sometimes(ending, 3, 2),
    after: sometimes(fc.constant({ kind: 'readmission' as const }), 1, 4),
  })
  .map(({ admittedDaysAgo, region, site, localAuthority, ...course }) => ({
    admittedDaysAgo,
    region,
    site,
    localAuthority,
    steps: [
      ...course.drd,
      ...course.again,
      ...course.assessment,
      ...course.answers,
      ...course.reason,
      ...course.ending,
      ...course.after,
    ],
  }));

const hour = 3_600_000;
const dayMs = 24 * hour;

export interface GeneratedStay {
  pathwayId: string;
  site: string;
  localAuthority: string;
  events: RecordedPathwayEvent[];
  /** The pathway as the domain folds its events. */
  state: PathwayState;
  lastEventAt: string;
}

/** The command a step gives the stay as it stands, or none (nothing to answer). */
function commandFor(step: Step, state: PathwayState, at: string, admissionId: string): PathwayCommand | undefined {
  const today = dateOf(at);
  switch (step.kind) {
    case 'discharge-ready': {
      const date = new Date(Date.parse(`${today}T00:00:00Z`) + step.offset * dayMs).toISOString().slice(0, 10);
      return { type: 'discharge-ready', at, date };
    }
    case 'criteria-to-reside-met':
      return { type: 'criteria-to-reside-met', at };
    case 'assessment':
      return {
        type: 'assessment',
        at,
        ...jointAssessment,
        pathway: step.pathway,
        needs: step.needs,
        consents: [],
      } as PathwayCommand;
    case 'answer': {
      const referral = state.referrals.find(
        (r) => (r.status === 'requested' || r.status === 'accepted') && (!step.purpose || r.purpose === step.purpose),
      );
      if (!referral) return undefined;
      return {
        type: 'referral-response',
        at,
        referralId: referral.referralId,
        agency: referral.agency,
        response: step.response,
        ...(step.response === 'declined' ? { reason: 'no capacity' } : {}),
        ...(step.response === 'ready' ? { readyFrom: today } : {}),
      };
    }
    case 'delay-reason':
      return { type: 'delay-reason', at, code: step.code, agency: 'acute-trust' };
    case 'review-long-term':
      return {
        type: 'review',
        at,
        outcome: 'needs_long_term_support',
        goals: [],
        remainingNeeds: ['domiciliary-care'],
      } as PathwayCommand;
    case 'discharge':
      return { type: 'discharge', at, date: today, destination: 'usual-residence' };
    case 'cancel':
      return { type: 'cancel', at, reason: 'transferred' };
    case 'readmission':
      return { type: 'readmission', at, newAdmissionId: `${admissionId}R`, admittedOn: today, emergency: true };
  }
}

/** A stay's events as the workflow would record them, up to `now`. */
export function generatedStay(
  plan: StayPlan,
  options: { admissionId: string; sites: string[]; localAuthorities: string[]; now: number },
): GeneratedStay {
  const { admissionId, now } = options;
  const policy = resolvePolicy(plan.region);
  const site = options.sites[plan.site % options.sites.length];
  const localAuthority = options.localAuthorities[plan.localAuthority % options.localAuthorities.length];
  let state = initialState;
  const events: RecordedPathwayEvent[] = [];
  const nurse = { subject: 'nurse-1', role: 'discharge-team' as const };
  const apply = (command: PathwayCommand, actor: RecordedPathwayEvent['actor']) => {
    try {
      const decided = decide(command, state, policy);
      for (const event of decided) events.push({ sequence: events.length + 1, event, actor });
      state = decided.reduce(evolve, state);
      return decided.length;
    } catch (error) {
      if (error instanceof CommandRejected) return 0;
      throw error;
    }
  };
  // The workflow's timers: every deadline up to `until` fires a tick, as the system actor.
  const timers = (until: number) => {
    for (let fired = 0; fired < 50; fired++) {
      const deadline = nextDeadline(state, policy);
      if (!deadline || Date.parse(deadline) > until) return;
      if (
        apply(
          {
            type: 'tick',
            at: new Date(Math.max(Date.parse(deadline), Date.parse(events.at(-1)!.event.at))).toISOString(),
          },
          { subject: 'timer', role: 'system' },
        ) === 0
      )
        return;
    }
  };
  let daysAgo = plan.admittedDaysAgo;
  let at = now - daysAgo * dayMs - 6 * hour;
  const admittedAt = new Date(at).toISOString();
  apply(
    {
      ...admission({ admissionId, site, localAuthority, region: plan.region, admittedAt }),
      type: 'start',
      at: admittedAt,
    },
    nurse,
  );
  for (const { gapDays, hoursBack, step: next } of plan.steps) {
    daysAgo -= gapDays;
    if (daysAgo < 0) break;
    // Never before the last event: the same whole-day-and-hours grid, a later hour if need be.
    at = Math.max(at, now - daysAgo * dayMs - hoursBack * hour);
    timers(at);
    const command = commandFor(next, state, new Date(at).toISOString(), admissionId);
    if (command)
      apply(
        command,
        command.type === 'referral-response'
          ? { subject: 'agency-system', role: 'agency', agency: command.agency }
          : nurse,
      );
  }
  timers(now - hour);
  return {
    pathwayId: `pathway-${admissionId}`,
    site,
    localAuthority,
    events,
    state,
    lastEventAt: events.at(-1)!.event.at,
  };
}
