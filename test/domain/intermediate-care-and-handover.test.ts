import { describe, expect, it } from 'vitest';
import { awaitingAgencies, handoverUnderway, nextDeadline, overdueSince, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import { PathwayEvent } from '../../schemas/events';
import { p1InIntermediateCare } from './events';
import { assessment, date, day, given, history as historyUnder, rules3, start } from './spec';

// Intermediate care only when arranged, and a handover someone must accept (rules 2), on pathways
// under rules 3: rules 4 add a welfare check to every P1 discharge, and refuse one before a service
// starts unless a bridge or the patient's informed choice is recorded (safe-for-the-patient.test.ts).
const policy = resolvePolicy('england');
const history = (commands: PathwayCommand[], under = policy) => historyUnder(commands, under, rules3);
const assess = (needs: string[], pathway = 'P1'): PathwayCommand => assessment(pathway, needs, day(2));
const ready = (referralId: string, agency: string, at = day(3), readyFrom?: string): PathwayCommand =>
  ({
    type: 'referral-response',
    at,
    referralId,
    agency,
    response: 'ready',
    ...(readyFrom ? { readyFrom } : {}),
  }) as PathwayCommand;
const respond = (referralId: string, agency: string, response: 'accepted' | 'declined', at: string): PathwayCommand =>
  ({ type: 'referral-response', at, referralId, agency, response }) as PathwayCommand;
const discharge: PathwayCommand = {
  type: 'discharge',
  at: day(4, '15:00:00'),
  date: date(4),
  destination: 'usual-residence',
};
const tick = (at: string): PathwayCommand => ({ type: 'tick', at });
const review = (
  at: string,
  outcome: 'continue' | 'goals_met' | 'needs_long_term_support',
  remainingNeeds?: string[],
): PathwayCommand =>
  ({ type: 'review', at, outcome, goals: [], ...(remainingNeeds ? { remainingNeeds } : {}) }) as PathwayCommand;
const then = (events: PathwayEvent[], ...commands: PathwayCommand[]) =>
  commands.reduce(
    (all, command) => [
      ...all,
      ...given(...all)
        .when(command)
        .events(),
    ],
    events,
  );

/** Reablement ready before the discharge on the 4th: the episode runs from the 4th to 15 April. */
const reabling = p1InIntermediateCare;

describe('intermediate care only when arranged', () => {
  it('a P1 discharge with ongoing home care and district nursing only starts no intermediate care: they are packages', () => {
    const events = history([
      start(),
      assess(['domiciliary-care', 'district-nursing']),
      ready('ref-1', 'social-care'),
      ready('ref-2', 'community-health'),
      discharge,
    ]);
    expect(events.slice(-2)).toMatchObject([
      { type: 'discharge.recorded', pathway: 'P1' },
      { type: 'readmission_watch.started' },
    ]);
    expect(events.some((e) => e.type === 'intermediate_care.started')).toBe(false);
    expect(given(...events).state().stage).toBe('readmission_watch');
    given(...events)
      .when(review(day(10), 'continue'))
      .thenRejects('not_allowed_in_stage', /only allowed during intermediate care/);
    // Nothing to hand over: handed back home when the watch ends.
    given(...events)
      .when(tick('2026-04-03T00:00:00.000Z'))
      .then({ type: 'readmission_watch.expired' }, { type: 'pathway.handed_back', outcome: 'home' });
  });

  it('reablement ready before the discharge starts on the discharge date, for 42 days, with its services', () => {
    given(...reabling().slice(0, 6))
      .when(discharge)
      .then(
        {
          type: 'discharge.recorded',
          at: day(4, '15:00:00'),
          date: date(4),
          destination: 'usual-residence',
          pathway: 'P1',
          daysDelayed: 0,
          bedDaysLost: 0,
        },
        { type: 'readmission_watch.started', at: day(4, '15:00:00'), from: date(4), until: '2026-04-03' },
        {
          type: 'intermediate_care.started',
          at: day(4, '15:00:00'),
          startDate: date(4),
          endBy: '2026-04-15',
          firstReviewDue: date(11),
          services: ['reablement'],
        },
      );
  });

  it('reablement that starts after the discharge starts the episode on its readyFrom day, not before', () => {
    const events = history([
      start(),
      assess(['reablement', 'equipment']),
      ready('ref-1', 'intermediate-care', day(3), date(6)),
      ready('ref-2', 'equipment'),
      discharge,
    ]);
    expect(events.slice(-2)).toMatchObject([{ type: 'discharge.recorded' }, { type: 'readmission_watch.started' }]);
    expect(given(...events).state().stage).toBe('readmission_watch');
    expect(nextDeadline(given(...events).state(), policy)).toBe('2026-03-06T00:00:00.000Z');
    given(...events)
      .when(tick('2026-03-05T23:59:59.000Z'))
      .then();
    given(...events)
      .when(review(day(5), 'continue'))
      .thenRejects('not_allowed_in_stage');
    const started = given(...events)
      .when(tick('2026-03-06T00:00:00.000Z'))
      .then({
        type: 'intermediate_care.started',
        startDate: date(6),
        endBy: '2026-04-17',
        firstReviewDue: date(13),
        services: ['reablement'],
      });
    expect(given(...events, ...started).state().stage).toBe('intermediate_care');
  });

  it('a step-down bed (P2) starts an episode; so does rehabilitation at home', () => {
    const p2 = history([
      start(),
      assess(['step-down-bed'], 'P2'),
      ready('ref-1', 'intermediate-care'),
      { ...discharge, destination: 'community-bed' } as PathwayCommand,
    ]);
    expect(p2.at(-1)).toMatchObject({ type: 'intermediate_care.started', services: ['step-down-bed'] });
    const rehab = history([
      start(),
      assess(['rehabilitation-at-home']),
      ready('ref-1', 'intermediate-care'),
      discharge,
    ]);
    expect(rehab.at(-1)).toMatchObject({ type: 'intermediate_care.started', services: ['rehabilitation-at-home'] });
  });

  it('each scheme has its own length (policy); an episode of several lasts as long as the longest', () => {
    const short = resolvePolicy('england', { intermediateCareDays: { reablement: 14 } });
    expect(
      history([start(), assess(['reablement']), ready('ref-1', 'intermediate-care'), discharge], short).at(-1),
    ).toMatchObject({ endBy: '2026-03-18' });
    const both = history(
      [
        start(),
        assess(['reablement', 'rehabilitation-at-home']),
        ready('ref-1', 'intermediate-care'),
        ready('ref-2', 'intermediate-care'),
        discharge,
      ],
      short,
    );
    expect(both.at(-1)).toMatchObject({ endBy: '2026-04-15', services: ['reablement', 'rehabilitation-at-home'] });
    expect(() => resolvePolicy('england', { intermediateCareDays: { reablement: 50 } })).toThrow(
      /intermediateCareDays\.reablement/,
    );
    expect(() => resolvePolicy('england', { intermediateCareDays: { 'domiciliary-care': 10 } })).toThrow(
      /intermediateCareDays/,
    );
  });

  it('a readmission before the arranged episode starts puts it on hold: no intermediate care', () => {
    const events = history([
      start(),
      assess(['reablement']),
      ready('ref-1', 'intermediate-care', day(3), date(6)),
      discharge,
    ]);
    given(...events)
      .when({ type: 'readmission', at: day(5), newAdmissionId: 'A2', admittedOn: date(5), emergency: true })
      .then({ type: 'referral.on_hold', referralId: 'ref-1' }, { type: 'pathway.readmitted' });
  });

  it('handback waits for an arranged episode that has not started yet', () => {
    const late = history([
      start(),
      assess(['reablement']),
      ready('ref-1', 'intermediate-care', day(3), '2026-04-10'),
      discharge,
    ]);
    given(...late)
      .when(tick('2026-04-03T00:00:00.000Z'))
      .then({ type: 'readmission_watch.expired' });
  });
});

describe('lead professionals', () => {
  const lead = (scope: 'pathway' | 'intermediate-care', at = day(5)): PathwayCommand => ({
    type: 'lead-professional',
    at,
    scope,
    role: 'occupational_therapist',
    team: 'Reablement team east',
  });

  it('the pathway and its intermediate-care episode each have a named lead: a role and a team', () => {
    given(...history([start()]))
      .when(lead('pathway', day(2)))
      .then({
        type: 'lead_professional.assigned',
        scope: 'pathway',
        role: 'occupational_therapist',
        team: 'Reablement team east',
      });
    const events = then(reabling(), lead('intermediate-care'));
    expect(given(...events).state().intermediateCare?.lead).toEqual({
      role: 'occupational_therapist',
      team: 'Reablement team east',
    });
  });

  it('an episode lead needs an episode under way', () => {
    given(...history([start()]))
      .when(lead('intermediate-care', day(2)))
      .thenRejects('not_allowed_in_stage', /no episode under way/);
  });
});

describe('handover to long-term services, as a referral', () => {
  const handingOver = () =>
    then(reabling(), review(day(20), 'needs_long_term_support', ['domiciliary-care', 'district-nursing']));

  it('needs long-term support: a handover referral to each service that takes over, with deadlines; the episode stays open', () => {
    given(...reabling())
      .when(review(day(20), 'needs_long_term_support', ['domiciliary-care', 'district-nursing']))
      .then(
        {
          type: 'review.recorded',
          outcome: 'needs_long_term_support',
          remainingNeeds: ['domiciliary-care', 'district-nursing'],
        },
        {
          type: 'handover.long_term_services',
          reason: 'long_term_needs',
          to: ['social-care', 'community-health', 'gp'],
          services: ['domiciliary-care', 'district-nursing'],
        },
        {
          type: 'referral.requested',
          referralId: 'ref-2',
          service: 'domiciliary-care',
          agency: 'social-care',
          reason: 'handover',
          purpose: 'handover',
          acceptBy: '2026-03-22T10:00:00.000Z',
        },
        {
          type: 'referral.requested',
          referralId: 'ref-3',
          service: 'district-nursing',
          agency: 'community-health',
          reason: 'handover',
          purpose: 'handover',
          acceptBy: '2026-03-21T10:00:00.000Z',
        },
      );
    const state = given(...handingOver()).state();
    expect(state.stage).toBe('intermediate_care');
    expect(handoverUnderway(state)).toMatchObject({
      reason: 'long_term_needs',
      services: ['domiciliary-care', 'district-nursing'],
    });
    expect(awaitingAgencies(state)).toEqual(['community-health', 'social-care']);
  });

  it('the episode ends when the last service taking over is ready; handback after the watch says long-term services', () => {
    const half = then(handingOver(), ready('ref-2', 'social-care', day(21)));
    expect(given(...half).state().intermediateCare?.ended).toBeUndefined();
    const done = given(...half)
      .when(ready('ref-3', 'community-health', day(22)))
      .then(
        { type: 'referral.accepted' },
        { type: 'referral.ready' },
        { type: 'intermediate_care.ended', reason: 'long_term_needs', days: 18 },
      );
    const after = [...half, ...done];
    expect(given(...after).state().stage).toBe('readmission_watch');
    given(...after)
      .when(tick('2026-04-03T00:00:00.000Z'))
      .then({ type: 'readmission_watch.expired' }, { type: 'pathway.handed_back', outcome: 'long_term_services' });
  });

  it('a handover referral escalates after discharge like any referral until answered', () => {
    const events = handingOver();
    expect(nextDeadline(given(...events).state(), policy)).toBe('2026-03-21T10:00:00.000Z');
    const escalated = given(...events)
      .when(tick('2026-03-21T10:00:00.000Z'))
      .then({
        type: 'referral.escalated',
        referralId: 'ref-3',
        agency: 'community-health',
        kind: 'acceptance',
        level: 1,
      });
    expect(overdueSince(given(...events, ...escalated).state())).toBe('2026-03-21T10:00:00.000Z');
  });

  it('at the six-week limit with nothing recorded, long-term social care takes over; the episode stays open until it is ready', () => {
    const limit = then(reabling(), tick('2026-04-03T00:00:00.000Z'));
    const handover = given(...limit)
      .when(tick('2026-04-15T00:00:00.000Z'))
      .then(
        {
          type: 'handover.long_term_services',
          reason: 'six_week_limit',
          to: ['social-care', 'gp'],
          services: ['domiciliary-care'],
        },
        {
          type: 'referral.requested',
          referralId: 'ref-2',
          agency: 'social-care',
          purpose: 'handover',
          acceptBy: '2026-04-17T00:00:00.000Z',
        },
      );
    const awaiting = [...limit, ...handover];
    expect(given(...awaiting).state().stage).toBe('intermediate_care');
    // Past its limit the episode is awaiting handover: the next deadline is the referral's, not the limit again.
    expect(nextDeadline(given(...awaiting).state(), policy)).toBe('2026-04-17T00:00:00.000Z');
    given(...awaiting)
      .when(tick('2026-04-17T00:00:00.000Z'))
      .then({ type: 'referral.escalated', referralId: 'ref-2', level: 1 });
    given(...awaiting)
      .when(ready('ref-2', 'social-care', '2026-04-18T10:00:00.000Z'))
      .then(
        { type: 'referral.accepted' },
        { type: 'referral.ready' },
        { type: 'intermediate_care.ended', reason: 'six_week_limit', days: 45 },
        { type: 'pathway.handed_back', outcome: 'long_term_services' },
      );
  });

  it('a service taking over from a later day ends the episode on that day', () => {
    const awaiting = then(
      reabling(),
      tick('2026-04-03T00:00:00.000Z'),
      tick('2026-04-15T00:00:00.000Z'),
      ready('ref-2', 'social-care', '2026-04-16T10:00:00.000Z', '2026-04-20'),
    );
    expect(given(...awaiting).state().intermediateCare?.ended).toBeUndefined();
    expect(nextDeadline(given(...awaiting).state(), policy)).toBe('2026-04-20T00:00:00.000Z');
    given(...awaiting)
      .when(tick('2026-04-20T00:00:00.000Z'))
      .then({ type: 'intermediate_care.ended', reason: 'six_week_limit', days: 47 }, { type: 'pathway.handed_back' });
  });

  it("the latest review's transition plan is what is handed over at the limit; none remaining ends the episode", () => {
    const planned = then(reabling(), review(day(11), 'continue', ['therapy']), tick('2026-04-03T00:00:00.000Z'));
    given(...planned)
      .when(tick('2026-04-15T00:00:00.000Z'))
      .then(
        { type: 'handover.long_term_services', to: ['community-health', 'gp'], services: ['therapy'] },
        { type: 'referral.requested', service: 'therapy' },
      );
    const none = then(reabling(), review(day(11), 'continue', []), tick('2026-04-03T00:00:00.000Z'));
    given(...none)
      .when(tick('2026-04-15T00:00:00.000Z'))
      .then(
        { type: 'intermediate_care.ended', reason: 'six_week_limit' },
        { type: 'pathway.handed_back', outcome: 'home' },
      );
  });

  it('goals met with needs remaining hands those over; goals met with none ends the episode', () => {
    given(...reabling())
      .when(review(day(18), 'goals_met', ['district-nursing']))
      .then(
        { type: 'review.recorded' },
        { type: 'handover.long_term_services', reason: 'goals_met', services: ['district-nursing'] },
        { type: 'referral.requested', agency: 'community-health', purpose: 'handover' },
      );
    given(...reabling())
      .when(review(day(18), 'goals_met'))
      .then({ type: 'review.recorded' }, { type: 'intermediate_care.ended', reason: 'goals_met' });
  });

  it('needs long-term support hands over at least one need', () => {
    given(...reabling())
      .when(review(day(18), 'needs_long_term_support', []))
      .thenRejects('invalid', /remainingNeeds/);
  });

  it('a declined handover keeps the episode open until a re-referral is ready', () => {
    const declined = then(
      handingOver(),
      respond('ref-2', 'social-care', 'declined', day(21)),
      ready('ref-3', 'community-health', day(21)),
    );
    expect(given(...declined).state().intermediateCare?.ended).toBeUndefined();
    const rereferred = given(...declined)
      .when({ type: 'referral', at: day(22), service: 'domiciliary-care', reason: 're-referral' })
      .then({
        type: 'referral.requested',
        referralId: 'ref-4',
        agency: 'social-care',
        purpose: 'handover',
        reason: 're-referral',
      });
    given(...declined, ...rereferred)
      .when(ready('ref-4', 'social-care', day(23)))
      .then(
        { type: 'referral.accepted' },
        { type: 'referral.ready' },
        { type: 'intermediate_care.ended', reason: 'long_term_needs' },
      );
  });

  it('after discharge only handover referrals are made and answered', () => {
    given(...reabling())
      .when({ type: 'referral', at: day(6), service: 'domiciliary-care', reason: 'additional-need' })
      .thenRejects('not_allowed_in_stage', /stage intermediate_care/);
    given(...reabling())
      .when(ready('ref-1', 'intermediate-care', day(6)))
      .thenRejects('not_allowed_in_stage', /stage intermediate_care/);
    given(...handingOver())
      .when(respond('ref-1', 'intermediate-care', 'declined', day(21)))
      .thenRejects('not_allowed_in_stage', /was for the discharge/);
    given(...handingOver())
      .when({ type: 'referral', at: day(21), service: 'district-nursing', reason: 're-referral' })
      .thenRejects('duplicate', /ref-3/);
  });

  it("another agency's referral is refused as not its own before anything else is said of it (that it was the discharge's, here)", () => {
    given(...handingOver())
      .when(respond('ref-1', 'social-care', 'declined', day(21)))
      .thenRejects('wrong_agency', /^referral ref-1 is addressed to intermediate-care, not social-care$/);
    given(...handingOver())
      .when(respond('ref-3', 'social-care', 'accepted', day(21)))
      .thenRejects('wrong_agency');
  });

  it('a review while handing over re-plans the handover: needs no longer remaining are withdrawn', () => {
    given(...handingOver())
      .when(review(day(25), 'goals_met', ['district-nursing']))
      .then(
        { type: 'review.recorded' },
        { type: 'referral.withdrawn', referralId: 'ref-2', agency: 'social-care' },
        { type: 'handover.long_term_services', reason: 'goals_met', services: ['district-nursing'] },
      );
  });

  it('a readmission while handing over puts the handover on hold with the packages', () => {
    given(...handingOver())
      .when({ type: 'readmission', at: day(25), newAdmissionId: 'A2', admittedOn: date(25), emergency: true })
      .then(
        { type: 'referral.on_hold', referralId: 'ref-1' },
        { type: 'referral.on_hold', referralId: 'ref-2' },
        { type: 'referral.on_hold', referralId: 'ref-3' },
        { type: 'intermediate_care.ended', reason: 'readmitted' },
        { type: 'pathway.readmitted' },
      );
  });

  it('every event of a pathway handed over is valid against PathwayEvent', () => {
    const events = then(
      handingOver(),
      ready('ref-2', 'social-care', day(21)),
      ready('ref-3', 'community-health', day(22)),
      tick('2026-04-03T00:00:00.000Z'),
    );
    expect(events.at(-1)).toMatchObject({ type: 'pathway.handed_back' });
    for (const event of events) expect(PathwayEvent.safeParse(event).success, event.type).toBe(true);
  });
});
