import { describe, expect, it } from 'vitest';
import { nextDeadline, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { p1InIntermediateCare, started } from './events';
import { assessment, date, day, given, givenRules1, history, rules1, start } from './spec';

const policy = resolvePolicy('england');
const assess = (pathway: 'P0' | 'P1' | 'P2' | 'P3', needs: string[]): PathwayCommand =>
  assessment(pathway, needs, day(2));
const ready = (referralId: string, agency: string): PathwayCommand =>
  ({ type: 'referral-response', at: day(3), referralId, agency, response: 'ready' }) as PathwayCommand;
const discharge: PathwayCommand = {
  type: 'discharge',
  at: day(4, '15:00:00'),
  date: date(4),
  destination: 'usual-residence',
};
const tick = (at: string): PathwayCommand => ({ type: 'tick', at });

const participants: EventOf<'assessment.completed'>['participants'] = ['nurse', 'social_worker', 'patient'];
/** Readmission watch: a P0 pathway (DRD on the 2nd) discharged home on the 4th. Given events, written out. */
const p0Discharged = (): PathwayEvent[] => [
  started(),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P0',
    participants,
    needs: [],
    replan: false,
    agreement: { patient: 'agrees' },
    daysFromDischargeReady: 0,
  },
  { type: 'pathway.ready_for_discharge', at: day(2) },
  {
    type: 'discharge.recorded',
    at: day(4, '15:00:00'),
    date: date(4),
    destination: 'usual-residence',
    pathway: 'P0',
    daysDelayed: 2,
    bedDaysLost: 2,
  },
  { type: 'readmission_watch.started', at: day(4, '15:00:00'), from: date(4), until: '2026-04-03' },
];
const p1Discharged = p1InIntermediateCare;
const then = (events: PathwayEvent[], command: PathwayCommand) => [
  ...events,
  ...given(...events)
    .when(command)
    .events(),
];
const p1DischargedRules1 = () =>
  history([start(), assess('P1', ['reablement']), ready('ref-1', 'intermediate-care'), discharge], policy, rules1);

describe('discharge', () => {
  it('is only allowed once the pathway is ready, naming what is missing', () => {
    given(...history([start()]))
      .when(discharge)
      .thenRejects('not_allowed_in_stage', /no joint assessment/);
    given(...history([start(), assess('P1', ['reablement'])]))
      .when(discharge)
      .thenRejects('not_allowed_in_stage', /ref-1 \(reablement, requested\)/);
  });

  it('cannot be recorded in advance or before admission', () => {
    const readyP0 = history([start(), assess('P0', [])]);
    given(...readyP0)
      .when({ ...discharge, date: date(5) } as PathwayCommand)
      .thenRejects('invalid', /in advance/);
    given(...readyP0)
      .when({ ...discharge, date: '2026-02-28' } as PathwayCommand)
      .thenRejects('invalid', /before admission/);
  });

  it('P0: starts the 30-day readmission watch (days 0–29) and no intermediate care; a welfare check the same day (rules 4)', () => {
    given(...history([start(), assess('P0', [])]))
      .when(discharge)
      .then(
        { type: 'discharge.recorded', date: date(4), pathway: 'P0' },
        { type: 'readmission_watch.started', from: date(4), until: '2026-04-03' },
        {
          type: 'referral.requested',
          service: 'welfare-check',
          agency: 'community-health',
          reason: 'welfare-check',
          purpose: 'follow-up',
        },
      );
    expect(given(...p0Discharged()).state().stage).toBe('readmission_watch');
  });

  it('P1 and P2: intermediate care of up to 42 days runs alongside the watch', () => {
    given(...history([start(), assess('P1', ['reablement']), ready('ref-1', 'intermediate-care')]))
      .when(discharge)
      .then(
        { type: 'discharge.recorded' },
        { type: 'readmission_watch.started', until: '2026-04-03' },
        { type: 'referral.requested', service: 'welfare-check' },
        { type: 'intermediate_care.started', startDate: date(4), endBy: '2026-04-15', firstReviewDue: '2026-03-11' },
      );
    const p2 = history([
      start(),
      assess('P2', ['step-down-bed']),
      ready('ref-1', 'intermediate-care'),
      { ...discharge, destination: 'community-bed' } as PathwayCommand,
    ]);
    expect(given(...p2).state().stage).toBe('intermediate_care');
  });

  it('P3: a care-home placement, no intermediate care; handback says care home', () => {
    const p3 = history([
      start(),
      assess('P3', ['care-home-placement']),
      ready('ref-1', 'care-home'),
      { ...discharge, destination: 'care-home' } as PathwayCommand,
    ]);
    expect(p3.some((e) => e.type === 'intermediate_care.started')).toBe(false);
    given(...p3)
      .when(tick('2026-04-03T00:00:00.000Z'))
      .then({ type: 'readmission_watch.expired' }, { type: 'pathway.handed_back', outcome: 'care_home' });
  });

  it('a second discharge is refused as already recorded, naming the date, not a missing referral or consent', () => {
    given(...p0Discharged())
      .when({ ...discharge, at: day(5), date: date(5) } as PathwayCommand)
      .thenRejects(
        'not_allowed_in_stage',
        /^discharge: already recorded on 2026-03-04; the pathway is in stage readmission_watch$/,
      );
    given(...p1Discharged())
      .when({ ...discharge, at: day(5) } as PathwayCommand)
      .thenRejects(
        'not_allowed_in_stage',
        /already recorded on 2026-03-04; the pathway is in stage intermediate_care$/,
      );
  });

  it('no more delay reasons or referral answers after discharge', () => {
    given(...p0Discharged())
      .when({ type: 'delay-reason', at: day(5), code: 'awaiting_transport', agency: 'acute-trust' })
      .thenRejects('not_allowed_in_stage');
  });
});

describe('intermediate care', () => {
  it('weekly reviews: a review is due 7 days after the start, then 7 days after each review', () => {
    const events = p1Discharged();
    // Due on the 11th: overdue once the 11th has passed.
    expect(nextDeadline(given(...events).state(), policy)).toBe('2026-03-12T00:00:00.000Z');
    const reviewed = then(events, { type: 'review', at: day(11), outcome: 'continue', goals: ['walk to the shop'] });
    expect(reviewed.at(-1)).toMatchObject({ type: 'review.recorded', reviewNumber: 1, nextReviewDue: '2026-03-18' });
    expect(nextDeadline(given(...reviewed).state(), policy)).toBe('2026-03-19T00:00:00.000Z');
  });

  it('a missed review is reported once as overdue, the day after it was due', () => {
    given(...p1Discharged())
      .when(tick('2026-03-11T23:59:59.000Z'))
      .then();
    const overdue = then(p1Discharged(), tick('2026-03-12T00:00:00.000Z'));
    expect(overdue.at(-1)).toMatchObject({ type: 'review.overdue', dueOn: '2026-03-11' });
    given(...overdue)
      .when(tick('2026-03-13T00:00:00.000Z'))
      .then();
  });

  it('goals met in week 3 ends intermediate care early; handback waits for the watch', () => {
    const events = then(p1Discharged(), { type: 'review', at: day(20), outcome: 'goals_met', goals: [] });
    expect(events.slice(-2)).toMatchObject([
      { type: 'review.recorded' },
      { type: 'intermediate_care.ended', reason: 'goals_met', days: 16 },
    ]);
    expect(given(...events).state().stage).toBe('readmission_watch');
    given(...events)
      .when(tick('2026-04-03T00:00:00.000Z'))
      .then({ type: 'readmission_watch.expired' }, { type: 'pathway.handed_back', outcome: 'home' });
  });

  it('rules 1 (pathways started before): needs long-term support ends the episode with a handover notice', () => {
    givenRules1(...p1DischargedRules1())
      .when({ type: 'review', at: day(25), outcome: 'needs_long_term_support', goals: [] })
      .then(
        { type: 'review.recorded' },
        { type: 'intermediate_care.ended', reason: 'long_term_needs' },
        { type: 'handover.long_term_services', reason: 'long_term_needs', to: ['social-care', 'gp'] },
      );
  });

  it('rules 1 (pathways started before): at the six-week limit it ends with a handover notice, and the pathway is handed back (the watch ended earlier)', () => {
    const then1 = (events: PathwayEvent[], command: PathwayCommand) => [
      ...events,
      ...givenRules1(...events)
        .when(command)
        .events(),
    ];
    const afterWatch = then1(p1DischargedRules1(), tick('2026-04-03T00:00:00.000Z'));
    // No review was ever recorded: the overdue review is reported along with the watch's end.
    expect(afterWatch.slice(-2)).toMatchObject([
      { type: 'review.overdue', dueOn: '2026-03-11' },
      { type: 'readmission_watch.expired' },
    ]);
    expect(givenRules1(...afterWatch).state().stage).toBe('intermediate_care');
    expect(nextDeadline(givenRules1(...afterWatch).state(), policy)).toBe('2026-04-15T00:00:00.000Z');
    const reviewed = then1(
      then1(afterWatch, { type: 'review', at: '2026-04-08T10:00:00.000Z', outcome: 'continue', goals: [] }),
      tick('2026-04-15T00:00:00.000Z'),
    );
    expect(reviewed.slice(-3)).toMatchObject([
      { type: 'intermediate_care.ended', reason: 'six_week_limit', days: 42 },
      { type: 'handover.long_term_services', reason: 'six_week_limit' },
      { type: 'pathway.handed_back', outcome: 'long_term_services' },
    ]);
  });

  it('reviews are only taken during intermediate care', () => {
    given(...p0Discharged())
      .when({ type: 'review', at: day(6), outcome: 'continue', goals: [] })
      .thenRejects('not_allowed_in_stage', /intermediate care/);
  });

  it('the six-week limit and review interval follow the deployment policy', () => {
    const short = resolvePolicy('wales', { intermediateCareMaxDays: 28, reviewIntervalDays: 3 });
    const events = history(
      [start(), assess('P1', ['reablement']), ready('ref-1', 'intermediate-care'), discharge],
      short,
    );
    expect(events.at(-1)).toMatchObject({
      type: 'intermediate_care.started',
      endBy: '2026-04-01',
      firstReviewDue: '2026-03-07',
    });
  });
});

describe('30-day readmission watch', () => {
  const readmit = (admittedOn: string, at: string, emergency = true): PathwayCommand => ({
    type: 'readmission',
    at,
    newAdmissionId: 'A2',
    admittedOn,
    emergency,
  });

  it('an emergency readmission on day 29 counts: packages on hold, linked new pathway, closed as readmitted', () => {
    const events = given(...p1Discharged())
      .when(readmit('2026-04-02', '2026-04-02T08:00:00.000Z'))
      .then(
        { type: 'referral.on_hold', referralId: 'ref-1', reason: 'readmitted' },
        { type: 'intermediate_care.ended', reason: 'readmitted' },
        { type: 'pathway.readmitted', newAdmissionId: 'A2', linkedPathwayId: 'pathway-A2', dayOfWatch: 29 },
      );
    expect(given(...p1Discharged(), ...events).state().stage).toBe('readmitted');
  });

  it('day 30 does not count', () => {
    given(...p1Discharged())
      .when(readmit('2026-04-03', '2026-04-02T23:00:00.000Z'))
      .thenRejects('invalid', /day 30 .* outside the watch/);
    const expired = then(p1Discharged(), tick('2026-04-03T00:00:00.000Z'));
    given(...expired)
      .when(readmit('2026-04-03', '2026-04-03T08:00:00.000Z'))
      .thenRejects('not_allowed_in_stage', /watch has ended/);
  });

  it('the watch expires at the start of day 30; a P0 pathway is then handed back', () => {
    expect(nextDeadline(given(...p0Discharged()).state(), policy)).toBe('2026-04-03T00:00:00.000Z');
    given(...p0Discharged())
      .when(tick('2026-04-02T23:59:59.000Z'))
      .then();
    given(...p0Discharged())
      .when(tick('2026-04-03T00:00:00.000Z'))
      .then({ type: 'readmission_watch.expired' }, { type: 'pathway.handed_back', outcome: 'home' });
  });

  it('only an emergency readmission, and not before discharge', () => {
    given(...p0Discharged())
      .when(readmit(date(10), day(10), false))
      .thenRejects('invalid', /emergency/);
    given(...history([start(), assess('P0', [])]))
      .when(readmit(date(4), day(4)))
      .thenRejects('not_allowed_in_stage');
  });

  it('a readmitted pathway takes no more commands', () => {
    const closed = then(p0Discharged(), readmit(date(10), day(10)));
    given(...closed)
      .when(tick('2026-04-03T00:00:00.000Z'))
      .thenRejects('closed');
    expect(nextDeadline(given(...closed).state(), policy)).toBeUndefined();
  });
});

describe('consent after discharge', () => {
  it('consent given after discharge is recorded, with who gave it; the pathway carries on', () => {
    const withoutGp = p1Discharged().map((e) =>
      e.type === 'pathway.started' ? started({ consents: ['intermediate-care'] }) : e,
    );
    given(...withoutGp)
      .when({ type: 'consent', at: day(6), agency: 'gp', given: true })
      .then({ type: 'consent.recorded', at: day(6), agency: 'gp', given: true, givenBy: 'patient' });
    const state = given(...withoutGp, {
      type: 'consent.recorded',
      at: day(6),
      agency: 'gp',
      given: true,
      givenBy: 'patient',
    }).state();
    expect(state.stage).toBe('intermediate_care');
    expect(state.consents).toEqual({ 'intermediate-care': true, gp: true });
  });

  it('consent withdrawn after discharge is recorded and does not reopen the discharge', () => {
    const events = given(...p0Discharged())
      .when({ type: 'consent', at: day(6), agency: 'social-care', given: false })
      .then({ type: 'consent.recorded', agency: 'social-care', given: false });
    expect(given(...p0Discharged(), ...events).state().stage).toBe('readmission_watch');
  });

  it('the same consent twice is a duplicate; a closed pathway takes none', () => {
    given(...p0Discharged())
      .when({ type: 'consent', at: day(6), agency: 'gp', given: true })
      .thenRejects('duplicate', /already recorded as given/);
    const handedBack: PathwayEvent[] = [
      ...p0Discharged(),
      { type: 'readmission_watch.expired', at: '2026-04-03T00:00:00.000Z' },
      { type: 'pathway.handed_back', at: '2026-04-03T00:00:00.000Z', outcome: 'home' },
    ];
    given(...handedBack)
      .when({ type: 'consent', at: '2026-04-04T10:00:00.000Z', agency: 'gp', given: false })
      .thenRejects('closed');
  });
});

describe('A&E attendance during the watch', () => {
  const attend = (attendedOn: string, at = `${attendedOn}T20:00:00.000Z`): PathwayCommand => ({
    type: 'emergency-attendance',
    at,
    attendedOn,
  });

  it('is recorded with its day of the watch, distinct from a readmission: the pathway carries on', () => {
    const events = given(...p1Discharged())
      .when(attend(date(10)))
      .then({ type: 'emergency_attendance.recorded', attendedOn: date(10), dayOfWatch: 6 });
    const state = given(...p1Discharged(), ...events).state();
    expect(state.stage).toBe('intermediate_care');
    expect(state.watch?.attendances).toEqual([date(10)]);
  });

  it('only during the watch, once it has happened', () => {
    given(...p1Discharged())
      .when(attend(date(3), day(5)))
      .thenRejects('invalid', /attendedOn: before the discharge date/);
    given(...p1Discharged())
      .when(attend(date(12), day(11)))
      .thenRejects('invalid', /once it has happened/);
    given(...history([start(), assess('P0', [])]))
      .when(attend(date(2), day(2)))
      .thenRejects('not_allowed_in_stage');
    const expired = then(p0Discharged(), tick('2026-04-03T00:00:00.000Z'));
    given(...expired)
      .when(attend('2026-04-03'))
      .thenRejects('closed');
  });
});

describe('cancellation', () => {
  it('is allowed when admitted, with nothing to put on hold', () => {
    given(started())
      .when({ type: 'cancel', at: day(5), reason: 'died' })
      .then({ type: 'pathway.cancelled', at: day(5), reason: 'died' });
  });

  it('is allowed while arranging and puts every live package on hold', () => {
    const arranging: PathwayEvent[] = p1Discharged().slice(0, 3);
    const events = given(...arranging)
      .when({ type: 'cancel', at: day(5), reason: 'died' })
      .then(
        { type: 'referral.on_hold', at: day(5), referralId: 'ref-1', agency: 'intermediate-care', reason: 'cancelled' },
        { type: 'pathway.cancelled', at: day(5), reason: 'died' },
      );
    expect(given(...arranging, ...events).state().stage).toBe('cancelled');
  });

  it('is allowed during intermediate care: the package is put on hold and the episode ends', () => {
    given(...p1Discharged())
      .when({ type: 'cancel', at: day(5), reason: 'died' })
      .then(
        { type: 'referral.on_hold', at: day(5), referralId: 'ref-1', agency: 'intermediate-care', reason: 'cancelled' },
        { type: 'intermediate_care.ended', at: day(5), reason: 'cancelled', days: 1 },
        { type: 'pathway.cancelled', at: day(5), reason: 'died' },
      );
  });

  it('a cancelled pathway rejects everything', () => {
    const closed: PathwayEvent[] = [started(), { type: 'pathway.cancelled', at: day(2), reason: 'transferred' }];
    given(...closed)
      .when({ type: 'cancel', at: day(3), reason: 'other' })
      .thenRejects('closed');
    given(...closed)
      .when({ type: 'discharge-ready', at: day(3), date: date(3) })
      .thenRejects('closed');
  });
});
