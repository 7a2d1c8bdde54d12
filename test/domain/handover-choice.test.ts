import { describe, expect, it } from 'vitest';
import { initialState, nextDeadline, resolvePolicy, stuckSince } from '../../domain';
import { uncoveredHandover } from '../../domain/state';
import type { PathwayCommand } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { p1InIntermediateCare, p1ReadyForDischarge, started } from './events';
import { date, day, givenFrom } from './spec';

// Rules 6 (issue 24, item 3): a declined handover re-opens the choice, re-refer or extend the episode
// with a reason, and nobody is left awaited; an overdue review is chased to the lead professional
// too. Given: reablement (ref-1) under way since the 4th, due to end by 15 April, reviews weekly.
const inCare = (rules: 5 | 6): PathwayEvent[] => [started({ rules }), ...p1InIntermediateCare().slice(1)];
const handingOver = (rules: 5 | 6): PathwayEvent[] => [
  ...inCare(rules),
  {
    type: 'review.recorded',
    at: day(11),
    outcome: 'needs_long_term_support',
    goals: [],
    reviewNumber: 1,
    nextReviewDue: date(18),
    remainingNeeds: ['domiciliary-care'],
  },
  {
    type: 'handover.long_term_services',
    at: day(11),
    reason: 'long_term_needs',
    to: ['social-care', 'gp'],
    services: ['domiciliary-care'],
  },
  {
    type: 'referral.requested',
    at: day(11),
    referralId: 'ref-2',
    service: 'domiciliary-care',
    agency: 'social-care',
    reason: 'handover',
    purpose: 'handover',
    acceptBy: day(12),
    readyBy: day(14),
    consentRequired: false,
    funding: { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' },
  } as PathwayEvent,
];
const declined = (rules: 5 | 6): PathwayEvent[] => [
  ...handingOver(rules),
  {
    type: 'referral.declined',
    at: day(12),
    referralId: 'ref-2',
    agency: 'social-care',
    reason: 'No capacity this month',
  },
];
const extend = (at: string, until: string, reason = 'handover_declined') =>
  ({ type: 'extend-episode', at, until, reason }) as PathwayCommand;
const given = (...events: PathwayEvent[]) => givenFrom(initialState, ...events);
const policy = resolvePolicy('england');

describe('rules 6: a declined handover re-opens the choice', () => {
  it('the discharge team extends the episode with a reason: the declined need is no longer awaited from anyone, and the episode hands over again at its new end', () => {
    const [extended] = given(...declined(6))
      .when(extend(day(13), date(27)))
      .then({ type: 'intermediate_care.extended', at: day(13), until: date(27), reason: 'handover_declined' });
    const before = given(...declined(6)).state();
    expect(uncoveredHandover(before)).toEqual(['domiciliary-care']);
    const after = given(...declined(6), extended).state();
    expect(uncoveredHandover(after)).toEqual([]);
    // Stuck from the decline until the choice is made.
    expect(stuckSince(before)).toBe(day(12));
    expect(stuckSince(after)).toBeUndefined();
    expect(after.intermediateCare).toMatchObject({ endBy: date(27) });
    expect(after.intermediateCare?.awaitingHandover).toBeUndefined();
    // Nothing is due before the new end but the overdue review's chase (the review of the 18th).
    expect(nextDeadline(after, policy)).toBe('2026-03-19T00:00:00.000Z');
    // At the new end: handed over again, to the services the review named.
    const atEnd = given(...declined(6), extended)
      .when({ type: 'tick', at: '2026-03-27T00:00:00.000Z' })
      .events();
    expect(atEnd).toContainEqual(
      expect.objectContaining({
        type: 'handover.long_term_services',
        reason: 'six_week_limit',
        services: ['domiciliary-care'],
      }),
    );
    expect(atEnd).toContainEqual(
      expect.objectContaining({
        type: 'referral.requested',
        referralId: 'ref-3',
        service: 'domiciliary-care',
        agency: 'social-care',
        purpose: 'handover',
      }),
    );
  });

  it('or the discharge team re-refers: the need is covered again and the pathway no longer stuck, the episode still handing over', () => {
    const [rereferred] = given(...declined(6))
      .when({ type: 'referral', at: day(13), service: 'domiciliary-care', reason: 're-referral' } as PathwayCommand)
      .then({ type: 'referral.requested', referralId: 'ref-3', service: 'domiciliary-care', purpose: 'handover' });
    const after = given(...declined(6), rereferred).state();
    expect(uncoveredHandover(after)).toEqual([]);
    expect(stuckSince(after)).toBeUndefined();
    expect(after.intermediateCare?.awaitingHandover).toMatchObject({ services: ['domiciliary-care'] });
  });

  it('extending while a handover referral still stands withdraws it: the plan changed', () => {
    given(...handingOver(6))
      .when(extend(day(12), date(25), 'rehabilitation_continuing'))
      .then(
        { type: 'referral.withdrawn', at: day(12), referralId: 'ref-2', agency: 'social-care', reason: 'changed-plan' },
        { type: 'intermediate_care.extended', at: day(12), until: date(25), reason: 'rehabilitation_continuing' },
      );
  });

  it('refused: to a day already come, beyond the longest episode from today, the same end again, or with no episode under way', () => {
    given(...declined(6))
      .when(extend(day(13), date(13)))
      .thenRejects('invalid', /until: after today/);
    given(...declined(6))
      .when(extend(day(13), '2026-05-30'))
      .thenRejects('invalid', /until: at most 42 days from today/);
    const [extended] = given(...declined(6))
      .when(extend(day(13), date(27)))
      .events();
    given(...declined(6), extended)
      .when(extend(day(14), date(27)))
      .thenRejects('duplicate');
    given(started({ rules: 6 }), ...p1ReadyForDischarge(3).slice(1))
      .when(extend(day(7), date(20)))
      .thenRejects('not_allowed_in_stage');
  });

  it('rules 5 (pathways started before): refused, naming the older rules; the declined need stays awaited as before', () => {
    given(...declined(5))
      .when(extend(day(13), date(27)))
      .thenRejects('invalid', /started under older rules/);
    expect(uncoveredHandover(given(...declined(5)).state())).toEqual(['domiciliary-care']);
    expect(stuckSince(given(...declined(5)).state())).toBe(day(12));
  });
});

describe('rules 6: an overdue review is chased to the lead professional too', () => {
  const lead: PathwayEvent = {
    type: 'lead_professional.assigned',
    at: day(5),
    scope: 'intermediate-care',
    role: 'occupational_therapist',
    team: 'Leeds reablement',
  };
  const tick = { type: 'tick', at: '2026-03-12T09:00:00.000Z' } as PathwayCommand;

  it('the chase names the lead (a role and a team) beside the provider', () => {
    given(...inCare(6), lead)
      .when(tick)
      .then({
        type: 'review.overdue',
        dueOn: date(11),
        level: 1,
        leadProfessional: { role: 'occupational_therapist', team: 'Leeds reablement' },
      });
  });

  it('with no lead named, or under rules 5, the chase is the provider’s alone', () => {
    const [none] = given(...inCare(6))
      .when(tick)
      .events();
    expect(none).not.toHaveProperty('leadProfessional');
    const [older] = given(...inCare(5), lead)
      .when(tick)
      .events();
    expect(older).toMatchObject({ type: 'review.overdue', level: 1 });
    expect(older).not.toHaveProperty('leadProfessional');
  });
});
