import { describe, expect, it } from 'vitest';
import {
  activeDelayReasonCodes,
  activeReasons,
  awaitingAgencies,
  delaySummary,
  isClosed,
  nextDeadline,
  resolvePolicy,
} from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { Funding, Service } from '../../schemas/common';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { p1InIntermediateCare, started } from './events';
import { assessment, date, day, given, givenRules1 } from './spec';

const policy = resolvePolicy('england');
const assess = (pathway: 'P0' | 'P1' | 'P2' | 'P3', needs: string[], at = day(3, '09:00:00')): PathwayCommand =>
  assessment(pathway, needs, at);
const respond = (
  referralId: string,
  agency: string,
  response: 'accepted' | 'declined' | 'ready',
  at = day(3, '12:00:00'),
): PathwayCommand => ({ type: 'referral-response', at, referralId, agency, response }) as PathwayCommand;
const discharge = (n = 4, destination = 'usual-residence'): PathwayCommand =>
  ({ type: 'discharge', at: day(n, '15:00:00'), date: date(n), destination }) as PathwayCommand;
/** The given events, then what the command under test decides from the state they fold to. */
const then = (events: PathwayEvent[], command: PathwayCommand) => [
  ...events,
  ...given(...events)
    .when(command)
    .events(),
];
const readmit = (admittedOn: string, at = `${admittedOn}T08:00:00.000Z`): PathwayCommand => ({
  type: 'readmission',
  at,
  newAdmissionId: 'A2',
  admittedOn,
  emergency: true,
});

// The specs' given events, written out by hand and never decided, so a wrong setup event cannot
// hide behind the code under test. Only the command under test is decided.
const patient = started().patient;
const participants: EventOf<'assessment.completed'>['participants'] = ['nurse', 'social_worker', 'patient'];
const nhsFree: Funding = { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' };
const councilFree: Funding = { payer: 'council', charging: 'free', financialAssessment: 'not_needed' };
const meansTested: Funding = { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' };

/** Admitted on the 1st (every consent given unless overridden), the discharge ready date the 2nd. */
const admitted = (overrides: Partial<EventOf<'pathway.started'>> = {}): PathwayEvent[] => [
  started(overrides),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
];

/** The joint assessment at 09:00 on the 3rd, a day after the DRD: a nurse, a social worker and the patient, who agrees. */
const assessedAt = day(3, '09:00:00');
const assessed = (
  pathway: EventOf<'assessment.completed'>['pathway'],
  needs: Service[],
): EventOf<'assessment.completed'> => ({
  type: 'assessment.completed',
  at: assessedAt,
  pathway,
  participants,
  needs,
  replan: false,
  agreement: { patient: 'agrees' },
  daysFromDischargeReady: 1,
});

type Requested = EventOf<'referral.requested'>;
/** A referral, by default one the assessment asked for (at 09:00 on the 3rd, consent already given); its deadlines and funding are written out each time. */
const referralRequested = (
  referral: Pick<Requested, 'referralId' | 'service' | 'agency' | 'acceptBy' | 'readyBy' | 'funding'> &
    Partial<Requested>,
): Requested => ({
  type: 'referral.requested',
  at: assessedAt,
  reason: 'assessment',
  consentRequired: false,
  ...referral,
});
/** Reablement (ref-1) from intermediate care: to accept within 24 hours, ready 48 hours after that, free from the NHS. */
const reablement = referralRequested({
  referralId: 'ref-1',
  service: 'reablement',
  agency: 'intermediate-care',
  acceptBy: day(4, '09:00:00'),
  readyBy: day(6, '09:00:00'),
  funding: nhsFree,
});
/** Equipment (ref-2): 24 hours to accept, 48 more to be ready, free from the council. */
const equipment = referralRequested({
  referralId: 'ref-2',
  service: 'equipment',
  agency: 'equipment',
  acceptBy: day(4, '09:00:00'),
  readyBy: day(6, '09:00:00'),
  funding: councilFree,
});

/** P1 arranging: reablement (ref-1) asked for at the assessment. */
const p1Reablement = (): PathwayEvent[] => [...admitted(), assessed('P1', ['reablement']), reablement];
/** P1 whose reablement intermediate care declined at `at`. */
const reablementDeclined = (at: string): PathwayEvent[] => [
  ...p1Reablement(),
  { type: 'referral.declined', at, referralId: 'ref-1', agency: 'intermediate-care' },
];
/** P1 ready for discharge: intermediate care answered ready (so accepted) at noon on the 3rd, from that day. */
const p1Ready = (): PathwayEvent[] => [
  ...p1Reablement(),
  {
    type: 'referral.accepted',
    at: day(3, '12:00:00'),
    referralId: 'ref-1',
    agency: 'intermediate-care',
    readyBy: day(6, '09:00:00'),
  },
  {
    type: 'referral.ready',
    at: day(3, '12:00:00'),
    referralId: 'ref-1',
    agency: 'intermediate-care',
    readyFrom: date(3),
  },
  { type: 'pathway.ready_for_discharge', at: day(3, '12:00:00') },
];
/** P1 arranging two packages: reablement (ref-1) and equipment (ref-2). */
const p1TwoPackages = (): PathwayEvent[] => [
  ...admitted(),
  assessed('P1', ['reablement', 'equipment']),
  reablement,
  equipment,
];
/** P0 ready for discharge, with no DRD: assessed on the 2nd with a nurse and the patient. */
const p0Ready = (): PathwayEvent[] => [
  started(),
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P0',
    participants: ['nurse', 'patient'],
    needs: [],
    replan: false,
    agreement: { patient: 'agrees' },
  },
  { type: 'pathway.ready_for_discharge', at: day(2) },
];

describe('referrals before and outside the joint assessment', () => {
  it('an early referral may go before the assessment; the assessment adopts it instead of referring twice', () => {
    // A CHC assessment (ref-1) asked for on the DRD, before any plan.
    const early: PathwayEvent[] = [
      ...admitted(),
      referralRequested({
        at: day(2),
        referralId: 'ref-1',
        service: 'chc-assessment',
        agency: 'community-health',
        reason: 'additional-need',
        acceptBy: day(3),
        readyBy: day(6),
        funding: nhsFree,
      }),
    ];
    expect(given(...early).state().stage).toBe('assessment');
    given(...early)
      .when(assess('P1', ['reablement', 'chc-assessment']))
      .then(
        { type: 'assessment.completed' },
        { type: 'referral.requested', referralId: 'ref-2', service: 'reablement' },
      );
  });

  it('a referral may name an agency other than the usual provider; its SLA and answers follow that agency', () => {
    const events = reablementDeclined(day(3, '12:00:00'));
    const [requested] = given(...events)
      .when({ type: 'referral', at: day(4), service: 'reablement', agency: 'voluntary', reason: 're-referral' })
      .then({
        type: 'referral.requested',
        referralId: 'ref-2',
        service: 'reablement',
        agency: 'voluntary',
        acceptBy: '2026-03-06T10:00:00.000Z',
        readyBy: '2026-03-09T10:00:00.000Z',
      });
    given(...events, requested)
      .when(respond('ref-2', 'intermediate-care', 'ready', day(5)))
      .thenRejects('wrong_agency');
    given(...events, requested)
      .when(respond('ref-2', 'voluntary', 'ready', day(5)))
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' }, { type: 'pathway.ready_for_discharge' });
  });

  it('a referral says by when support is expected; a step-down bed within 2 days of the request', () => {
    const events = given(...admitted())
      .when(assess('P2', ['step-down-bed', 'equipment']))
      .events();
    expect(events.filter((e) => e.type === 'referral.requested')).toMatchObject([
      { service: 'step-down-bed', acceptBy: '2026-03-04T09:00:00.000Z', readyBy: '2026-03-05T09:00:00.000Z' },
      { service: 'equipment', acceptBy: '2026-03-04T09:00:00.000Z', readyBy: '2026-03-06T09:00:00.000Z' },
    ]);
  });

  it('a declined referral no longer escalates; the other one still does', () => {
    const events: PathwayEvent[] = [
      ...p1TwoPackages(),
      { type: 'referral.declined', at: day(3, '12:00:00'), referralId: 'ref-1', agency: 'intermediate-care' },
    ];
    given(...events)
      .when({ type: 'tick', at: '2026-03-04T09:00:00.000Z' })
      .then({ type: 'referral.escalated', referralId: 'ref-2', level: 1 });
  });

  it('needs are de-duplicated: one referral per service', () => {
    const events = given(...admitted())
      .when(assess('P1', ['reablement', 'reablement']))
      .events();
    expect(events.filter((e) => e.type === 'referral.requested')).toHaveLength(1);
  });

  it('a changed plan to P0 withdraws every referral and the pathway is ready at once', () => {
    given(...p1TwoPackages())
      .when(assess('P0', [], day(4)))
      .then(
        { type: 'assessment.completed', pathway: 'P0', replan: true },
        { type: 'referral.withdrawn', referralId: 'ref-1' },
        { type: 'referral.withdrawn', referralId: 'ref-2' },
        { type: 'pathway.ready_for_discharge' },
      );
  });
});

describe('derived delay reasons', () => {
  /** The one referral (ref-1) each plan below asks for, with its agency's deadlines and the funding assumed from its service. */
  const onlyReferral: Record<string, Requested> = {
    'domiciliary-care': referralRequested({
      referralId: 'ref-1',
      service: 'domiciliary-care',
      agency: 'social-care',
      acceptBy: day(5, '09:00:00'),
      readyBy: day(8, '09:00:00'),
      funding: meansTested,
    }),
    // A step-down bed within 2 days of the request, before its SLA's 72 hours.
    'step-down-bed': referralRequested({
      referralId: 'ref-1',
      service: 'step-down-bed',
      agency: 'intermediate-care',
      acceptBy: day(4, '09:00:00'),
      readyBy: day(5, '09:00:00'),
      funding: nhsFree,
    }),
    'care-home-placement': referralRequested({
      referralId: 'ref-1',
      service: 'care-home-placement',
      agency: 'care-home',
      acceptBy: day(5, '09:00:00'),
      readyBy: day(10, '09:00:00'),
      funding: meansTested,
    }),
    'major-adaptations': referralRequested({
      referralId: 'ref-1',
      service: 'major-adaptations',
      agency: 'housing',
      acceptBy: day(6, '09:00:00'),
      readyBy: day(20, '09:00:00'),
      funding: meansTested,
    }),
    'chc-assessment': referralRequested({
      referralId: 'ref-1',
      service: 'chc-assessment',
      agency: 'community-health',
      acceptBy: day(4, '09:00:00'),
      readyBy: day(7, '09:00:00'),
      funding: nhsFree,
    }),
  };

  it.each([
    ['domiciliary-care', 'P1', 'awaiting_p1_resource', 'social-care'],
    ['step-down-bed', 'P2', 'awaiting_p2_bed', 'intermediate-care'],
    ['care-home-placement', 'P3', 'awaiting_p3_bed', 'care-home'],
    ['major-adaptations', 'P1', 'awaiting_equipment_adaptations', 'housing'],
    ['chc-assessment', 'P1', 'awaiting_chc_decision', 'community-health'],
  ])('an open %s referral implies %s attributed to %s, since the referral', (service, pathway, code, agency) => {
    const state = given(...admitted(), assessed(pathway as 'P1', [service as Service]), onlyReferral[service]).state();
    expect(activeReasons(state)).toEqual([
      { code, agency, waitingOn: 'agency', since: day(3, '09:00:00'), derived: true },
    ]);
  });

  it('a declined need still shows as a wait, on the agency that declined, since the decline, until re-referred', () => {
    const declined = reablementDeclined(day(4));
    expect(activeReasons(given(...declined).state())).toEqual([
      { code: 'awaiting_p1_resource', agency: 'intermediate-care', waitingOn: 'agency', since: day(4), derived: true },
    ]);
    const rereferred = then(declined, {
      type: 'referral',
      at: day(5),
      service: 'reablement',
      agency: 'social-care',
      reason: 're-referral',
    });
    expect(activeReasons(given(...rereferred).state())).toEqual([
      { code: 'awaiting_p1_resource', agency: 'social-care', waitingOn: 'agency', since: day(5), derived: true },
    ]);
  });

  it('housing for a homeless person is the homelessness reason; for a settled person, adaptations', () => {
    // Homeless: reablement, and housing (ref-2) under the duty to refer.
    const homeless: PathwayEvent[] = [
      ...admitted({ patient: { ...patient, housingStatus: 'homeless' } }),
      assessed('P1', ['reablement']),
      reablement,
      referralRequested({
        referralId: 'ref-2',
        service: 'housing',
        agency: 'housing',
        reason: 'duty-to-refer',
        acceptBy: day(6, '09:00:00'),
        readyBy: day(20, '09:00:00'),
        funding: councilFree,
      }),
    ];
    expect(activeReasons(given(...homeless).state()).find((r) => r.agency === 'housing')?.code).toBe('homeless_nrpf');
    // Settled: housing (ref-1) as an agreed need.
    const settled: PathwayEvent[] = [
      ...admitted(),
      assessed('P1', ['housing']),
      referralRequested({
        referralId: 'ref-1',
        service: 'housing',
        agency: 'housing',
        acceptBy: day(6, '09:00:00'),
        readyBy: day(20, '09:00:00'),
        funding: councilFree,
      }),
    ];
    expect(activeReasons(given(...settled).state())).toMatchObject([
      { code: 'awaiting_equipment_adaptations', agency: 'housing' },
    ]);
  });

  it('an explicit reason keeps its note; codes for the search attribute are distinct', () => {
    // P1 arranging reablement (ref-1) and therapy (ref-2, community health: 24 hours, then 72).
    const arranging: PathwayEvent[] = [
      ...admitted(),
      assessed('P1', ['reablement', 'therapy']),
      reablement,
      referralRequested({
        referralId: 'ref-2',
        service: 'therapy',
        agency: 'community-health',
        acceptBy: day(4, '09:00:00'),
        readyBy: day(7, '09:00:00'),
        funding: nhsFree,
      }),
    ];
    const events = then(arranging, {
      type: 'delay-reason',
      at: day(4),
      code: 'awaiting_transport',
      agency: 'acute-trust',
      note: 'wheelchair transport',
    });
    const state = given(...events).state();
    expect(activeReasons(state).find((r) => r.code === 'awaiting_transport')).toMatchObject({
      note: 'wheelchair transport',
      derived: false,
    });
    expect(activeDelayReasonCodes(state, date(5)).sort()).toEqual(['awaiting_p1_resource', 'awaiting_transport']);
  });

  it('after discharge nothing is awaited and no reason is active', () => {
    // P0 agreed the day after the DRD, ready at once.
    const p0Planned: PathwayEvent[] = [
      ...admitted(),
      assessed('P0', []),
      { type: 'pathway.ready_for_discharge', at: assessedAt },
    ];
    const events = then(p0Planned, discharge());
    const state = given(...events).state();
    expect(awaitingAgencies(state)).toEqual([]);
    expect(activeReasons(state)).toEqual([]);
    expect(delaySummary(state, date(30))).toMatchObject({
      daysDelayed: 2,
      band: '2-3',
      bedDaysLost: 2,
      priorDelayDays: 0,
    });
  });

  it('the summary keeps earlier DRD episodes apart from the current one', () => {
    // The DRD of the 2nd cleared on the 6th (4 days delayed), a new DRD on the 8th.
    const events: PathwayEvent[] = [
      ...admitted(),
      { type: 'discharge_ready.cleared', at: day(6), date: date(2), clearedOn: date(6), delayDays: 4 },
      { type: 'discharge_ready.recorded', at: day(8), date: date(8) },
    ];
    expect(delaySummary(given(...events).state(), date(9))).toMatchObject({
      drd: date(8),
      daysDelayed: 1,
      band: '1',
      priorDelayDays: 4,
      bedDaysLost: 5,
    });
  });
});

describe('consent', () => {
  it('withdrawn from an agency with a package blocks discharge again until it is given back', () => {
    expect(given(...p1Ready()).state().stage).toBe('ready_for_discharge');
    const withdrawn = then(p1Ready(), { type: 'consent', at: day(4), agency: 'intermediate-care', given: false });
    expect(given(...withdrawn).state().stage).toBe('arranging');
    // The wait is for the patient's consent, not for the agency.
    expect(awaitingAgencies(given(...withdrawn).state())).toEqual([]);
    expect(activeReasons(given(...withdrawn).state())).toMatchObject([
      { code: 'consent_required', agency: 'intermediate-care', waitingOn: 'patient' },
    ]);
    given(...withdrawn)
      .when(discharge())
      .thenRejects('not_allowed_in_stage', /consent required from: intermediate-care/);
    given(...withdrawn)
      .when({ type: 'consent', at: day(4), agency: 'intermediate-care', given: true })
      .then({ type: 'consent.recorded' }, { type: 'pathway.ready_for_discharge' });
  });

  it('withdrawn from an agency with no package changes nothing else', () => {
    const events = then(p1Ready(), { type: 'consent', at: day(4), agency: 'housing', given: false });
    expect(given(...events).state().stage).toBe('ready_for_discharge');
  });

  it('recording the same consent twice is refused', () => {
    given(...p1Ready())
      .when({ type: 'consent', at: day(4), agency: 'intermediate-care', given: true })
      .thenRejects('duplicate');
  });

  it('a homeless person without housing consent: the duty-to-refer referral is made but flagged, and blocks', () => {
    // At risk of homelessness, no consents yet; the start under the current rules, and one recording no rules (rules 1).
    const atRisk = { patient: { ...patient, housingStatus: 'at_risk_of_homelessness' as const }, consents: [] };
    const events = then(admitted(atRisk), assess('P0', []));
    expect(events.find((e) => e.type === 'referral.requested')).toMatchObject({
      service: 'housing',
      consentRequired: true,
      reason: 'duty-to-refer',
    });
    const state = given(...events).state();
    // At risk of homelessness is not homelessness: it awaits housing (rules 1 labelled it homelessness).
    expect(
      activeReasons(state)
        .map((r) => r.code)
        .sort(),
    ).toEqual(['awaiting_housing', 'consent_required']);
    const admittedRules1 = admitted({ ...atRisk, rules: undefined });
    const rules1Events = [
      ...admittedRules1,
      ...givenRules1(...admittedRules1)
        .when(assess('P0', []))
        .events(),
    ];
    expect(
      activeReasons(givenRules1(...rules1Events).state())
        .map((r) => r.code)
        .sort(),
    ).toEqual(['consent_required', 'homeless_nrpf']);
  });
});

describe('P3 and discharge', () => {
  /** P3 ready: the care home (ref-1) answered ready at 10:00 on the 5th, an hour past its acceptance deadline, so accepted with it. */
  const p3Ready = (): PathwayEvent[] => [
    ...admitted(),
    assessed('P3', ['care-home-placement']),
    referralRequested({
      referralId: 'ref-1',
      service: 'care-home-placement',
      agency: 'care-home',
      acceptBy: day(5, '09:00:00'),
      readyBy: day(10, '09:00:00'),
      funding: meansTested,
    }),
    { type: 'referral.accepted', at: day(5), referralId: 'ref-1', agency: 'care-home', readyBy: day(10) },
    { type: 'referral.ready', at: day(5), referralId: 'ref-1', agency: 'care-home', readyFrom: date(5) },
    { type: 'pathway.ready_for_discharge', at: day(5) },
  ];

  it('P3: one care-home referral; once ready, discharge to the care home starts the watch only', () => {
    const arranging = then(admitted(), assess('P3', ['care-home-placement']));
    expect(arranging.filter((e) => e.type === 'referral.requested')).toMatchObject([
      { agency: 'care-home', service: 'care-home-placement' },
    ]);
    const ready = p3Ready();
    given(...ready)
      .when(discharge(6, 'care-home'))
      .then(
        { type: 'discharge.recorded', pathway: 'P3', destination: 'care-home', daysDelayed: 4 },
        { type: 'readmission_watch.started' },
      );
    expect(
      given(
        ...ready,
        ...given(...ready)
          .when(discharge(6, 'care-home'))
          .events(),
      ).state().stage,
    ).toBe('readmission_watch');
  });

  it('discharge is refused naming each referral that is not ready', () => {
    // Reablement (ref-1) ready at noon on the 3rd; equipment (ref-2) not answered.
    const events: PathwayEvent[] = [
      ...p1TwoPackages(),
      {
        type: 'referral.accepted',
        at: day(3, '12:00:00'),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        readyBy: day(6, '09:00:00'),
      },
      {
        type: 'referral.ready',
        at: day(3, '12:00:00'),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        readyFrom: date(3),
      },
    ];
    given(...events)
      .when(discharge())
      .thenRejects('not_allowed_in_stage', /referrals not ready: ref-2 \(equipment, requested\)$/);
  });

  it('a discharge to another trust is a destination', () => {
    given(...p0Ready())
      .when(discharge(4, 'other-trust'))
      .then(
        {
          type: 'discharge.recorded',
          date: date(4),
          destination: 'other-trust',
          pathway: 'P0',
          daysDelayed: 0,
          bedDaysLost: 0,
        },
        { type: 'readmission_watch.started', from: date(4), until: '2026-04-03' },
      );
  });
});

describe('after discharge', () => {
  /** P1 in intermediate care: reablement from the discharge on the 4th (the shared fixture). */
  const p1 = p1InIntermediateCare;
  /** Goals met at the first review, on the 10th: the episode ended after 6 days, the watch runs on. */
  const endedEarly = (): PathwayEvent[] => [
    ...p1(),
    { type: 'review.recorded', at: day(10), outcome: 'goals_met', goals: [], reviewNumber: 1, nextReviewDue: date(17) },
    { type: 'intermediate_care.ended', at: day(10), reason: 'goals_met', days: 6 },
  ];

  it('a readmission on the day of discharge (day 0) counts', () => {
    given(...p1())
      .when(readmit(date(4), day(4, '22:00:00')))
      .then(
        { type: 'referral.on_hold' },
        { type: 'intermediate_care.ended', reason: 'readmitted' },
        { type: 'pathway.readmitted', dayOfWatch: 0 },
      );
  });

  it('a readmission dated before the discharge is refused', () => {
    given(...p1())
      .when(readmit(date(3), day(5)))
      .thenRejects('invalid', /before the discharge date/);
  });

  it('no review once intermediate care has ended early', () => {
    given(...endedEarly())
      .when({ type: 'review', at: day(12), outcome: 'continue', goals: [] })
      .thenRejects('not_allowed_in_stage', /readmission_watch/);
  });

  it('intermediate care comes first in the deadlines: the first review before the watch ends', () => {
    expect(nextDeadline(given(...p1()).state(), policy)).toBe('2026-03-12T00:00:00.000Z');
  });

  it('a handed-back pathway is closed and rejects every command', () => {
    // The watch over on 3 April, nothing handed over: handed back home.
    const closed: PathwayEvent[] = [
      ...endedEarly(),
      { type: 'readmission_watch.expired', at: '2026-04-03T00:00:00.000Z' },
      { type: 'pathway.handed_back', at: '2026-04-03T00:00:00.000Z', outcome: 'home' },
    ];
    const state = given(...closed).state();
    expect(state.stage).toBe('handed_back');
    expect(isClosed(state)).toBe(true);
    expect(nextDeadline(state, policy)).toBeUndefined();
    given(...closed)
      .when(readmit('2026-04-02'))
      .thenRejects('closed');
    given(...closed)
      .when({ type: 'consent', at: '2026-04-04T10:00:00.000Z', agency: 'gp', given: true })
      .thenRejects('closed');
  });
});

describe('cancellation at later stages', () => {
  it('when ready for discharge: ready packages go on hold', () => {
    given(...p1Ready())
      .when({ type: 'cancel', at: day(4), reason: 'self_discharged' })
      .then(
        { type: 'referral.on_hold', referralId: 'ref-1', reason: 'cancelled' },
        { type: 'pathway.cancelled', reason: 'self_discharged' },
      );
  });

  it('during intermediate care: the care ends as cancelled', () => {
    given(...p1InIntermediateCare())
      .when({ type: 'cancel', at: day(9), reason: 'died' })
      .then(
        { type: 'referral.on_hold' },
        { type: 'intermediate_care.ended', reason: 'cancelled', days: 5 },
        { type: 'pathway.cancelled' },
      );
  });

  it('during the readmission watch after P0: just cancelled, no more deadlines', () => {
    // The P0 pathway discharged home on the 4th, in its watch.
    const p0: PathwayEvent[] = [
      ...p0Ready(),
      {
        type: 'discharge.recorded',
        at: day(4, '15:00:00'),
        date: date(4),
        destination: 'usual-residence',
        pathway: 'P0',
        daysDelayed: 0,
        bedDaysLost: 0,
      },
      { type: 'readmission_watch.started', at: day(4, '15:00:00'), from: date(4), until: '2026-04-03' },
    ];
    const events = then(p0, { type: 'cancel', at: day(9), reason: 'transferred' });
    expect(events.at(-1)).toMatchObject({ type: 'pathway.cancelled' });
    expect(nextDeadline(given(...events).state(), policy)).toBeUndefined();
  });
});
