import { describe, expect, it } from 'vitest';
import { evolve, nextDeadline, resolvePolicy, type PathwayState } from '../../domain';
import { agencyViews } from '../../schemas/data-minimisation';
import type { PathwayCommand } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { routingContext } from '../../workflows/routing-context';
import { p1InIntermediateCare } from './events';
import { date, day, given } from './spec';

// What the agencies that deliver the care write back (issue 24), each only for its own referral or
// episode. Given: reablement (ref-1, intermediate care) under way since the 4th, with equipment
// (ref-2), home care (ref-3, social care) and housing (ref-4) in place for the same discharge.
const referred = (
  referralId: string,
  service: string,
  agency: string,
  funding: EventOf<'referral.requested'>['funding'],
): PathwayEvent[] => [
  {
    type: 'referral.requested',
    at: day(2),
    referralId,
    service,
    agency,
    reason: 'assessment',
    acceptBy: day(3),
    readyBy: day(5),
    consentRequired: false,
    funding,
  } as PathwayEvent,
  { type: 'referral.accepted', at: day(3), referralId, agency, readyBy: day(5) } as PathwayEvent,
  { type: 'referral.ready', at: day(3), referralId, agency, readyFrom: date(4) } as PathwayEvent,
];
const free = { payer: 'council', charging: 'free', financialAssessment: 'not_needed' } as const;
const meansTested = { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' } as const;
const base = p1InIntermediateCare();
const inCare: PathwayEvent[] = [
  ...base.slice(0, 3),
  ...referred('ref-2', 'equipment', 'equipment', free),
  ...referred('ref-3', 'domiciliary-care', 'social-care', meansTested),
  ...referred('ref-4', 'housing', 'housing', free),
  ...base.slice(3),
];
const as = (type: string, at: string, payload: Record<string, unknown>) => ({ type, at, ...payload }) as PathwayCommand;
const policy = resolvePolicy('england');
const stateOf = (...events: PathwayEvent[]): PathwayState => events.reduce(evolve, given().state());

describe('the intermediate-care provider writes back its reviews', () => {
  it("records a review with the person's needs now: the latest picture", () => {
    const needsNow = { functionalNeeds: ['Needs help to wash'], risks: ['Falls on the stairs'] };
    const [review] = given(...inCare)
      .when(
        as('episode-review', day(11), {
          agency: 'intermediate-care',
          outcome: 'continue',
          goals: ['Walk to the shop'],
          needsNow,
        }),
      )
      .then({
        type: 'review.recorded',
        at: day(11),
        outcome: 'continue',
        goals: ['Walk to the shop'],
        reviewNumber: 1,
        nextReviewDue: date(18),
        needsNow,
      });
    expect(stateOf(...inCare, review).intermediateCare?.latestReview).toEqual({
      reviewNumber: 1,
      on: date(11),
      goals: ['Walk to the shop'],
      needsNow,
    });
  });

  it('goals met with no needs remaining ends the episode early', () => {
    given(...inCare)
      .when(
        as('episode-review', day(11), {
          agency: 'intermediate-care',
          outcome: 'goals_met',
          goals: [],
          remainingNeeds: [],
        }),
      )
      .then(
        { type: 'review.recorded', outcome: 'goals_met', reviewNumber: 1, remainingNeeds: [] },
        { type: 'intermediate_care.ended', at: day(11), reason: 'goals_met', days: 7 },
      );
  });

  it('needs for long-term support hand over to the services taking over', () => {
    given(...inCare)
      .when(
        as('episode-review', day(11), {
          agency: 'intermediate-care',
          outcome: 'needs_long_term_support',
          goals: [],
          remainingNeeds: ['district-nursing'],
        }),
      )
      .then(
        { type: 'review.recorded', remainingNeeds: ['district-nursing'] },
        {
          type: 'handover.long_term_services',
          reason: 'long_term_needs',
          to: ['community-health', 'gp'],
          services: ['district-nursing'],
        },
        {
          type: 'referral.requested',
          referralId: 'ref-5',
          service: 'district-nursing',
          agency: 'community-health',
          purpose: 'handover',
        },
      );
  });

  it('proposes the transition plan; the same plan again is a duplicate', () => {
    const [plan] = given(...inCare)
      .when(
        as('transition-plan', day(12), {
          agency: 'intermediate-care',
          remainingNeeds: ['domiciliary-care', 'domiciliary-care'],
          notes: 'Morning calls',
        }),
      )
      .then({
        type: 'transition_plan.proposed',
        at: day(12),
        remainingNeeds: ['domiciliary-care'],
        notes: 'Morning calls',
      });
    expect(stateOf(...inCare, plan).intermediateCare?.remainingNeeds).toEqual(['domiciliary-care']);
    given(...inCare, plan)
      .when(as('transition-plan', day(13), { agency: 'intermediate-care', remainingNeeds: ['domiciliary-care'] }))
      .thenRejects('duplicate');
  });

  it('another agency cannot review or plan the episode; nor can anyone before it is under way', () => {
    given(...inCare)
      .when(as('episode-review', day(11), { agency: 'equipment', outcome: 'continue', goals: [] }))
      .thenRejects('wrong_agency', /provided by intermediate-care, not equipment/);
    given(...inCare)
      .when(as('transition-plan', day(11), { agency: 'social-care', remainingNeeds: [] }))
      .thenRejects('wrong_agency');
    given(...inCare.slice(0, -3))
      .when(as('episode-review', day(4), { agency: 'intermediate-care', outcome: 'continue', goals: [] }))
      .thenRejects('unknown_episode');
  });

  it('a plan while the handover is under way is refused: a review re-plans it', () => {
    const handingOver: PathwayEvent[] = [
      ...inCare,
      {
        type: 'handover.long_term_services',
        at: day(11),
        reason: 'long_term_needs',
        to: ['social-care', 'gp'],
        services: ['domiciliary-care'],
      },
    ];
    given(...handingOver)
      .when(as('transition-plan', day(12), { agency: 'intermediate-care', remainingNeeds: [] }))
      .thenRejects('not_allowed_in_stage', /a review re-plans it/);
  });
});

describe('social care records the funding decision for its own referral', () => {
  const decision = {
    agency: 'social-care',
    payer: 'council',
    charging: 'means_tested',
    financialAssessment: 'complete',
    chargesFrom: date(20),
  };

  it('records who pays and from when; the same decision again is a duplicate', () => {
    const [funding] = given(...inCare)
      .when(as('funding-decision', day(12), { referralId: 'ref-3', ...decision }))
      .then({
        type: 'funding.recorded',
        at: day(12),
        referralId: 'ref-3',
        agency: 'social-care',
        service: 'domiciliary-care',
        payer: 'council',
        charging: 'means_tested',
        financialAssessment: 'complete',
        chargesFrom: date(20),
      });
    given(...inCare, funding)
      .when(as('funding-decision', day(13), { referralId: 'ref-3', ...decision }))
      .thenRejects('duplicate');
  });

  it("refuses another agency's referral, an unknown one, and charges for a free service", () => {
    given(...inCare)
      .when(as('funding-decision', day(12), { referralId: 'ref-2', ...decision }))
      .thenRejects('wrong_agency');
    given(...inCare)
      .when(as('funding-decision', day(12), { referralId: 'ref-9', ...decision }))
      .thenRejects('unknown_referral');
    given(...inCare)
      .when(as('funding-decision', day(12), { referralId: 'ref-3', ...decision, charging: 'free' }))
      .thenRejects('invalid', /chargesFrom/);
  });
});

describe('any provider says whether its support started', () => {
  it('records the start; the same again is a duplicate, another day is refused', () => {
    const [started] = given(...inCare)
      .when(as('support-started', day(5), { referralId: 'ref-2', agency: 'equipment', startedOn: date(4) }))
      .then({
        type: 'support.started',
        at: day(5),
        referralId: 'ref-2',
        agency: 'equipment',
        service: 'equipment',
        startedOn: date(4),
      });
    given(...inCare, started)
      .when(as('support-started', day(6), { referralId: 'ref-2', agency: 'equipment', startedOn: date(4) }))
      .thenRejects('duplicate');
    given(...inCare, started)
      .when(as('support-started', day(6), { referralId: 'ref-2', agency: 'equipment', startedOn: date(5) }))
      .thenRejects('invalid', /already recorded as started on 2026-03-04/);
  });

  it('a missed first visit is recorded the day it is reported: the escalation to the discharge team', () => {
    const [missed] = given(...inCare)
      .when(
        as('support-not-started', day(5), {
          referralId: 'ref-3',
          agency: 'social-care',
          dueOn: date(5),
          reason: 'no_access',
        }),
      )
      .then({
        type: 'support.not_started',
        at: day(5),
        referralId: 'ref-3',
        agency: 'social-care',
        service: 'domiciliary-care',
        dueOn: date(5),
        reason: 'no_access',
      });
    expect(stateOf(...inCare, missed).referrals.find((r) => r.referralId === 'ref-3')?.notStartedOn).toBe(date(5));
    given(...inCare, missed)
      .when(
        as('support-not-started', day(6), {
          referralId: 'ref-3',
          agency: 'social-care',
          dueOn: date(5),
          reason: 'no_access',
        }),
      )
      .thenRejects('duplicate');
    // Started the next day: no longer missed.
    const [started] = given(...inCare, missed)
      .when(as('support-started', day(6), { referralId: 'ref-3', agency: 'social-care', startedOn: date(6) }))
      .events();
    expect(stateOf(...inCare, missed, started).referrals.find((r) => r.referralId === 'ref-3')).toMatchObject({
      startedOn: date(6),
      notStartedOn: undefined,
    });
    given(...inCare, missed, started)
      .when(
        as('support-not-started', day(7), {
          referralId: 'ref-3',
          agency: 'social-care',
          dueOn: date(7),
          reason: 'other',
        }),
      )
      .thenRejects('invalid', /recorded as started/);
  });

  it("refuses another's referral, a day before the discharge or still to come, and before the discharge", () => {
    given(...inCare)
      .when(as('support-started', day(5), { referralId: 'ref-1', agency: 'equipment', startedOn: date(4) }))
      .thenRejects('wrong_agency');
    given(...inCare)
      .when(as('support-started', day(5), { referralId: 'ref-2', agency: 'equipment', startedOn: date(3) }))
      .thenRejects('invalid', /before the discharge/);
    given(...inCare)
      .when(as('support-started', day(5), { referralId: 'ref-2', agency: 'equipment', startedOn: date(6) }))
      .thenRejects('invalid', /once the day has come/);
    given(...inCare.slice(0, -3))
      .when(as('support-started', day(4), { referralId: 'ref-2', agency: 'equipment', startedOn: date(4) }))
      .thenRejects('not_allowed_in_stage', /not been discharged/);
  });
});

describe('housing records its outcome', () => {
  it('records accommodation secured for its housing referral; an adaptations outcome is refused for it', () => {
    given(...inCare)
      .when(
        as('housing-outcome', day(6), {
          referralId: 'ref-4',
          agency: 'housing',
          outcome: 'accommodation_secured',
          on: date(5),
        }),
      )
      .then({
        type: 'housing_outcome.recorded',
        at: day(6),
        referralId: 'ref-4',
        agency: 'housing',
        service: 'housing',
        outcome: 'accommodation_secured',
        on: date(5),
      });
    given(...inCare)
      .when(
        as('housing-outcome', day(6), {
          referralId: 'ref-4',
          agency: 'housing',
          outcome: 'adaptations_done',
          on: date(5),
        }),
      )
      .thenRejects('invalid', /not an outcome of a housing referral/);
    given(...inCare)
      .when(
        as('housing-outcome', day(6), {
          referralId: 'ref-3',
          agency: 'housing',
          outcome: 'accommodation_secured',
          on: date(5),
        }),
      )
      .thenRejects('wrong_agency');
    given(...inCare)
      .when(
        as('housing-outcome', day(6), {
          referralId: 'ref-4',
          agency: 'housing',
          outcome: 'relief_duty_accepted',
          on: date(7),
        }),
      )
      .thenRejects('invalid', /once it is reached/);
  });
});

describe('the handover carries the latest picture', () => {
  const needsNow = { functionalNeeds: ['Needs help to wash'], clinical: ['Pressure area care'] };
  const reviewed: PathwayEvent[] = [
    ...inCare,
    {
      type: 'lead_professional.assigned',
      at: day(5),
      scope: 'intermediate-care',
      role: 'occupational_therapist',
      team: 'Leeds reablement',
    },
    {
      type: 'review.recorded',
      at: day(11),
      outcome: 'needs_long_term_support',
      goals: ['Walk to the shop'],
      reviewNumber: 1,
      nextReviewDue: date(18),
      remainingNeeds: ['domiciliary-care'],
      needsNow,
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
      referralId: 'ref-5',
      service: 'domiciliary-care',
      agency: 'social-care',
      reason: 'handover',
      purpose: 'handover',
      acceptBy: day(13),
      readyBy: day(16),
      consentRequired: false,
      funding: meansTested,
    },
  ];
  const viewAt = (n: number, agency: string) => {
    const events = reviewed.slice(0, n + 1);
    return agencyViews(events[n], routingContext(stateOf(...events))).find((v) => v.to.includes(agency as never))?.data;
  };

  it("social care's handover referral: the review's needs it may see (no clinical detail), goals, plan, funding and lead", () => {
    expect(viewAt(reviewed.length - 1, 'social-care')?.picture).toEqual({
      latestReview: {
        reviewNumber: 1,
        on: date(11),
        goals: ['Walk to the shop'],
        needsNow: { functionalNeeds: ['Needs help to wash'] },
      },
      transitionPlan: ['domiciliary-care'],
      leadProfessional: { role: 'occupational_therapist', team: 'Leeds reablement' },
      funding: [{ referralId: 'ref-5', service: 'domiciliary-care', agency: 'social-care', ...meansTested }],
    });
  });

  it('the GP: the handover with the clinical picture, and on the end of the episode the funding as recorded', () => {
    expect(viewAt(reviewed.length - 2, 'gp')?.picture).toMatchObject({
      latestReview: { needsNow },
      transitionPlan: ['domiciliary-care'],
    });
    const funded: PathwayEvent[] = [
      ...reviewed,
      {
        type: 'funding.recorded',
        at: day(12),
        referralId: 'ref-5',
        agency: 'social-care',
        service: 'domiciliary-care',
        payer: 'council',
        charging: 'means_tested',
        financialAssessment: 'complete',
        chargesFrom: date(14),
      },
      { type: 'referral.accepted', at: day(12), referralId: 'ref-5', agency: 'social-care', readyBy: day(16) },
      { type: 'referral.ready', at: day(13), referralId: 'ref-5', agency: 'social-care', readyFrom: date(14) },
      { type: 'intermediate_care.ended', at: day(14), reason: 'long_term_needs', days: 10 },
    ];
    const views = agencyViews(funded.at(-1)!, routingContext(stateOf(...funded)));
    expect(views.find((v) => v.to.includes('gp'))?.data.picture).toMatchObject({
      funding: [
        {
          referralId: 'ref-5',
          payer: 'council',
          charging: 'means_tested',
          financialAssessment: 'complete',
          chargesFrom: date(14),
        },
      ],
    });
    // The provider hears of its episode's end as before: no picture of the others' funding.
    expect(views.find((v) => v.to.includes('intermediate-care'))?.data).toEqual({
      reason: 'long_term_needs',
      days: 10,
    });
  });
});

describe('an overdue review keeps chasing (rules 5)', () => {
  // The first review was due on the 11th: overdue from the 12th.
  const rules5 = inCare.map((e) => (e.type === 'pathway.started' ? { ...e, rules: 5 as const } : e));
  const overdue: PathwayEvent = { type: 'review.overdue', at: '2026-03-12T00:00:00.000Z', dueOn: date(11), level: 1 };

  it('is chased again every escalation interval until a review is recorded', () => {
    given(...rules5)
      .when({ type: 'tick', at: '2026-03-12T00:00:00.000Z' })
      .then({ type: 'review.overdue', dueOn: date(11), level: 1 });
    expect(nextDeadline(stateOf(...rules5, overdue), policy)).toBe('2026-03-13T00:00:00.000Z');
    given(...rules5, overdue)
      .when({ type: 'tick', at: '2026-03-12T23:59:59.000Z' })
      .then();
    const [again] = given(...rules5, overdue)
      .when({ type: 'tick', at: '2026-03-13T00:00:00.000Z' })
      .then({ type: 'review.overdue', dueOn: date(11), level: 2 });
    expect(nextDeadline(stateOf(...rules5, overdue, again), policy)).toBe('2026-03-14T00:00:00.000Z');
    // A late tick chases at the level due, once.
    given(...rules5, overdue)
      .when({ type: 'tick', at: '2026-03-15T06:00:00.000Z' })
      .then({ type: 'review.overdue', level: 4 });
    // The provider's review stops the chase: the next one is due a week later.
    const [review] = given(...rules5, overdue, again)
      .when(as('episode-review', day(13), { agency: 'intermediate-care', outcome: 'continue', goals: [] }))
      .events();
    expect(nextDeadline(stateOf(...rules5, overdue, again, review), policy)).toBe('2026-03-21T00:00:00.000Z');
  });

  it('under rules 4 and before, the provider is told once', () => {
    const told = { ...overdue, level: undefined };
    given(...inCare)
      .when({ type: 'tick', at: '2026-03-12T00:00:00.000Z' })
      .then({ type: 'review.overdue', dueOn: date(11) });
    expect(nextDeadline(stateOf(...inCare, told), policy)).toBe('2026-04-03T00:00:00.000Z');
  });
});
