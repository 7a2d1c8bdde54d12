import { describe, expect, it } from 'vitest';
import { activeReasons, awaitingAgencies, nextDeadline, overdueSince, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { started } from './events';
import { date, day, given, givenRules1, patientAgrees, professionalAndPatient } from './spec';

const assessP1: PathwayCommand = {
  type: 'assessment',
  at: day(3, '09:00:00'),
  participants: professionalAndPatient,
  ...patientAgrees,
  pathway: 'P1',
  needs: ['reablement', 'equipment'],
  consents: [],
};

// Given events, written out: the pathway in the stage each describe block names.
const drdRecorded: EventOf<'discharge_ready.recorded'> = {
  type: 'discharge_ready.recorded',
  at: day(2),
  date: date(2),
};
/** Assessment: DRD on the 2nd, no plan yet. */
const drdSet = (consents?: EventOf<'pathway.started'>['consents']): PathwayEvent[] => [
  started(consents ? { consents } : {}),
  drdRecorded,
];
const p1Assessed: EventOf<'assessment.completed'> = {
  type: 'assessment.completed',
  at: day(3, '09:00:00'),
  pathway: 'P1',
  participants: ['nurse', 'social_worker', 'patient'],
  needs: ['reablement', 'equipment'],
  replan: false,
  agreement: { patient: 'agrees' },
  daysFromDischargeReady: 1,
};
const reablementRequested = (consentRequired = false): EventOf<'referral.requested'> => ({
  type: 'referral.requested',
  at: day(3, '09:00:00'),
  referralId: 'ref-1',
  service: 'reablement',
  agency: 'intermediate-care',
  reason: 'assessment',
  acceptBy: '2026-03-04T09:00:00.000Z',
  readyBy: '2026-03-06T09:00:00.000Z',
  consentRequired,
  funding: { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' },
});
const equipmentRequested = (consentRequired = false): EventOf<'referral.requested'> => ({
  type: 'referral.requested',
  at: day(3, '09:00:00'),
  referralId: 'ref-2',
  service: 'equipment',
  agency: 'equipment',
  reason: 'assessment',
  acceptBy: '2026-03-04T09:00:00.000Z',
  readyBy: '2026-03-06T09:00:00.000Z',
  consentRequired,
  funding: { payer: 'council', charging: 'free', financialAssessment: 'not_needed' },
});
/** Arranging: P1 agreed on the 3rd at 09:00, reablement (ref-1) and equipment (ref-2) requested. */
const p1Arranging = (): PathwayEvent[] => [...drdSet(), p1Assessed, reablementRequested(), equipmentRequested()];
const p1ArrangingWithoutConsent = (): PathwayEvent[] => [
  ...drdSet([]),
  p1Assessed,
  reablementRequested(true),
  equipmentRequested(true),
];
const answered = (
  referralId: 'ref-1' | 'ref-2',
  type: 'referral.accepted' | 'referral.declined' | 'referral.ready',
  at = day(3, '12:00:00'),
): PathwayEvent => {
  const agency = referralId === 'ref-1' ? 'intermediate-care' : 'equipment';
  if (type === 'referral.accepted') return { type, at, referralId, agency, readyBy: '2026-03-06T09:00:00.000Z' };
  if (type === 'referral.declined') return { type, at, referralId, agency };
  return { type, at, referralId, agency, readyFrom: date(3) };
};
const respond = (
  referralId: string,
  agency: string,
  response: 'accepted' | 'declined' | 'ready',
  at = day(3, '12:00:00'),
): PathwayCommand => ({ type: 'referral-response', at, referralId, agency, response }) as PathwayCommand;

describe('joint assessment', () => {
  it('P0 needs no referrals: the pathway is ready for discharge at once', () => {
    given(...drdSet())
      .when({ ...assessP1, pathway: 'P0', needs: [] } as PathwayCommand)
      .then({ type: 'assessment.completed', pathway: 'P0', replan: false }, { type: 'pathway.ready_for_discharge' });
  });

  it('P1 sends one referral per need, in parallel, to the agency that provides it', () => {
    given(...drdSet())
      .when(assessP1)
      .then(
        { type: 'assessment.completed', pathway: 'P1', needs: ['reablement', 'equipment'] },
        {
          type: 'referral.requested',
          referralId: 'ref-1',
          service: 'reablement',
          agency: 'intermediate-care',
          acceptBy: '2026-03-04T09:00:00.000Z',
        },
        { type: 'referral.requested', referralId: 'ref-2', service: 'equipment', agency: 'equipment' },
      );
    expect(given(...p1Arranging()).state().stage).toBe('arranging');
  });

  it('measures the days from the discharge ready date to the assessment', () => {
    given(...drdSet())
      .when({ ...assessP1, at: day(5) } as PathwayCommand)
      .then(
        { type: 'assessment.completed', at: day(5), daysFromDischargeReady: 3 },
        { type: 'referral.requested', referralId: 'ref-1', service: 'reablement' },
        { type: 'referral.requested', referralId: 'ref-2', service: 'equipment' },
      );
  });

  it('can happen before the DRD (planning starts on admission)', () => {
    const { daysFromDischargeReady: _none, ...withoutDrd } = p1Assessed;
    given(started()).when(assessP1).then(withoutDrd, reablementRequested(), equipmentRequested());
    const [completed] = given(started()).when(assessP1).events();
    expect(completed).not.toHaveProperty('daysFromDischargeReady');
  });

  it('needs a professional', () => {
    given(...drdSet())
      .when({ ...assessP1, participants: [{ role: 'patient' }] } as PathwayCommand)
      .thenRejects('invalid', /professional/);
  });

  it('rules 1 (pathways started before): the patient or their carer must take part', () => {
    const rules1DrdSet = [started({ rules: undefined }), drdRecorded];
    givenRules1(...rules1DrdSet)
      .when({ ...assessP1, participants: [{ role: 'patient' }] } as PathwayCommand)
      .thenRejects('invalid', /professional/);
    givenRules1(...rules1DrdSet)
      .when({ ...assessP1, participants: [{ role: 'nurse' }] } as PathwayCommand)
      .thenRejects('invalid', /patient or their carer/);
    // Rules 1 assumed no funding on a referral.
    const { funding: _f1, ...ref1 } = reablementRequested();
    const { funding: _f2, ...ref2 } = equipmentRequested();
    const events = givenRules1(...rules1DrdSet)
      .when({ ...assessP1, participants: [{ role: 'nurse' }, { role: 'carer' }] } as PathwayCommand)
      .then({ ...p1Assessed, participants: ['nurse', 'carer'] }, ref1, ref2);
    expect(events[1]).not.toHaveProperty('funding');
  });

  it.each([
    ['P0', ['equipment'], /P0/],
    ['P1', [], /at least one service/],
    ['P2', ['reablement'], /step-down-bed/],
    ['P3', ['domiciliary-care'], /care-home-placement/],
  ])('rejects pathway %s with needs %j', (pathway, needs, message) => {
    given(...drdSet())
      .when({ ...assessP1, pathway, needs } as PathwayCommand)
      .thenRejects('invalid', message);
  });

  it('records consent per agency given at the assessment', () => {
    given(...drdSet([]))
      .when({ ...assessP1, consents: ['intermediate-care'] } as PathwayCommand)
      .then(
        p1Assessed,
        {
          type: 'consent.recorded',
          at: day(3, '09:00:00'),
          agency: 'intermediate-care',
          given: true,
          givenBy: 'patient',
        },
        reablementRequested(false),
        equipmentRequested(true),
      );
  });

  it('refers a homeless person to housing under the duty to refer, even on P0', () => {
    const homeless = started();
    homeless.patient = { ...homeless.patient, housingStatus: 'homeless' };
    given(homeless, drdRecorded)
      .when({ ...assessP1, pathway: 'P0', needs: [] } as PathwayCommand)
      .then(
        { type: 'assessment.completed', pathway: 'P0', needs: [] },
        {
          type: 'referral.requested',
          at: day(3, '09:00:00'),
          referralId: 'ref-1',
          service: 'housing',
          agency: 'housing',
          reason: 'duty-to-refer',
          acceptBy: '2026-03-06T09:00:00.000Z',
          readyBy: '2026-03-20T09:00:00.000Z',
          consentRequired: false,
        },
      );
  });

  it('a second assessment re-plans: services no longer needed are withdrawn, new ones requested', () => {
    given(...p1Arranging())
      .when({ ...assessP1, at: day(4), needs: ['reablement', 'district-nursing'] } as PathwayCommand)
      .then(
        { type: 'assessment.completed', replan: true },
        { type: 'referral.withdrawn', referralId: 'ref-2', agency: 'equipment' },
        { type: 'referral.requested', referralId: 'ref-3', service: 'district-nursing', reason: 'changed-plan' },
      );
  });
});

describe('arranging: P1 agreed, reablement and equipment requested', () => {
  it('requested → accepted → ready; when the last is ready the pathway is ready for discharge', () => {
    const events = [
      ...p1Arranging(),
      answered('ref-1', 'referral.accepted'),
      answered('ref-1', 'referral.ready'),
      answered('ref-2', 'referral.accepted'),
    ];
    expect(given(...events).state().stage).toBe('arranging');
    given(...events)
      .when(respond('ref-2', 'equipment', 'ready'))
      .then(
        {
          type: 'referral.ready',
          at: day(3, '12:00:00'),
          referralId: 'ref-2',
          agency: 'equipment',
          readyFrom: date(3),
        },
        { type: 'pathway.ready_for_discharge', at: day(3, '12:00:00') },
      );
  });

  it('an early acceptance keeps the readiness deadline shown with the request (SLA hours from the acceptance deadline)', () => {
    given(...p1Arranging())
      .when(respond('ref-2', 'equipment', 'accepted', day(3, '12:00:00')))
      .then({
        type: 'referral.accepted',
        at: day(3, '12:00:00'),
        referralId: 'ref-2',
        agency: 'equipment',
        readyBy: '2026-03-06T09:00:00.000Z',
      });
  });

  it('a late acceptance counts the readiness deadline from the acceptance, later than the one shown', () => {
    given(...p1Arranging())
      .when(respond('ref-2', 'equipment', 'accepted', '2026-03-04T15:00:00.000Z'))
      .then({ type: 'referral.accepted', readyBy: '2026-03-06T15:00:00.000Z' });
  });

  it('rules 1 (pathways started before): acceptance sets the readiness deadline from the acceptance itself', () => {
    const { funding: _f1, ...ref1 } = reablementRequested();
    const { funding: _f2, ...ref2 } = equipmentRequested();
    const arranging: PathwayEvent[] = [started({ rules: undefined }), drdRecorded, p1Assessed, ref1, ref2];
    givenRules1(...arranging)
      .when(respond('ref-2', 'equipment', 'accepted', day(3, '12:00:00')))
      .then({ type: 'referral.accepted', readyBy: '2026-03-05T12:00:00.000Z' });
  });

  it('ready straight from requested records the implied acceptance too', () => {
    given(...p1Arranging())
      .when(respond('ref-1', 'intermediate-care', 'ready'))
      .then(
        {
          type: 'referral.accepted',
          at: day(3, '12:00:00'),
          referralId: 'ref-1',
          agency: 'intermediate-care',
          readyBy: '2026-03-06T09:00:00.000Z',
        },
        {
          type: 'referral.ready',
          at: day(3, '12:00:00'),
          referralId: 'ref-1',
          agency: 'intermediate-care',
          readyFrom: date(3),
        },
      );
  });

  it('only the agency a referral is addressed to may answer it', () => {
    given(...p1Arranging())
      .when(respond('ref-1', 'housing', 'accepted'))
      .thenRejects('wrong_agency', /addressed to intermediate-care/);
  });

  it('rejects an unknown referral', () => {
    given(...p1Arranging())
      .when(respond('ref-9', 'equipment', 'accepted'))
      .thenRejects('unknown_referral');
  });

  it('rejects answers in the wrong order', () => {
    given(...p1Arranging(), answered('ref-1', 'referral.accepted'))
      .when(respond('ref-1', 'intermediate-care', 'accepted'))
      .thenRejects('not_allowed_in_stage', /only a requested referral/);
    given(...p1Arranging(), answered('ref-1', 'referral.declined'))
      .when(respond('ref-1', 'intermediate-care', 'ready'))
      .thenRejects('not_allowed_in_stage', /declined/);
    given(...p1Arranging(), answered('ref-1', 'referral.declined'))
      .when(respond('ref-1', 'intermediate-care', 'declined'))
      .thenRejects('not_allowed_in_stage', /can no longer be declined/);
    given(...p1Arranging(), answered('ref-1', 'referral.ready'))
      .when(respond('ref-1', 'intermediate-care', 'declined'))
      .thenRejects('not_allowed_in_stage', /is ready; it can no longer be declined/);
    given(...p1Arranging(), answered('ref-1', 'referral.ready'))
      .when(respond('ref-1', 'intermediate-care', 'ready'))
      .thenRejects('not_allowed_in_stage', /is ready; only a requested or accepted referral/);
  });

  it('a decline after an acceptance is taken, and the need is uncovered again: discharge waits for a re-referral', () => {
    const acceptedThenDeclined = given(...p1Arranging(), answered('ref-1', 'referral.accepted'))
      .when({
        type: 'referral-response',
        at: day(4),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        response: 'declined',
        reason: 'no capacity this week',
      })
      .then({
        type: 'referral.declined',
        at: day(4),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        reason: 'no capacity this week',
      });
    const events = [
      ...p1Arranging(),
      answered('ref-1', 'referral.accepted'),
      ...acceptedThenDeclined,
      answered('ref-2', 'referral.ready'),
    ];
    const state = given(...events).state();
    expect(state.stage).toBe('arranging');
    expect(state.referrals.find((r) => r.referralId === 'ref-1')).toMatchObject({
      status: 'declined',
      declinedAt: day(4),
    });
    // The wait is still on intermediate care, from the decline, until re-referred.
    expect(activeReasons(state)).toEqual([
      { code: 'awaiting_p1_resource', agency: 'intermediate-care', waitingOn: 'agency', since: day(4), derived: true },
    ]);
    given(...events)
      .when({ type: 'discharge', at: day(4), date: date(4), destination: 'usual-residence' })
      .thenRejects('not_allowed_in_stage', /needs without a live referral: reablement/);
  });

  it('a decline blocks discharge until a re-referral is requested and ready', () => {
    const events = [...p1Arranging(), answered('ref-1', 'referral.declined'), answered('ref-2', 'referral.ready')];
    expect(given(...events).state().stage).toBe('arranging');
    given(...events)
      .when({ type: 'discharge', at: day(4), date: date(4), destination: 'usual-residence' })
      .thenRejects('not_allowed_in_stage', /needs without a live referral: reablement/);
    given(...events)
      .when({ type: 'referral', at: day(4), service: 'reablement', reason: 're-referral' })
      .then({
        type: 'referral.requested',
        at: day(4),
        referralId: 'ref-3',
        service: 'reablement',
        agency: 'intermediate-care',
        reason: 're-referral',
        acceptBy: '2026-03-05T10:00:00.000Z',
        readyBy: '2026-03-07T10:00:00.000Z',
        consentRequired: false,
        funding: { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' },
      });
    const rereferred: PathwayEvent[] = [
      ...events,
      {
        type: 'referral.requested',
        at: day(4),
        referralId: 'ref-3',
        service: 'reablement',
        agency: 'intermediate-care',
        reason: 're-referral',
        acceptBy: '2026-03-05T10:00:00.000Z',
        readyBy: '2026-03-07T10:00:00.000Z',
        consentRequired: false,
      },
    ];
    given(...rereferred)
      .when(respond('ref-3', 'intermediate-care', 'ready', day(4, '15:00:00')))
      .then(
        {
          type: 'referral.accepted',
          at: day(4, '15:00:00'),
          referralId: 'ref-3',
          agency: 'intermediate-care',
          readyBy: '2026-03-07T10:00:00.000Z',
        },
        {
          type: 'referral.ready',
          at: day(4, '15:00:00'),
          referralId: 'ref-3',
          agency: 'intermediate-care',
          readyFrom: date(4),
        },
        { type: 'pathway.ready_for_discharge', at: day(4, '15:00:00') },
      );
  });

  it('a changed plan after a decline: a second assessment without the declined need makes the pathway ready', () => {
    const declined = [...p1Arranging(), answered('ref-1', 'referral.declined'), answered('ref-2', 'referral.ready')];
    given(...declined)
      .when({ ...assessP1, at: day(5), needs: ['equipment'] } as PathwayCommand)
      .then(
        {
          type: 'assessment.completed',
          at: day(5),
          pathway: 'P1',
          needs: ['equipment'],
          replan: true,
          daysFromDischargeReady: 3,
        },
        { type: 'pathway.ready_for_discharge', at: day(5) },
      );
  });

  it('a changed plan after a decline: a different service for the need is requested as a changed plan', () => {
    const declined = [...p1Arranging(), answered('ref-1', 'referral.declined'), answered('ref-2', 'referral.ready')];
    given(...declined)
      .when({ ...assessP1, at: day(5), needs: ['domiciliary-care', 'equipment'] } as PathwayCommand)
      .then(
        { type: 'assessment.completed', needs: ['domiciliary-care', 'equipment'], replan: true },
        {
          type: 'referral.requested',
          at: day(5),
          referralId: 'ref-3',
          service: 'domiciliary-care',
          agency: 'social-care',
          reason: 'changed-plan',
          acceptBy: '2026-03-07T10:00:00.000Z',
          readyBy: '2026-03-10T10:00:00.000Z',
          consentRequired: false,
          funding: { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' },
        },
      );
  });

  it('rejects a second live referral for the same service', () => {
    given(...p1Arranging())
      .when({ type: 'referral', at: day(4), service: 'equipment', reason: 'additional-need' })
      .thenRejects('duplicate', /ref-2/);
  });

  it('without consent for its agency a referral blocks the pathway until consent is recorded', () => {
    const events = [
      ...p1ArrangingWithoutConsent(),
      answered('ref-1', 'referral.ready'),
      answered('ref-2', 'referral.ready'),
    ];
    const state = given(...events).state();
    expect(state.stage).toBe('arranging');
    expect(activeReasons(state)).toEqual([
      {
        code: 'consent_required',
        agency: 'intermediate-care',
        waitingOn: 'patient',
        since: day(3, '09:00:00'),
        derived: true,
      },
      { code: 'consent_required', agency: 'equipment', waitingOn: 'patient', since: day(3, '09:00:00'), derived: true },
    ]);
    // Consent waits on the patient: no agency is held to account for it.
    expect(awaitingAgencies(state)).toEqual([]);
    expect(
      awaitingAgencies(givenRules1(started({ rules: undefined, consents: [] }), ...events.slice(1)).state()),
    ).toEqual(['equipment', 'intermediate-care']);
    given(...events)
      .when({ type: 'consent', at: day(4), agency: 'equipment', given: true })
      .then({ type: 'consent.recorded', at: day(4), agency: 'equipment', given: true, givenBy: 'patient' });
    given(...events, { type: 'consent.recorded', at: day(4), agency: 'equipment', given: true, givenBy: 'patient' })
      .when({ type: 'consent', at: day(4), agency: 'intermediate-care', given: true })
      .then(
        { type: 'consent.recorded', agency: 'intermediate-care', given: true },
        { type: 'pathway.ready_for_discharge', at: day(4) },
      );
  });
});

describe('ready_for_discharge: both packages in place', () => {
  const ready = () => [
    ...p1Arranging(),
    answered('ref-1', 'referral.ready'),
    answered('ref-2', 'referral.ready'),
    { type: 'pathway.ready_for_discharge' as const, at: day(3, '12:00:00') },
  ];

  it('a new referral moves the pathway back to arranging', () => {
    const events = given(...ready())
      .when({ type: 'referral', at: day(4), service: 'home-from-hospital', reason: 'additional-need' })
      .then({ type: 'referral.requested', referralId: 'ref-3', agency: 'voluntary' });
    expect(given(...ready(), ...events).state().stage).toBe('arranging');
  });

  it('consent withdrawn from an agency with a package moves it back to arranging', () => {
    const withdrawn = given(...ready())
      .when({ type: 'consent', at: day(4), agency: 'equipment', given: false })
      .then({ type: 'consent.recorded', agency: 'equipment', given: false });
    expect(given(...ready(), ...withdrawn).state().stage).toBe('arranging');
  });
});

describe('deadlines and escalation', () => {
  const policy = resolvePolicy('england');

  it('the next deadline is the earliest acceptance deadline', () => {
    // intermediate-care accepts within 24h, equipment within 24h: both from 09:00 on day 3.
    expect(nextDeadline(given(...p1Arranging()).state(), policy)).toBe('2026-03-04T09:00:00.000Z');
  });

  it('a tick before any deadline records nothing', () => {
    given(...p1Arranging())
      .when({ type: 'tick', at: '2026-03-04T08:59:59.000Z' })
      .then();
  });

  it('a missed acceptance deadline escalates, and escalates again every 24 hours while unresolved', () => {
    const first = given(...p1Arranging())
      .when({ type: 'tick', at: '2026-03-04T09:00:00.000Z' })
      .then(
        {
          type: 'referral.escalated',
          referralId: 'ref-1',
          kind: 'acceptance',
          level: 1,
          overdueSince: '2026-03-04T09:00:00.000Z',
        },
        { type: 'referral.escalated', referralId: 'ref-2', kind: 'acceptance', level: 1 },
      );
    const after = [...p1Arranging(), ...first];
    expect(overdueSince(given(...after).state())).toBe('2026-03-04T09:00:00.000Z');
    expect(nextDeadline(given(...after).state(), policy)).toBe('2026-03-05T09:00:00.000Z');
    given(...after)
      .when({ type: 'tick', at: '2026-03-04T20:00:00.000Z' })
      .then();
    given(...after)
      .when({ type: 'tick', at: '2026-03-05T09:00:00.000Z' })
      .then({ level: 2, referralId: 'ref-1' }, { level: 2, referralId: 'ref-2' });
  });

  it('a late tick raises only the level now due, not every level it missed', () => {
    given(...p1Arranging())
      .when({ type: 'tick', at: '2026-03-07T10:00:00.000Z' })
      .then({ level: 4 }, { level: 4 });
  });

  it('acceptance resolves the acceptance escalation; the readiness deadline escalates next', () => {
    const events: PathwayEvent[] = [
      ...p1Arranging(),
      {
        type: 'referral.escalated',
        at: '2026-03-04T09:00:00.000Z',
        referralId: 'ref-1',
        agency: 'intermediate-care',
        kind: 'acceptance',
        level: 1,
        overdueSince: '2026-03-04T09:00:00.000Z',
      },
      {
        type: 'referral.escalated',
        at: '2026-03-04T09:00:00.000Z',
        referralId: 'ref-2',
        agency: 'equipment',
        kind: 'acceptance',
        level: 1,
        overdueSince: '2026-03-04T09:00:00.000Z',
      },
      {
        type: 'referral.accepted',
        at: '2026-03-04T10:00:00.000Z',
        referralId: 'ref-2',
        agency: 'equipment',
        readyBy: '2026-03-06T10:00:00.000Z',
      },
    ];
    const state = given(...events).state();
    expect(state.referrals.find((r) => r.referralId === 'ref-2')?.overdueSince).toBeUndefined();
    given(...events)
      .when({ type: 'tick', at: '2026-03-06T10:00:00.000Z' })
      .then(
        { referralId: 'ref-1', kind: 'acceptance', level: 3 },
        { referralId: 'ref-2', kind: 'readiness', level: 1, overdueSince: '2026-03-06T10:00:00.000Z' },
      );
  });

  it('SLAs come from the deployment policy', () => {
    const fast = resolvePolicy('england', { sla: { equipment: { acceptWithinHours: 2 } } });
    const [, , ref2] = given(...drdSet())
      .when(assessP1, fast)
      .events();
    expect(ref2).toMatchObject({ agency: 'equipment', acceptBy: '2026-03-03T11:00:00.000Z' });
  });

  it('a step-down bed must be ready within 2 days of referral, even if the SLA is longer', () => {
    const policy = resolvePolicy('england', { sla: { 'intermediate-care': { readyWithinHours: 240 } } });
    const p2: PathwayEvent[] = [
      ...drdSet(),
      { ...p1Assessed, pathway: 'P2', needs: ['step-down-bed'] },
      { ...reablementRequested(), service: 'step-down-bed', readyBy: '2026-03-05T09:00:00.000Z' },
    ];
    given(...p2)
      .when(respond('ref-1', 'intermediate-care', 'accepted', day(3, '12:00:00')), policy)
      .then({ readyBy: '2026-03-05T09:00:00.000Z' });
  });
});

describe('delay reasons', () => {
  it('several explicit reasons at once, each timestamped and attributed to an agency', () => {
    const events: PathwayEvent[] = [
      ...drdSet(),
      { type: 'delay_reason.recorded', at: day(3), code: 'awaiting_transport', agency: 'acute-trust' },
      { type: 'delay_reason.recorded', at: day(4), code: 'family_not_in_agreement', agency: 'social-care' },
    ];
    const explicit = activeReasons(given(...events).state()).filter((r) => !r.derived);
    expect(explicit).toEqual([
      { code: 'awaiting_transport', agency: 'acute-trust', waitingOn: 'agency', since: day(3), derived: false },
      // Recorded by social care, but it waits on the family.
      { code: 'family_not_in_agreement', agency: 'social-care', waitingOn: 'family', since: day(4), derived: false },
    ]);
  });

  it('rejects a duplicate active reason and resolving one that is not active', () => {
    const events: PathwayEvent[] = [
      ...drdSet(),
      { type: 'delay_reason.recorded', at: day(3), code: 'awaiting_transport', agency: 'acute-trust' },
    ];
    given(...events)
      .when({ type: 'delay-reason', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' })
      .thenRejects('duplicate');
    given(...events)
      .when({ type: 'delay-reason-resolved', at: day(4), code: 'awaiting_diagnostics', agency: 'acute-trust' })
      .thenRejects('invalid');
    given(...events)
      .when({ type: 'delay-reason-resolved', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' })
      .then({ type: 'delay_reason.resolved' });
  });

  it('derives reasons from open referrals and a missing plan, without duplicating explicit ones', () => {
    expect(activeReasons(given(...drdSet()).state())).toEqual([
      { code: 'no_plan', agency: 'acute-trust', waitingOn: 'agency', since: date(2), derived: true },
    ]);
    const events: PathwayEvent[] = [
      ...p1Arranging(),
      { type: 'delay_reason.recorded', at: day(4), code: 'awaiting_p1_resource', agency: 'intermediate-care' },
    ];
    const reasons = activeReasons(given(...events).state());
    expect(reasons.map((r) => `${r.code}/${r.agency}/${r.derived}`).sort()).toEqual([
      'awaiting_equipment_adaptations/equipment/true',
      'awaiting_p1_resource/intermediate-care/false',
    ]);
  });

  it('ready referrals no longer imply a reason', () => {
    const events = [...p1Arranging(), answered('ref-1', 'referral.accepted'), answered('ref-1', 'referral.ready')];
    expect(activeReasons(given(...events).state()).map((r) => r.code)).toEqual(['awaiting_equipment_adaptations']);
  });
});
