import { describe, expect, it } from 'vitest';
import { activeReasons, awaitingAgencies, nextDeadline, overdueSince, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import { admission } from '../support/fixtures';
import { date, day, given, givenRules1, history, patientAgrees, professionalAndPatient, rules1, start } from './spec';

const drd: PathwayCommand = { type: 'discharge-ready', at: day(2), date: date(2) };
const assessP1: PathwayCommand = {
  type: 'assessment',
  at: day(3, '09:00:00'),
  participants: professionalAndPatient,
  ...patientAgrees,
  pathway: 'P1',
  needs: ['reablement', 'equipment'],
  consents: [],
};
const p1Arranging = () => history([start(), drd, assessP1]);
const respond = (referralId: string, agency: string, response: 'accepted' | 'declined' | 'ready', at = day(3, '12:00:00')): PathwayCommand =>
  ({ type: 'referral-response', at, referralId, agency, response }) as PathwayCommand;

describe('joint assessment', () => {
  it('P0 needs no referrals: the pathway is ready for discharge at once', () => {
    given(...history([start(), drd]))
      .when({ ...assessP1, pathway: 'P0', needs: [] } as PathwayCommand)
      .then({ type: 'assessment.completed', pathway: 'P0', replan: false }, { type: 'pathway.ready_for_discharge' });
  });

  it('P1 sends one referral per need, in parallel, to the agency that provides it', () => {
    given(...history([start(), drd]))
      .when(assessP1)
      .then(
        { type: 'assessment.completed', pathway: 'P1', needs: ['reablement', 'equipment'] },
        { type: 'referral.requested', referralId: 'ref-1', service: 'reablement', agency: 'intermediate-care', acceptBy: '2026-03-04T09:00:00.000Z' },
        { type: 'referral.requested', referralId: 'ref-2', service: 'equipment', agency: 'equipment' },
      );
    expect(given(...p1Arranging()).state().stage).toBe('arranging');
  });

  it('measures the days from the discharge ready date to the assessment', () => {
    given(...history([start(), drd])).when({ ...assessP1, at: day(5) } as PathwayCommand).then({ type: 'assessment.completed', daysFromDischargeReady: 3 }, {}, {});
    const [completed] = given(...history([start()])).when(assessP1).events();
    expect(completed).not.toHaveProperty('daysFromDischargeReady');
  });

  it('can happen before the DRD (planning starts on admission)', () => {
    given(...history([start()])).when(assessP1).then({ type: 'assessment.completed' }, {}, {});
  });

  it('needs a professional', () => {
    given(...history([start(), drd])).when({ ...assessP1, participants: [{ role: 'patient' }] } as PathwayCommand).thenRejects('invalid', /professional/);
  });

  it('rules 1 (pathways started before): the patient or their carer must take part', () => {
    const started = history([start(), drd], undefined, rules1);
    givenRules1(...started).when({ ...assessP1, participants: [{ role: 'patient' }] } as PathwayCommand).thenRejects('invalid', /professional/);
    givenRules1(...started).when({ ...assessP1, participants: [{ role: 'nurse' }] } as PathwayCommand).thenRejects('invalid', /patient or their carer/);
    givenRules1(...started).when({ ...assessP1, participants: [{ role: 'nurse' }, { role: 'carer' }] } as PathwayCommand).then({}, {}, {});
  });

  it.each([
    ['P0', ['equipment'], /P0/],
    ['P1', [], /at least one service/],
    ['P2', ['reablement'], /step-down-bed/],
    ['P3', ['domiciliary-care'], /care-home-placement/],
  ])('rejects pathway %s with needs %j', (pathway, needs, message) => {
    given(...history([start(), drd])).when({ ...assessP1, pathway, needs } as PathwayCommand).thenRejects('invalid', message);
  });

  it('records consent per agency given at the assessment', () => {
    const events = history([start({ consents: [] }), drd, { ...assessP1, consents: ['intermediate-care'] } as PathwayCommand]);
    expect(events.filter((e) => e.type === 'consent.recorded')).toMatchObject([{ agency: 'intermediate-care', given: true }]);
    const [ref1, ref2] = events.filter((e) => e.type === 'referral.requested');
    expect(ref1).toMatchObject({ agency: 'intermediate-care', consentRequired: false });
    expect(ref2).toMatchObject({ agency: 'equipment', consentRequired: true });
  });

  it('refers a homeless person to housing under the duty to refer, even on P0', () => {
    const events = history([
      start({ patient: { ...admission().patient, housingStatus: 'homeless' } }),
      drd,
      { ...assessP1, pathway: 'P0', needs: [] } as PathwayCommand,
    ]);
    expect(events.filter((e) => e.type === 'referral.requested')).toMatchObject([{ service: 'housing', agency: 'housing', reason: 'duty-to-refer' }]);
    expect(events.some((e) => e.type === 'pathway.ready_for_discharge')).toBe(false);
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

describe('referrals', () => {
  it('requested → accepted → ready; when the last is ready the pathway is ready for discharge', () => {
    const events = history([
      start(),
      drd,
      assessP1,
      respond('ref-1', 'intermediate-care', 'accepted'),
      respond('ref-1', 'intermediate-care', 'ready'),
      respond('ref-2', 'equipment', 'accepted'),
    ]);
    expect(given(...events).state().stage).toBe('arranging');
    given(...events).when(respond('ref-2', 'equipment', 'ready')).then({ type: 'referral.ready', referralId: 'ref-2', readyFrom: date(3) }, { type: 'pathway.ready_for_discharge' });
  });

  it('an early acceptance keeps the readiness deadline shown with the request (SLA hours from the acceptance deadline)', () => {
    const [, requested] = p1Arranging().filter((e) => e.type === 'referral.requested');
    expect(requested).toMatchObject({ agency: 'equipment', acceptBy: '2026-03-04T09:00:00.000Z', readyBy: '2026-03-06T09:00:00.000Z' });
    given(...p1Arranging())
      .when(respond('ref-2', 'equipment', 'accepted', day(3, '12:00:00')))
      .then({ type: 'referral.accepted', readyBy: '2026-03-06T09:00:00.000Z' });
  });

  it('a late acceptance counts the readiness deadline from the acceptance, later than the one shown', () => {
    given(...p1Arranging())
      .when(respond('ref-2', 'equipment', 'accepted', '2026-03-04T15:00:00.000Z'))
      .then({ type: 'referral.accepted', readyBy: '2026-03-06T15:00:00.000Z' });
  });

  it('rules 1 (pathways started before): acceptance sets the readiness deadline from the acceptance itself', () => {
    const arranging = history([start(), drd, assessP1], undefined, rules1);
    givenRules1(...arranging)
      .when(respond('ref-2', 'equipment', 'accepted', day(3, '12:00:00')))
      .then({ type: 'referral.accepted', readyBy: '2026-03-05T12:00:00.000Z' });
  });

  it('ready straight from requested records the implied acceptance too', () => {
    given(...p1Arranging()).when(respond('ref-1', 'intermediate-care', 'ready')).then({ type: 'referral.accepted' }, { type: 'referral.ready' });
  });

  it('only the agency a referral is addressed to may answer it', () => {
    given(...p1Arranging()).when(respond('ref-1', 'housing', 'accepted')).thenRejects('wrong_agency', /addressed to intermediate-care/);
  });

  it('rejects an unknown referral', () => {
    given(...p1Arranging()).when(respond('ref-9', 'equipment', 'accepted')).thenRejects('unknown_referral');
  });

  it('rejects answers in the wrong order', () => {
    const accepted = history([start(), drd, assessP1, respond('ref-1', 'intermediate-care', 'accepted')]);
    given(...accepted).when(respond('ref-1', 'intermediate-care', 'accepted')).thenRejects('not_allowed_in_stage', /only a requested referral/);
    const declined = history([start(), drd, assessP1, respond('ref-1', 'intermediate-care', 'declined')]);
    given(...declined).when(respond('ref-1', 'intermediate-care', 'ready')).thenRejects('not_allowed_in_stage', /declined/);
  });

  it('a decline blocks discharge until a re-referral is requested and ready', () => {
    const events = history([
      start(),
      drd,
      assessP1,
      respond('ref-1', 'intermediate-care', 'declined'),
      respond('ref-2', 'equipment', 'ready'),
    ]);
    expect(given(...events).state().stage).toBe('arranging');
    given(...events).when({ type: 'discharge', at: day(4), date: date(4), destination: 'usual-residence' }).thenRejects('not_allowed_in_stage', /needs without a live referral: reablement/);
    const rereferred = [...events, ...given(...events).when({ type: 'referral', at: day(4), service: 'reablement', reason: 're-referral' }).then({ type: 'referral.requested', referralId: 'ref-3', reason: 're-referral' })];
    given(...rereferred).when(respond('ref-3', 'intermediate-care', 'ready', day(4, '15:00:00'))).then({}, {}, { type: 'pathway.ready_for_discharge' });
  });

  it('rejects a second live referral for the same service', () => {
    given(...p1Arranging()).when({ type: 'referral', at: day(4), service: 'equipment', reason: 'additional-need' }).thenRejects('duplicate', /ref-2/);
  });

  it('a new referral after readiness moves the pathway back to arranging', () => {
    const ready = history([start(), drd, assessP1, respond('ref-1', 'intermediate-care', 'ready'), respond('ref-2', 'equipment', 'ready')]);
    expect(given(...ready).state().stage).toBe('ready_for_discharge');
    const events = given(...ready).when({ type: 'referral', at: day(4), service: 'home-from-hospital', reason: 'additional-need' }).then({ type: 'referral.requested', agency: 'voluntary' });
    expect(given(...ready, ...events).state().stage).toBe('arranging');
  });

  it('without consent for its agency a referral blocks the pathway until consent is recorded', () => {
    const events = history([start({ consents: [] }), drd, assessP1, respond('ref-1', 'intermediate-care', 'ready'), respond('ref-2', 'equipment', 'ready')]);
    const state = given(...events).state();
    expect(state.stage).toBe('arranging');
    expect(activeReasons(state).filter((r) => r.code === 'consent_required').map((r) => r.agency).sort()).toEqual(['equipment', 'intermediate-care']);
    // Consent waits on the patient: no agency is held to account for it.
    expect(awaitingAgencies(state)).toEqual([]);
    expect(activeReasons(state).filter((r) => r.code === 'consent_required').every((r) => r.waitingOn === 'patient')).toBe(true);
    expect(awaitingAgencies(givenRules1(...history([start({ consents: [] }), drd, assessP1, respond('ref-1', 'intermediate-care', 'ready'), respond('ref-2', 'equipment', 'ready')], undefined, rules1)).state())).toEqual(['equipment', 'intermediate-care']);
    const consented = [...events, ...given(...events).when({ type: 'consent', at: day(4), agency: 'equipment', given: true }).then({ type: 'consent.recorded' })];
    given(...consented).when({ type: 'consent', at: day(4), agency: 'intermediate-care', given: true }).then({ type: 'consent.recorded' }, { type: 'pathway.ready_for_discharge' });
  });
});

describe('deadlines and escalation', () => {
  const policy = resolvePolicy('england');

  it('the next deadline is the earliest acceptance deadline', () => {
    // intermediate-care accepts within 24h, equipment within 24h: both from 09:00 on day 3.
    expect(nextDeadline(given(...p1Arranging()).state(), policy)).toBe('2026-03-04T09:00:00.000Z');
  });

  it('a tick before any deadline records nothing', () => {
    given(...p1Arranging()).when({ type: 'tick', at: '2026-03-04T08:59:59.000Z' }).then();
  });

  it('a missed acceptance deadline escalates, and escalates again every 24 hours while unresolved', () => {
    const first = given(...p1Arranging()).when({ type: 'tick', at: '2026-03-04T09:00:00.000Z' }).then(
      { type: 'referral.escalated', referralId: 'ref-1', kind: 'acceptance', level: 1, overdueSince: '2026-03-04T09:00:00.000Z' },
      { type: 'referral.escalated', referralId: 'ref-2', kind: 'acceptance', level: 1 },
    );
    const after = [...p1Arranging(), ...first];
    expect(overdueSince(given(...after).state())).toBe('2026-03-04T09:00:00.000Z');
    expect(nextDeadline(given(...after).state(), policy)).toBe('2026-03-05T09:00:00.000Z');
    given(...after).when({ type: 'tick', at: '2026-03-04T20:00:00.000Z' }).then();
    given(...after).when({ type: 'tick', at: '2026-03-05T09:00:00.000Z' }).then({ level: 2, referralId: 'ref-1' }, { level: 2, referralId: 'ref-2' });
  });

  it('a late tick raises only the level now due, not every level it missed', () => {
    given(...p1Arranging()).when({ type: 'tick', at: '2026-03-07T10:00:00.000Z' }).then({ level: 4 }, { level: 4 });
  });

  it('acceptance resolves the acceptance escalation; the readiness deadline escalates next', () => {
    const events = history([start(), drd, assessP1, { type: 'tick', at: '2026-03-04T09:00:00.000Z' }, respond('ref-2', 'equipment', 'accepted', '2026-03-04T10:00:00.000Z')]);
    const state = given(...events).state();
    expect(state.referrals.find((r) => r.referralId === 'ref-2')?.overdueSince).toBeUndefined();
    given(...events)
      .when({ type: 'tick', at: '2026-03-06T10:00:00.000Z' })
      .then({ referralId: 'ref-1', kind: 'acceptance', level: 3 }, { referralId: 'ref-2', kind: 'readiness', level: 1, overdueSince: '2026-03-06T10:00:00.000Z' });
  });

  it('SLAs come from the deployment policy', () => {
    const fast = resolvePolicy('england', { sla: { equipment: { acceptWithinHours: 2 } } });
    const [, , ref2] = given(...history([start(), drd])).when(assessP1, fast).events();
    expect(ref2).toMatchObject({ agency: 'equipment', acceptBy: '2026-03-03T11:00:00.000Z' });
  });

  it('a step-down bed must be ready within 2 days of referral, even if the SLA is longer', () => {
    const policy = resolvePolicy('england', { sla: { 'intermediate-care': { readyWithinHours: 240 } } });
    const p2 = history([start(), drd, { ...assessP1, pathway: 'P2', needs: ['step-down-bed'] } as PathwayCommand], policy);
    given(...p2).when(respond('ref-1', 'intermediate-care', 'accepted', day(3, '12:00:00')), policy).then({ readyBy: '2026-03-05T09:00:00.000Z' });
  });
});

describe('delay reasons', () => {
  it('several explicit reasons at once, each timestamped and attributed to an agency', () => {
    const events = history([
      start(),
      drd,
      { type: 'delay-reason', at: day(3), code: 'awaiting_transport', agency: 'acute-trust' },
      { type: 'delay-reason', at: day(4), code: 'family_not_in_agreement', agency: 'social-care' },
    ]);
    const explicit = activeReasons(given(...events).state()).filter((r) => !r.derived);
    expect(explicit).toEqual([
      { code: 'awaiting_transport', agency: 'acute-trust', waitingOn: 'agency', since: day(3), derived: false },
      // Recorded by social care, but it waits on the family.
      { code: 'family_not_in_agreement', agency: 'social-care', waitingOn: 'family', since: day(4), derived: false },
    ]);
  });

  it('rejects a duplicate active reason and resolving one that is not active', () => {
    const events = history([start(), drd, { type: 'delay-reason', at: day(3), code: 'awaiting_transport', agency: 'acute-trust' }]);
    given(...events).when({ type: 'delay-reason', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' }).thenRejects('duplicate');
    given(...events).when({ type: 'delay-reason-resolved', at: day(4), code: 'awaiting_diagnostics', agency: 'acute-trust' }).thenRejects('invalid');
    given(...events).when({ type: 'delay-reason-resolved', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' }).then({ type: 'delay_reason.resolved' });
  });

  it('derives reasons from open referrals and a missing plan, without duplicating explicit ones', () => {
    expect(activeReasons(given(...history([start(), drd])).state())).toMatchObject([{ code: 'no_plan', derived: true }]);
    const events = history([start(), drd, assessP1, { type: 'delay-reason', at: day(4), code: 'awaiting_p1_resource', agency: 'intermediate-care' }]);
    const reasons = activeReasons(given(...events).state());
    expect(reasons.map((r) => `${r.code}/${r.agency}/${r.derived}`).sort()).toEqual([
      'awaiting_equipment_adaptations/equipment/true',
      'awaiting_p1_resource/intermediate-care/false',
    ]);
  });

  it('ready referrals no longer imply a reason', () => {
    const events = history([start(), drd, assessP1, respond('ref-1', 'intermediate-care', 'ready')]);
    expect(activeReasons(given(...events).state()).map((r) => r.code)).toEqual(['awaiting_equipment_adaptations']);
  });
});
