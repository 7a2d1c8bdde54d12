import { describe, expect, it } from 'vitest';
import { activeReasons, awaitingAgencies, nextDeadline, overdueSince, resolvePolicy } from '../../domain';
import { agencyViews, type RoutingContext } from '../../schemas/data-minimisation';
import type { PathwayCommand } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { routingContext } from '../../workflows/routing-context';
import { started } from './events';
import { StartPayload } from '../../schemas/commands';
import { admission } from '../support/fixtures';
import { date, day, given, givenFrom, rules3, start } from './spec';

// Issue 23, "safe for the patient": rules 4. Given events are literals; each row of the issue's
// table has its specs here, with what pathways started under rules 3 keep doing.
const policy = resolvePolicy('england');
const participants: EventOf<'assessment.completed'>['participants'] = ['nurse', 'social_worker', 'patient'];
const nhsFree = { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' } as const;
const councilFree = { payer: 'council', charging: 'free', financialAssessment: 'not_needed' } as const;
const then = (events: PathwayEvent[], command: PathwayCommand) => [
  ...events,
  ...given(...events)
    .when(command)
    .events(),
];

/** Arranging a P1 (rules 4): reablement requested (ref-1), equipment ready from the 3rd (ref-2); DRD and assessment on the 2nd. */
const p1Arranging = (rules: 3 | 4 = 4): PathwayEvent[] => [
  started({ rules }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P1',
    participants,
    needs: ['reablement', 'equipment'],
    replan: false,
    agreement: { patient: 'agrees' },
    daysFromDischargeReady: 0,
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-1',
    service: 'reablement',
    agency: 'intermediate-care',
    reason: 'assessment',
    acceptBy: day(3),
    readyBy: day(5),
    consentRequired: false,
    funding: nhsFree,
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-2',
    service: 'equipment',
    agency: 'equipment',
    reason: 'assessment',
    acceptBy: day(3),
    readyBy: day(5),
    consentRequired: false,
    funding: councilFree,
  },
  { type: 'referral.ready', at: day(3), referralId: 'ref-2', agency: 'equipment', readyFrom: date(3) },
];

const selfDischarge = (at = day(4, '11:00:00')): PathwayCommand => ({
  type: 'discharge',
  at,
  date: date(4),
  destination: 'usual-residence',
  selfDischarge: true,
});

describe('row 1: a self-discharge is a discharge', () => {
  it('is recorded with its date at any stage before discharge: the 30-day watch runs, open packages are told support is needed now, nothing is put on hold', () => {
    const events = given(...p1Arranging())
      .when(selfDischarge())
      .then(
        {
          type: 'discharge.recorded',
          at: day(4, '11:00:00'),
          date: date(4),
          destination: 'usual-residence',
          pathway: 'P1',
          daysDelayed: 2,
          bedDaysLost: 2,
          selfDischarge: true,
        },
        { type: 'readmission_watch.started', from: date(4), until: '2026-04-03' },
        {
          type: 'referral.urgent',
          referralId: 'ref-1',
          agency: 'intermediate-care',
          reason: 'self_discharged',
          neededFrom: date(4),
        },
        {
          type: 'referral.requested',
          referralId: 'ref-3',
          service: 'welfare-check',
          agency: 'community-health',
          reason: 'welfare-check',
          purpose: 'follow-up',
        },
      );
    expect(events.some((e) => e.type === 'referral.on_hold' || e.type === 'pathway.cancelled')).toBe(false);
    const state = given(...p1Arranging(), ...events).state();
    expect(state.stage).toBe('readmission_watch');
    expect(state.referrals.map((r) => r.status)).toEqual(['requested', 'ready', 'requested']);
  });

  it('the package left open stays in play: the agency is awaited, its deadline escalates, its answer starts intermediate care on its day', () => {
    const left = then(p1Arranging(), selfDischarge());
    const state = given(...left).state();
    expect(awaitingAgencies(state)).toEqual(['community-health', 'intermediate-care']);
    expect(overdueSince(state)).toBeUndefined();
    expect(nextDeadline(state, policy)).toBe(day(3));
    given(...left)
      .when({ type: 'tick', at: day(4, '12:00:00') })
      .then({ type: 'referral.escalated', referralId: 'ref-1', kind: 'acceptance', level: 2, overdueSince: day(3) });
    const answered = then(left, {
      type: 'referral-response',
      at: day(5),
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'ready',
      readyFrom: date(6),
    });
    expect(answered.slice(-2)).toMatchObject([
      { type: 'referral.accepted' },
      { type: 'referral.ready', readyFrom: date(6) },
    ]);
    given(...answered)
      .when({ type: 'tick', at: '2026-03-06T00:00:00.000Z' })
      .then(
        { type: 'referral.escalated', referralId: 'ref-3', agency: 'community-health' },
        { type: 'intermediate_care.started', startDate: date(6), services: ['reablement'] },
      );
  });

  it('a package declined after the self-discharge can be re-referred', () => {
    const declined = then(then(p1Arranging(), selfDischarge()), {
      type: 'referral-response',
      at: day(5),
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'declined',
    });
    given(...declined)
      .when({ type: 'referral', at: day(5, '12:00:00'), service: 'reablement', reason: 're-referral' })
      .then({ type: 'referral.requested', referralId: 'ref-4', service: 'reablement' });
  });

  it('before a joint assessment: no pathway agreed, the watch still runs', () => {
    const [discharged] = given(started({ rules: 4 }))
      .when(selfDischarge())
      .then(
        { type: 'discharge.recorded', date: date(4), daysDelayed: 0, selfDischarge: true },
        { type: 'readmission_watch.started', from: date(4) },
        { type: 'referral.requested', service: 'welfare-check', purpose: 'follow-up' },
      );
    expect(discharged).not.toHaveProperty('pathway');
  });

  it('cancel (self_discharged) is refused, naming the discharge that records it', () => {
    given(...p1Arranging())
      .when({ type: 'cancel', at: day(4), reason: 'self_discharged' })
      .thenRejects('invalid', /record it with discharge \(selfDischarge: true\)/);
  });

  it('the agency is told urgently, on its own topic; every agency involved hears it was a self-discharge', () => {
    const ctx: RoutingContext = {
      patient: started().patient,
      consents: { 'intermediate-care': true },
      referralAgencies: { 'ref-1': 'intermediate-care' },
      services: [],
    };
    const urgent: PathwayEvent = {
      type: 'referral.urgent',
      at: day(4),
      referralId: 'ref-1',
      agency: 'intermediate-care',
      reason: 'self_discharged',
      neededFrom: date(4),
    };
    expect(agencyViews(urgent, ctx)).toEqual([
      {
        to: ['intermediate-care'],
        data: { referralId: 'ref-1', agency: 'intermediate-care', reason: 'self_discharged', neededFrom: date(4) },
      },
    ]);
    const discharged: PathwayEvent = {
      type: 'discharge.recorded',
      at: day(4),
      date: date(4),
      destination: 'usual-residence',
      daysDelayed: 0,
      bedDaysLost: 0,
      selfDischarge: true,
    };
    expect(agencyViews(discharged, ctx)[0]).toEqual({
      to: ['intermediate-care'],
      data: { date: date(4), destination: 'usual-residence', selfDischarge: true },
    });
  });

  it('rules 3 (pathways started before): cancel (self_discharged) closes the pathway with every package on hold; selfDischarge is refused', () => {
    given(...p1Arranging(3))
      .when({ type: 'cancel', at: day(4), reason: 'self_discharged' })
      .then(
        { type: 'referral.on_hold', referralId: 'ref-1', reason: 'cancelled' },
        { type: 'referral.on_hold', referralId: 'ref-2', reason: 'cancelled' },
        { type: 'pathway.cancelled', reason: 'self_discharged' },
      );
    given(...p1Arranging(3))
      .when(selfDischarge())
      .thenRejects('invalid', /older rules, which record a self-discharge with cancel/);
  });
});

/** Ready for discharge (rules 4): reablement accepted and ready, but only from the 20th; DRD the 2nd. */
const p1ReadyLater = (rules: 3 | 4 = 4): PathwayEvent[] => [
  started({ rules }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P1',
    participants,
    needs: ['reablement'],
    replan: false,
    agreement: { patient: 'agrees' },
    daysFromDischargeReady: 0,
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-1',
    service: 'reablement',
    agency: 'intermediate-care',
    reason: 'assessment',
    acceptBy: day(3),
    readyBy: day(5),
    consentRequired: false,
    funding: nhsFree,
  },
  { type: 'referral.accepted', at: day(3), referralId: 'ref-1', agency: 'intermediate-care', readyBy: day(5) },
  { type: 'referral.ready', at: day(3), referralId: 'ref-1', agency: 'intermediate-care', readyFrom: date(20) },
  { type: 'pathway.ready_for_discharge', at: day(3) },
];
/** Ready for discharge on P0 (rules 4): home, no new support. */
const p0Ready = (): PathwayEvent[] => [
  started({ rules: 4 }),
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P0',
    participants,
    needs: [],
    replan: false,
    agreement: { patient: 'agrees' },
  },
  { type: 'pathway.ready_for_discharge', at: day(2) },
];
const discharge = (fields: Record<string, unknown> = {}): PathwayCommand =>
  ({
    type: 'discharge',
    at: day(4, '15:00:00'),
    date: date(4),
    destination: 'usual-residence',
    ...fields,
  }) as PathwayCommand;
const welfareCheck = {
  type: 'referral.requested',
  service: 'welfare-check',
  reason: 'welfare-check',
  purpose: 'follow-up',
} as const;

describe('row 2: no gap in support without a decision', () => {
  it('a discharge before a needed service starts is refused, naming the service and the gap', () => {
    given(...p1ReadyLater())
      .when(discharge())
      .thenRejects(
        'support_gap',
        /^discharge on 2026-03-04 leaves the patient without support: reablement \(ref-1\) starts on 2026-03-20, 16 day\(s\) after; record a bridge \(interim support: by whom, until when\) or the patient's informed choice/,
      );
  });

  it('a bridge (who gives interim support, until the day before the service starts) lets the person go home; the gap is recorded', () => {
    given(...p1ReadyLater())
      .when(discharge({ bridge: { by: 'family', until: date(19) } }))
      .then(
        {
          type: 'discharge.recorded',
          date: date(4),
          supportGap: {
            services: [{ referralId: 'ref-1', service: 'reablement', startsOn: date(20), days: 16 }],
            bridge: { by: 'family', until: date(19) },
          },
        },
        { type: 'readmission_watch.started' },
        { ...welfareCheck, agency: 'community-health' },
      );
    given(...p1ReadyLater())
      .when(discharge({ bridge: { by: 'community-health', until: date(10) } }))
      .thenRejects(
        'invalid',
        /^bridge\.until: the bridge ends on 2026-03-10, but support is not in place until 2026-03-20; it must last until at least 2026-03-19$/,
      );
  });

  it("or the patient's informed choice to go home before it starts", () => {
    given(...p1ReadyLater())
      .when(discharge({ informedChoice: true }))
      .then(
        {
          type: 'discharge.recorded',
          supportGap: {
            services: [{ referralId: 'ref-1', service: 'reablement', startsOn: date(20), days: 16 }],
            informedChoice: true,
          },
        },
        {},
        welfareCheck,
      );
  });

  it('a bridge or a choice with no gap to decide on is refused', () => {
    given(...p0Ready())
      .when(discharge({ informedChoice: true }))
      .thenRejects(
        'invalid',
        /^informedChoice: every service is in place by 2026-03-04; there is no gap in support to decide on$/,
      );
  });

  it('the GP is told of the gap and who bridges it', () => {
    const ctx: RoutingContext = {
      patient: started().patient,
      consents: { gp: true },
      referralAgencies: { 'ref-1': 'intermediate-care' },
      services: ['reablement'],
    };
    const supportGap = {
      services: [{ referralId: 'ref-1', service: 'reablement' as const, startsOn: date(20), days: 16 }],
      bridge: { by: 'family' as const, until: date(19) },
    };
    const discharged: PathwayEvent = {
      type: 'discharge.recorded',
      at: day(4),
      date: date(4),
      destination: 'usual-residence',
      pathway: 'P1',
      daysDelayed: 2,
      bedDaysLost: 2,
      supportGap,
    };
    const [agencies, gp] = agencyViews(discharged, ctx);
    expect(agencies.data).toEqual({ date: date(4), destination: 'usual-residence' });
    expect(gp).toMatchObject({ to: ['gp'], data: { supportGap } });
  });

  it('every P0 and P1 discharge raises a welfare check that day, to community health or, by policy, the voluntary sector; P2 and P3 none', () => {
    given(...p0Ready())
      .when(discharge())
      .then(
        { type: 'discharge.recorded', pathway: 'P0' },
        {},
        {
          ...welfareCheck,
          referralId: 'ref-1',
          agency: 'community-health',
          at: day(4, '15:00:00'),
          acceptBy: day(5, '15:00:00'),
          consentRequired: false,
          funding: nhsFree,
        },
      );
    const voluntary = resolvePolicy('england', { welfareCheckAgency: 'voluntary' });
    expect(() => resolvePolicy('england', { welfareCheckAgency: 'housing' })).toThrow(/^welfareCheckAgency: /);
    given(...p0Ready().map((e) => (e.type === 'pathway.started' ? started({ rules: 4, consents: [] }) : e)))
      .when(discharge(), voluntary)
      .then(
        {},
        {},
        {
          ...welfareCheck,
          agency: 'voluntary',
          consentRequired: true,
          funding: { payer: 'voluntary', charging: 'free', financialAssessment: 'not_needed' },
        },
      );
    const p3: PathwayEvent[] = [
      started({ rules: 4 }),
      {
        type: 'assessment.completed',
        at: day(2),
        pathway: 'P3',
        participants,
        needs: ['care-home-placement'],
        replan: false,
        agreement: { patient: 'agrees' },
      },
      {
        type: 'referral.requested',
        at: day(2),
        referralId: 'ref-1',
        service: 'care-home-placement',
        agency: 'care-home',
        reason: 'assessment',
        acceptBy: day(4),
        consentRequired: false,
      },
      { type: 'referral.ready', at: day(3), referralId: 'ref-1', agency: 'care-home', readyFrom: date(3) },
      { type: 'pathway.ready_for_discharge', at: day(3) },
    ];
    given(...p3)
      .when(discharge({ destination: 'care-home' }))
      .then({ type: 'discharge.recorded', pathway: 'P3' }, { type: 'readmission_watch.started' });
  });

  it('the welfare check is a referral like any other after the discharge: awaited, escalated, answered, re-referred elsewhere after a decline', () => {
    const home = then(p0Ready(), discharge());
    const state = given(...home).state();
    expect(awaitingAgencies(state)).toEqual(['community-health']);
    given(...home)
      .when({ type: 'tick', at: day(5, '15:00:00') })
      .then({
        type: 'referral.escalated',
        referralId: 'ref-1',
        agency: 'community-health',
        kind: 'acceptance',
        level: 1,
      });
    given(...home)
      .when({
        type: 'referral-response',
        at: day(4, '18:00:00'),
        referralId: 'ref-1',
        agency: 'community-health',
        response: 'ready',
      })
      .then({ type: 'referral.accepted' }, { type: 'referral.ready', readyFrom: date(4) });
    const declined = then(home, {
      type: 'referral-response',
      at: day(4, '18:00:00'),
      referralId: 'ref-1',
      agency: 'community-health',
      response: 'declined',
    });
    given(...declined)
      .when({
        type: 'referral',
        at: day(4, '19:00:00'),
        service: 'welfare-check',
        agency: 'voluntary',
        reason: 're-referral',
      })
      .then({ type: 'referral.requested', referralId: 'ref-2', agency: 'voluntary', purpose: 'follow-up' });
  });

  it('a welfare check is no need to plan at the assessment', () => {
    given(started({ rules: 4 }))
      .when({
        type: 'assessment',
        at: day(2),
        participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }],
        agreement: { patient: 'agrees' },
        pathway: 'P1',
        needs: ['welfare-check'],
        consents: [],
      })
      .thenRejects('invalid', /^needs: welfare-check is not a need to plan: the discharge raises it$/);
  });

  it('rules 3 (pathways started before): the discharge goes ahead with the gap unsaid, and no welfare check', () => {
    given(...p1ReadyLater(3))
      .when(discharge())
      .then({ type: 'discharge.recorded' }, { type: 'readmission_watch.started' });
  });
});

const homeless = { ...started().patient, housingStatus: 'homeless' as const };
/** A homeless patient with no consent recorded for anyone, assessed for P1 equipment (ready from the 3rd): rules 4 unless said. */
const homelessAssessed = (rules: 3 | 4 = 4): PathwayEvent[] => [
  started({ rules, consents: [], patient: homeless }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P1',
    participants,
    needs: ['equipment'],
    replan: false,
    agreement: { patient: 'agrees' },
    daysFromDischargeReady: 0,
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-1',
    service: 'equipment',
    agency: 'equipment',
    reason: 'assessment',
    acceptBy: day(3),
    readyBy: day(5),
    consentRequired: false,
    funding: councilFree,
  },
  { type: 'referral.ready', at: day(3), referralId: 'ref-1', agency: 'equipment', readyFrom: date(3) },
];
const consent = (agency: string, given: boolean, at = day(4)): PathwayCommand =>
  ({ type: 'consent', at, agency, given }) as PathwayCommand;
const assessP1 = (needs: string[]): PathwayCommand =>
  ({
    type: 'assessment',
    at: day(2),
    participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }],
    agreement: { patient: 'agrees' },
    pathway: 'P1',
    needs,
    consents: [],
  }) as PathwayCommand;

describe('row 5: consent as the law has it', () => {
  const admitted = (rules: 3 | 4 = 4) => [
    started({ rules, consents: [] }),
    { type: 'discharge_ready.recorded', at: day(2), date: date(2) } as PathwayEvent,
  ];

  it('sharing with health and care agencies for direct care does not wait for consent: the referral carries the patient, nothing waits on consent', () => {
    const [assessed, requested] = given(...admitted())
      .when(assessP1(['domiciliary-care']))
      .then(
        { type: 'assessment.completed' },
        { type: 'referral.requested', agency: 'social-care', consentRequired: false },
      );
    const state = given(...admitted(), assessed, requested).state();
    expect(activeReasons(state).map((r) => r.code)).toEqual(['awaiting_p1_resource']);
    expect(routingContext(state).consents).toMatchObject({
      'social-care': true,
      gp: true,
      'community-health': true,
      housing: false,
      voluntary: false,
    });
    const view = agencyViews(requested, routingContext(state));
    expect(view[0].data).toMatchObject({ consentRequired: false, patient: { nhsNumber: '9434765870' } });
    given(...admitted(), assessed, requested)
      .when({ type: 'referral-response', at: day(3), referralId: 'ref-1', agency: 'social-care', response: 'ready' })
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' }, { type: 'pathway.ready_for_discharge' });
  });

  it('the patient may object: the objection is recorded and respected (nothing identifying goes to that agency, its referral waits on the patient)', () => {
    const [objected] = given(...admitted())
      .when(consent('social-care', false, day(2)))
      .then({ type: 'consent.recorded', agency: 'social-care', given: false, givenBy: 'patient' });
    const events = [
      ...admitted(),
      objected,
      ...given(...admitted(), objected)
        .when(assessP1(['domiciliary-care']))
        .events(),
    ];
    expect(events.at(-1)).toMatchObject({ type: 'referral.requested', consentRequired: true });
    const state = given(...events).state();
    expect(agencyViews(events.at(-1)!, routingContext(state))[0].data).not.toHaveProperty('patient');
    expect(activeReasons(state)).toContainEqual(
      expect.objectContaining({ code: 'consent_required', agency: 'social-care', waitingOn: 'patient' }),
    );
    const answered = then(events, {
      type: 'referral-response',
      at: day(3),
      referralId: 'ref-1',
      agency: 'social-care',
      response: 'ready',
    });
    given(...answered)
      .when(discharge())
      .thenRejects(
        'not_allowed_in_stage',
        /consent required from: social-care \(record the patient's answer with consent/,
      );
  });

  it('housing needs consent: a homeless patient not yet asked is not referred; the referral waits on the patient, never on housing', () => {
    const state = given(...homelessAssessed()).state();
    expect(state.referrals.map((r) => r.service)).toEqual(['equipment']);
    expect(state.stage).toBe('arranging');
    expect(activeReasons(state)).toEqual([
      { code: 'consent_required', agency: 'housing', waitingOn: 'patient', since: day(2), derived: true },
    ]);
    expect(awaitingAgencies(state)).toEqual([]);
    given(...homelessAssessed())
      .when(discharge())
      .thenRejects('not_allowed_in_stage', /consent required from: housing/);
    given(...homelessAssessed())
      .when({ type: 'referral', at: day(3), service: 'housing', reason: 'additional-need' })
      .thenRejects('invalid', /housing is referred only with the person's consent/);
    given(...homelessAssessed())
      .when({ type: 'delay-reason', at: day(3), code: 'homeless_nrpf', agency: 'housing' })
      .thenRejects('invalid', /^agency: housing has no referral on this pathway to act on/);
  });

  it('with consent, the duty to refer is done at once', () => {
    given(...homelessAssessed())
      .when(consent('housing', true))
      .then(
        { type: 'consent.recorded', agency: 'housing', given: true },
        {
          type: 'referral.requested',
          referralId: 'ref-2',
          service: 'housing',
          agency: 'housing',
          reason: 'duty-to-refer',
          consentRequired: false,
        },
      );
  });

  it('a refusal of the housing referral is recorded; no referral is made, nothing waits on housing, and the patient can go home', () => {
    const [refused, ready] = given(...homelessAssessed())
      .when(consent('housing', false))
      .then(
        { type: 'consent.recorded', agency: 'housing', given: false, givenBy: 'patient' },
        { type: 'pathway.ready_for_discharge' },
      );
    const state = given(...homelessAssessed(), refused, ready).state();
    expect(activeReasons(state)).toEqual([]);
    expect(state.referrals.some((r) => r.agency === 'housing')).toBe(false);
    given(...homelessAssessed(), refused, ready)
      .when(discharge({ destination: 'other', departure: 'patient_choice' }))
      .then({ type: 'discharge.recorded', departure: 'patient_choice' }, {}, welfareCheck);
  });

  it('consent to housing withdrawn withdraws its referral', () => {
    const referred = then(homelessAssessed(), consent('housing', true));
    given(...referred)
      .when(consent('housing', false, day(5)))
      .then(
        { type: 'consent.recorded', given: false },
        { type: 'referral.withdrawn', referralId: 'ref-2', agency: 'housing', reason: 'consent-refused' },
        { type: 'pathway.ready_for_discharge' },
      );
  });

  it("the GP's discharge summary carries the patient with no consent recorded (direct care), its part of the joint assessment and the carer", () => {
    const summary = {
      functionalNeeds: ['help to dress'],
      clinical: ['warfarin, daily INR'],
      goals: ['walk to the shop'],
    };
    const carer = {
      name: 'Carer Name',
      relationship: 'daughter',
      phone: '0113 496 0000',
      willingAndAble: true,
      carersAssessment: 'declined' as const,
    };
    const assessed: PathwayEvent[] = [
      ...admitted(),
      {
        type: 'assessment.completed',
        at: day(2),
        pathway: 'P0',
        participants,
        needs: [],
        replan: false,
        agreement: { patient: 'agrees' },
        summary,
        carer,
      },
    ];
    const discharged: PathwayEvent = {
      type: 'discharge.recorded',
      at: day(4),
      date: date(4),
      destination: 'usual-residence',
      pathway: 'P0',
      daysDelayed: 2,
      bedDaysLost: 2,
    };
    const [, gp] = agencyViews(discharged, routingContext(given(...assessed).state()));
    expect(gp).toEqual({
      to: ['gp'],
      data: {
        date: date(4),
        destination: 'usual-residence',
        pathway: 'P0',
        services: [],
        patient: { nhsNumber: '9434765870', name: 'Edith Example', dateOfBirth: '1938-04-02' },
        assessment: summary,
        carer: { name: 'Carer Name', relationship: 'daughter', willingAndAble: true },
        // The discharge summary proper (issue 24): what the domain holds of the stay.
        summary: {
          admittedOn: date(1),
          dischargedOn: date(4),
          destination: 'usual-residence',
          pathway: 'P0',
          services: [],
        },
      },
    });
  });

  it('rules 3 (pathways started before): housing is referred without consent, a refusal cannot be recorded, and direct care waits for consent', () => {
    const events = given(...admitted(3))
      .when(assessP1(['domiciliary-care']))
      .then({}, { type: 'referral.requested', consentRequired: true });
    expect(activeReasons(given(...admitted(3), ...events).state()).map((r) => r.code)).toEqual([
      'awaiting_p1_resource',
      'consent_required',
    ]);
    given(...admitted(3))
      .when(consent('housing', false))
      .thenRejects('duplicate', /already recorded as not given/);
    const homeless3 = [
      started({ rules: 3, consents: [], patient: homeless }),
      { type: 'discharge_ready.recorded', at: day(2), date: date(2) } as PathwayEvent,
    ];
    given(...homeless3)
      .when(assessP1(['equipment']))
      .then(
        {},
        { type: 'referral.requested', service: 'equipment' },
        { type: 'referral.requested', service: 'housing', reason: 'duty-to-refer' },
      );
  });
});

/** Arranging a P1 (DRD the 2nd): home care referred to social care on the 2nd (ref-1), declined on the 3rd. */
const homeCareDeclined = (rules: 3 | 4 = 4): PathwayEvent[] => [
  started({ rules }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P1',
    participants,
    needs: ['domiciliary-care'],
    replan: false,
    agreement: { patient: 'agrees' },
    daysFromDischargeReady: 0,
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-1',
    service: 'domiciliary-care',
    agency: 'social-care',
    reason: 'assessment',
    acceptBy: day(4),
    readyBy: day(7),
    consentRequired: false,
  },
  { type: 'referral.declined', at: day(3), referralId: 'ref-1', agency: 'social-care', reason: 'no capacity' },
];

describe('rows 13 and 9: a declined package nobody re-refers escalates, and the pathway is stuck from the decline', () => {
  it('the pathway is stuck from the decline; the decline escalates at once, then every 24 hours, to the trust only', () => {
    const state = given(...homeCareDeclined()).state();
    expect(overdueSince(state)).toBe(day(3));
    expect(nextDeadline(state, policy)).toBe(day(3));
    const [first] = given(...homeCareDeclined())
      .when({ type: 'tick', at: day(3) })
      .then({
        type: 'referral.escalated',
        at: day(3),
        referralId: 'ref-1',
        agency: 'social-care',
        kind: 'decline',
        level: 1,
        overdueSince: day(3),
      });
    expect(nextDeadline(given(...homeCareDeclined(), first).state(), policy)).toBe(day(4));
    given(...homeCareDeclined(), first)
      .when({ type: 'tick', at: day(4) })
      .then({ type: 'referral.escalated', kind: 'decline', level: 2 });
    expect(agencyViews(first, routingContext(state))).toEqual([]);
  });

  it('a re-referral or a changed plan ends it', () => {
    const rereferred = then(homeCareDeclined(), {
      type: 'referral',
      at: day(3, '12:00:00'),
      service: 'domiciliary-care',
      reason: 're-referral',
    });
    expect(overdueSince(given(...rereferred).state())).toBeUndefined();
    expect(nextDeadline(given(...rereferred).state(), policy)).toBe(day(5, '12:00:00'));
    const replanned = then(homeCareDeclined(), {
      ...assessP1(['reablement']),
      at: day(3, '12:00:00'),
    } as PathwayCommand);
    expect(overdueSince(given(...replanned).state())).toBeUndefined();
    given(...replanned)
      .when({ type: 'tick', at: day(3, '13:00:00') })
      .then();
  });

  it('rules 3 (pathways started before): a decline neither escalates nor makes the pathway stuck', () => {
    expect(overdueSince(given(...homeCareDeclined(3)).state())).toBeUndefined();
    given(...homeCareDeclined(3))
      .when({ type: 'tick', at: day(6) })
      .then();
  });
});

const carer = {
  name: 'Carer Name',
  relationship: 'husband',
  phone: '0113 496 0000',
  willingAndAble: false,
  carersAssessment: 'not_offered' as const,
};
const assessP0 = (fields: Record<string, unknown> = {}): PathwayCommand =>
  ({
    type: 'assessment',
    at: day(2),
    participants: [{ role: 'nurse' }, { role: 'patient' }],
    agreement: { patient: 'agrees' },
    pathway: 'P0',
    needs: [],
    consents: [],
    carer,
    ...fields,
  }) as PathwayCommand;
/** Rules 4: assessed P0 (home, no new support) on the 2nd, the plan relying on a carer who is not willing or able. */
const p0UnableCarer = (rules: 3 | 4 = 4): PathwayEvent[] => [
  started({ rules }),
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P0',
    participants: ['nurse', 'patient'],
    needs: [],
    replan: false,
    agreement: { patient: 'agrees' },
    carer,
  },
];

describe('row 3: the carer', () => {
  it('a carer recorded as not willing or able blocks a plan that relies on them (P0, no services): not ready, no plan, the discharge refused saying why', () => {
    given(started({ rules: 4 }))
      .when(assessP0())
      .then({ type: 'assessment.completed', carer });
    const state = given(...p0UnableCarer()).state();
    expect(state.stage).toBe('arranging');
    expect(activeReasons(state)).toEqual([
      {
        code: 'no_plan',
        agency: 'acute-trust',
        waitingOn: 'agency',
        since: day(2),
        derived: true,
        note: 'the plan relies on a carer who is not willing or able',
      },
    ]);
    given(...p0UnableCarer())
      .when(discharge())
      .thenRejects(
        'not_allowed_in_stage',
        /relies on a carer who is not willing or able; add support at a new joint assessment, or record the carer's changed position/,
      );
  });

  it("until the carer's position changes (recorded on its own) or the plan adds support", () => {
    given(...p0UnableCarer())
      .when({ type: 'carer', at: day(3), carer: { ...carer, willingAndAble: true } })
      .then(
        { type: 'carer.recorded', carer: { ...carer, willingAndAble: true } },
        { type: 'pathway.ready_for_discharge' },
      );
    given(...p0UnableCarer())
      .when({ ...assessP1(['domiciliary-care']), at: day(3) } as PathwayCommand)
      .then(
        { type: 'assessment.completed', pathway: 'P1', replan: true },
        { type: 'referral.requested', service: 'domiciliary-care' },
      );
  });

  it("a carer's assessment offered and accepted is a referral to social care, with the carer's details, that never holds the discharge", () => {
    const accepted = { ...carer, willingAndAble: true, carersAssessment: 'accepted' as const };
    const events = given(started({ rules: 4, consents: [] }))
      .when(assessP0({ carer: accepted }))
      .then(
        { type: 'assessment.completed' },
        {
          type: 'referral.requested',
          referralId: 'ref-1',
          service: 'carers-assessment',
          agency: 'social-care',
          reason: 'assessment',
          purpose: 'follow-up',
          funding: councilFree,
        },
        { type: 'pathway.ready_for_discharge' },
      );
    const state = given(started({ rules: 4, consents: [] }), ...events).state();
    expect(agencyViews(events[1], routingContext(state))[0].data).toMatchObject({
      carer: { name: 'Carer Name', phone: '0113 496 0000', willingAndAble: true, carersAssessment: 'accepted' },
    });
    // Accepted later, on its own: referred then.
    given(...p0UnableCarer())
      .when({ type: 'carer', at: day(3), carer: { ...carer, carersAssessment: 'accepted' } })
      .then({ type: 'carer.recorded' }, { type: 'referral.requested', service: 'carers-assessment' });
  });

  it('rules 3 (pathways started before): the P0 relying on that carer is ready; the carer is recorded only at an assessment, their assessment a notice', () => {
    given(started({ rules: 3 }))
      .when(assessP0())
      .then({ type: 'assessment.completed' }, { type: 'pathway.ready_for_discharge' });
    given(...p0UnableCarer(3))
      .when({ type: 'carer', at: day(3), carer })
      .thenRejects('invalid', /older rules record the carer at a joint assessment/);
    given(started({ rules: 3 }))
      .when(assessP0({ carer: { ...carer, carersAssessment: 'accepted' } }))
      .then(
        { type: 'assessment.completed' },
        { type: 'carers_assessment.requested', willingAndAble: false },
        { type: 'pathway.ready_for_discharge' },
      );
  });
});

describe('row 10: first-hour fixes', () => {
  const { address: _address, ...withoutAddress } = started().patient;

  it('a homeless patient without an address is of no fixed abode, written as the NHS does (ZZ99 3VZ); anyone else needs an address', () => {
    given()
      .when(start({ patient: { ...withoutAddress, housingStatus: 'homeless' } }))
      .then({
        type: 'pathway.started',
        patient: {
          ...withoutAddress,
          housingStatus: 'homeless',
          address: { line1: 'No fixed abode', town: 'Leeds', postcode: 'ZZ99 3VZ' },
        },
      });
    const settled = StartPayload.safeParse({
      ...admission(),
      patient: { ...withoutAddress, housingStatus: 'settled' },
    });
    expect(settled.error?.issues).toEqual([
      expect.objectContaining({
        path: ['patient', 'address'],
        message: expect.stringMatching(/^required, unless the patient is homeless .*ZZ99 3VZ/),
      }),
    ]);
    expect(
      StartPayload.safeParse({ ...admission(), patient: { ...withoutAddress, housingStatus: 'homeless' } }).success,
    ).toBe(true);
  });

  const withReasons = (rules: 3 | 4 = 4): PathwayEvent[] => [
    ...p1ReadyLater(rules).slice(0, 4),
    { type: 'delay_reason.recorded', at: day(3), code: 'awaiting_transport', agency: 'acute-trust' },
    { type: 'delay_reason.recorded', at: day(3), code: 'awaiting_p1_resource', agency: 'intermediate-care' },
  ];

  it('a referral in place ends the delay someone recorded for it; every delay reason closes at discharge', () => {
    const ready = given(...withReasons())
      .when({
        type: 'referral-response',
        at: day(4),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        response: 'ready',
      })
      .then(
        { type: 'referral.accepted' },
        { type: 'referral.ready' },
        { type: 'delay_reason.resolved', code: 'awaiting_p1_resource', agency: 'intermediate-care' },
        { type: 'pathway.ready_for_discharge' },
      );
    const home = given(...withReasons(), ...ready)
      .when(discharge())
      .then(
        { type: 'discharge.recorded' },
        { type: 'readmission_watch.started' },
        { type: 'delay_reason.resolved', code: 'awaiting_transport', agency: 'acute-trust' },
        welfareCheck,
        { type: 'intermediate_care.started' },
      );
    expect(given(...withReasons(), ...ready, ...home).state().delayReasons).toEqual([]);
  });

  it('rules 3 (pathways started before): the reasons stay recorded', () => {
    const ready = given(...withReasons(3))
      .when({
        type: 'referral-response',
        at: day(4),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        response: 'ready',
      })
      .then({}, {}, { type: 'pathway.ready_for_discharge' });
    given(...withReasons(3), ...ready)
      .when(discharge())
      .then(
        { type: 'discharge.recorded' },
        { type: 'readmission_watch.started' },
        { type: 'intermediate_care.started' },
      );
    expect(given(...withReasons(3), ...ready).state().delayReasons).toHaveLength(2);
  });
});

/** A P3 (a care home) assessed on the 2nd as the test says, its placement referred (ref-1). */
const p3 = (assessment: Partial<EventOf<'assessment.completed'>>, rules: 3 | 4 = 4): PathwayEvent[] => [
  // Rules 4 share with the care home for direct care; rules 3 need the consents recorded.
  started({ rules, ...(rules === 4 ? { consents: [] } : {}) }),
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P3',
    participants,
    needs: ['care-home-placement'],
    replan: false,
    ...assessment,
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-1',
    service: 'care-home-placement',
    agency: 'care-home',
    reason: 'assessment',
    acceptBy: day(4),
    consentRequired: false,
  },
];
const placed: PathwayCommand = {
  type: 'referral-response',
  at: day(3),
  referralId: 'ref-1',
  agency: 'care-home',
  response: 'ready',
};
const lacking = {
  participants: ['nurse', 'social_worker', 'carer'] as EventOf<'assessment.completed'>['participants'],
  patientAbsent: 'lacks_capacity' as const,
  agreement: { patient: 'agrees' as const },
};
const bestInterests = {
  decidedBy: 'social_worker' as const,
  consulted: [{ relationship: 'family' as const, name: 'Daughter Name' }],
};

describe("rows 4 and 9: the patient's wishes and capacity", () => {
  it("a care home (P3) needs the patient's agreement: declined to take part, or disagreeing, it is not ready, and the discharge says why", () => {
    const declined = then(p3({ participants: ['nurse', 'social_worker'], patientAbsent: 'declined' }), placed);
    expect(declined.at(-1)).toMatchObject({ type: 'referral.ready' });
    expect(activeReasons(given(...declined).state())).toEqual([
      {
        code: 'family_not_in_agreement',
        agency: 'acute-trust',
        waitingOn: 'patient',
        since: day(2),
        derived: true,
        note: "the patient's agreement with the plan is not recorded",
      },
    ]);
    given(...declined)
      .when(discharge({ destination: 'care-home' }))
      .thenRejects(
        'not_allowed_in_stage',
        /pathway P3 needs the patient's agreement, or a best-interests decision when they lack capacity for it: the patient's agreement with the plan is not recorded/,
      );
    const disagrees = then(p3({ agreement: { patient: 'disagrees' } }), placed);
    given(...disagrees)
      .when(discharge({ destination: 'care-home' }))
      .thenRejects('not_allowed_in_stage', /the patient does not agree with the plan/);
    given(...p3({ agreement: { patient: 'agrees' } }))
      .when(placed)
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' }, { type: 'pathway.ready_for_discharge' });
  });

  it('or, when they lack capacity for it, a best-interests decision saying who decided and who was consulted (a daughter as family, no advocate needed)', () => {
    const assess = (fields: Record<string, unknown>): PathwayCommand =>
      ({
        type: 'assessment',
        at: day(2),
        participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'carer' }],
        patientAbsent: 'lacks_capacity',
        agreement: { patient: 'agrees' },
        pathway: 'P3',
        needs: ['care-home-placement'],
        consents: [],
        ...fields,
      }) as PathwayCommand;
    given(started({ rules: 4 }))
      .when(assess({ bestInterests: { consulted: bestInterests.consulted } }))
      .thenRejects('invalid', /^bestInterests\.decidedBy: record who made the best-interests decision/);
    given(started({ rules: 4 }))
      .when(assess({ bestInterests: { decidedBy: 'doctor' } }))
      .thenRejects('invalid', /^bestInterests\.consulted: record who was consulted \(family members as family/);
    given(started({ rules: 4 }))
      .when(assess({ bestInterests }))
      .then({ type: 'assessment.completed', bestInterests }, { type: 'referral.requested' });
    given(...p3({ ...lacking, bestInterests }))
      .when(placed)
      .then({}, {}, { type: 'pathway.ready_for_discharge' });
    // With no attorney or deputy, consent is the best-interests decision's, not the patient's.
    const byDecision: PathwayCommand = {
      type: 'consent',
      at: day(4),
      agency: 'housing',
      given: true,
      givenBy: 'best_interests',
    };
    given(...p3({ ...lacking, bestInterests }))
      .when(byDecision)
      .then({ type: 'consent.recorded', givenBy: 'best_interests' });
    given(...p3({ ...lacking, bestInterests }))
      .when(consent('housing', true))
      .thenRejects(
        'invalid',
        /lacks capacity to decide on sharing their information: consent is given by best_interests/,
      );
  });

  it('capacity is judged decision by decision and reassessed on its own: delirium clears, the patient consents and agrees for themselves', () => {
    const confused = p3({ ...lacking, bestInterests });
    const clearer = then(confused, {
      type: 'capacity',
      at: day(3),
      decision: 'sharing_information',
      lacksCapacity: false,
      assessedBy: 'doctor',
    });
    expect(clearer.at(-1)).toEqual({
      type: 'capacity.assessed',
      at: day(3),
      decision: 'sharing_information',
      lacksCapacity: false,
      assessedBy: 'doctor',
    });
    given(...clearer)
      .when({ type: 'consent', at: day(4), agency: 'housing', given: true, givenBy: 'best_interests' })
      .thenRejects('invalid', /the patient has capacity to decide on sharing their information: consent is theirs/);
    given(...clearer)
      .when(consent('housing', true))
      .then({ type: 'consent.recorded', givenBy: 'patient' });
    // Still lacking it for the plan: the best-interests decision stands. Regained, the patient's own agreement is what counts.
    const ownView = then(clearer, {
      type: 'capacity',
      at: day(3, '12:00:00'),
      decision: 'discharge_plan',
      lacksCapacity: false,
      assessedBy: 'doctor',
      agreement: 'disagrees',
    });
    given(...ownView)
      .when(placed)
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' });
    given(...confused)
      .when({
        type: 'capacity',
        at: day(3),
        decision: 'sharing_information',
        lacksCapacity: true,
        assessedBy: 'doctor',
        agreement: 'agrees',
      })
      .thenRejects('invalid', /^agreement: /);
  });

  it('the destination must fit the pathway, with a reason to depart from it', () => {
    const ready = then(p3({ agreement: { patient: 'agrees' } }), placed);
    given(...ready)
      .when(discharge())
      .thenRejects(
        'invalid',
        /^destination: pathway P3 takes the person to care-home, not usual-residence; give the reason to depart from it \(departure\)$/,
      );
    given(...ready)
      .when(discharge({ departure: 'patient_choice' }))
      .then(
        { type: 'discharge.recorded', destination: 'usual-residence', departure: 'patient_choice' },
        { type: 'readmission_watch.started' },
      );
    given(...ready)
      .when(discharge({ destination: 'care-home' }))
      .then({ type: 'discharge.recorded', destination: 'care-home' }, { type: 'readmission_watch.started' });
  });

  it('rules 3 (pathways started before): a P3 the patient declined to discuss is ready, any destination goes, capacity only at an assessment', () => {
    const declined = p3({ participants: ['nurse', 'social_worker'], patientAbsent: 'declined' }, 3);
    given(...declined)
      .when(placed)
      .then({}, {}, { type: 'pathway.ready_for_discharge' });
    given(...declined)
      .when({ type: 'capacity', at: day(3), decision: 'discharge_plan', lacksCapacity: true, assessedBy: 'doctor' })
      .thenRejects('invalid', /older rules judge capacity at a joint assessment/);
    given(...then(declined, placed))
      .when(discharge())
      .then({ type: 'discharge.recorded', destination: 'usual-residence' }, { type: 'readmission_watch.started' });
  });
});

describe('row 10 of the table (build item 7): continuing healthcare after discharge by default', () => {
  const assessChc = (chc?: Record<string, unknown>): PathwayCommand =>
    ({ ...assessP1(['reablement', 'chc-assessment']), ...(chc ? { chc } : {}) }) as PathwayCommand;
  const admitted = (rules: 3 | 4 = 4): PathwayEvent[] => [
    started({ rules }),
    { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  ];
  const reablementReady: PathwayCommand = {
    type: 'referral-response',
    at: day(3),
    referralId: 'ref-1',
    agency: 'intermediate-care',
    response: 'ready',
  };

  it('by default the CHC assessment is a referral that follows the person: it holds no discharge and implies no delay', () => {
    const assessed = given(...admitted())
      .when(assessChc())
      .then(
        { type: 'assessment.completed' },
        { type: 'referral.requested', service: 'reablement' },
        { type: 'referral.requested', service: 'chc-assessment', purpose: 'follow-up' },
      );
    expect(activeReasons(given(...admitted(), ...assessed).state()).map((r) => r.code)).toEqual([
      'awaiting_p1_resource',
    ]);
    given(...admitted(), ...assessed)
      .when(reablementReady)
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' }, { type: 'pathway.ready_for_discharge' });
  });

  it('a decision before discharge is the exception, with its reason: then it holds the discharge', () => {
    given(...admitted())
      .when(assessChc({ decision: 'before_discharge' }))
      .thenRejects(
        'invalid',
        /^chc\.reason: a continuing-healthcare decision before discharge is the exception: say why$/,
      );
    const assessed = given(...admitted())
      .when(assessChc({ decision: 'before_discharge', reason: 'fast_track' }))
      .then(
        { type: 'assessment.completed', chc: { decision: 'before_discharge', reason: 'fast_track' } },
        {},
        { type: 'referral.requested', service: 'chc-assessment' },
      );
    expect(assessed[2]).not.toHaveProperty('purpose');
    expect(activeReasons(given(...admitted(), ...assessed).state()).map((r) => r.code)).toContain(
      'awaiting_chc_decision',
    );
    given(...admitted(), ...assessed)
      .when(reablementReady)
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' });
  });

  it('rules 3 (pathways started before): a CHC assessment always holds the discharge', () => {
    const assessed = given(...admitted(3))
      .when(assessChc())
      .then({}, {}, { type: 'referral.requested', service: 'chc-assessment' });
    given(...admitted(3), ...assessed)
      .when(reablementReady)
      .then({ type: 'referral.accepted' }, { type: 'referral.ready' });
  });
});

describe('row 12 of the table (build item 8): housing can change during the stay', () => {
  /** Settled at admission, assessed P1 (equipment, ref-1), consent to housing given. */
  const settledAssessed = (consents: EventOf<'pathway.started'>['consents'] = ['housing']): PathwayEvent[] => [
    started({ rules: 4, consents, patient: { ...started().patient, phone: '0113 496 0123' } }),
    { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
    {
      type: 'assessment.completed',
      at: day(2),
      pathway: 'P1',
      participants,
      needs: ['equipment'],
      replan: false,
      agreement: { patient: 'agrees' },
    },
    {
      type: 'referral.requested',
      at: day(2),
      referralId: 'ref-1',
      service: 'equipment',
      agency: 'equipment',
      reason: 'assessment',
      acceptBy: day(3),
      consentRequired: false,
    },
  ];
  const status = (housingStatus: string, at = day(3)): PathwayCommand =>
    ({ type: 'housing-status', at, housingStatus, recordedBy: 'social_worker' }) as PathwayCommand;
  const housingReason = (events: PathwayEvent[]) =>
    activeReasons(given(...events).state()).find((r) => r.agency === 'housing')?.code;

  it('a change of housing status is recorded with who recorded it, and the referral to housing and its reason code follow it', () => {
    const homeless = then(settledAssessed(), status('homeless'));
    expect(homeless.slice(-2)).toMatchObject([
      { type: 'housing_status.recorded', housingStatus: 'homeless', recordedBy: 'social_worker' },
      { type: 'referral.requested', referralId: 'ref-2', service: 'housing', reason: 'duty-to-refer' },
    ]);
    expect(housingReason(homeless)).toBe('homeless_nrpf');
    const atRisk = then(homeless, status('at_risk_of_homelessness', day(4)));
    expect(atRisk.at(-1)).toMatchObject({ type: 'housing_status.recorded' });
    expect(housingReason(atRisk)).toBe('awaiting_housing');
    given(...atRisk)
      .when(status('settled', day(5)))
      .then(
        { type: 'housing_status.recorded', housingStatus: 'settled' },
        { type: 'referral.withdrawn', referralId: 'ref-2', reason: 'changed-plan' },
      );
    given(...atRisk)
      .when(status('at_risk_of_homelessness', day(5)))
      .thenRejects('duplicate', /already at_risk_of_homelessness/);
  });

  it('without consent to housing, the change waits on the patient, never on housing', () => {
    const homeless = then(settledAssessed([]), status('homeless'));
    expect(homeless.at(-1)).toMatchObject({ type: 'housing_status.recorded' });
    expect(activeReasons(given(...homeless).state())).toContainEqual(
      expect.objectContaining({ code: 'consent_required', agency: 'housing', waitingOn: 'patient' }),
    );
  });

  it("a settled person's own housing referral awaits housing, not equipment", () => {
    const referred = then(settledAssessed(), {
      type: 'referral',
      at: day(3),
      service: 'housing',
      reason: 'additional-need',
    });
    expect(housingReason(referred)).toBe('awaiting_housing');
  });

  it("housing gets the person's phone, and the carer's with consent; it hears of a change of status when it has a referral", () => {
    const carer = {
      name: 'Carer Name',
      relationship: 'son',
      phone: '0113 496 0001',
      willingAndAble: true,
      carersAssessment: 'declined' as const,
    };
    const homeless = then([...settledAssessed(), { type: 'carer.recorded', at: day(2), carer }], status('homeless'));
    const state = given(...homeless).state();
    const [view] = agencyViews(homeless.at(-1)!, routingContext(state));
    expect(view.data).toMatchObject({
      patient: { phone: '0113 496 0123', housingStatus: 'homeless' },
      carer: { name: 'Carer Name', relationship: 'son', phone: '0113 496 0001' },
    });
    expect(agencyViews(homeless.at(-2)!, routingContext(state))).toEqual([
      { to: ['housing'], data: { housingStatus: 'homeless', recordedBy: 'social_worker' } },
    ]);
  });

  it("rules 3 (pathways started before): the status is the admission's", () => {
    given(started({ rules: 3 }))
      .when(status('homeless'))
      .thenRejects('invalid', /keep the housing status of the admission/);
  });
});

describe('row 6: after a readmission, each held package is resumed or released', () => {
  const held = [
    { referralId: 'ref-1', service: 'reablement' as const, agency: 'intermediate-care' as const },
    { referralId: 'ref-2', service: 'equipment' as const, agency: 'equipment' as const },
  ];
  const newStay = (): PathwayEvent[] => [
    started({
      rules: 4,
      admissionId: 'A2',
      pathwayId: 'pathway-A2',
      previousPathwayId: 'pathway-A1',
      heldPackages: held,
    }),
    { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  ];

  it('the new stay starts knowing the packages its readmission put on hold', () => {
    given()
      .when({ ...start({ admissionId: 'A2', previousPathwayId: 'pathway-A1' }), heldPackages: held } as PathwayCommand)
      .then({ type: 'pathway.started', previousPathwayId: 'pathway-A1', heldPackages: held });
  });

  it('its joint assessment resumes each package the new plan needs (the provider gets the link on its own topic) and releases the rest', () => {
    const events = given(...newStay())
      .when(assessP1(['reablement']))
      .then(
        { type: 'assessment.completed' },
        {
          type: 'referral.requested',
          referralId: 'ref-1',
          service: 'reablement',
          resumes: { pathwayId: 'pathway-A1', referralId: 'ref-1' },
        },
        {
          type: 'held_package.released',
          previousPathwayId: 'pathway-A1',
          referralId: 'ref-2',
          service: 'equipment',
          agency: 'equipment',
        },
      );
    const state = given(...newStay(), ...events).state();
    expect(state.heldPackages?.map((h) => h.decided)).toEqual(['resumed', 'released']);
    expect(agencyViews(events[1], routingContext(state))[0]).toMatchObject({
      to: ['intermediate-care'],
      data: { resumes: { pathwayId: 'pathway-A1', referralId: 'ref-1' } },
    });
    expect(agencyViews(events[2], routingContext(state))).toEqual([
      {
        to: ['equipment'],
        data: { previousPathwayId: 'pathway-A1', referralId: 'ref-2', service: 'equipment', agency: 'equipment' },
      },
    ]);
    // Decided once: a new plan later neither resumes nor releases again.
    given(...newStay(), ...events)
      .when({ ...assessP1(['reablement', 'equipment']), at: day(3) } as PathwayCommand)
      .then({ type: 'assessment.completed' }, { type: 'referral.requested', service: 'equipment' });
  });

  it('rules 3 (pathways started before): the new stay knows nothing of them', () => {
    const [event] = givenFrom(rules3)
      .when({ ...start({ admissionId: 'A2', previousPathwayId: 'pathway-A1' }), heldPackages: held } as PathwayCommand)
      .events();
    expect(event).not.toHaveProperty('heldPackages');
  });
});
