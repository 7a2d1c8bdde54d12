import { describe, expect, it } from 'vitest';
import { activeDelayReasonCodes, activeReasons, awaitingAgencies, delaySummary, isClosed, nextDeadline, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { admission } from '../support/fixtures';
import { started } from './events';
import { date, day, given, givenRules1, history, patientAgrees, professionalAndPatient, rules1, start } from './spec';

const policy = resolvePolicy('england');
const drd: PathwayCommand = { type: 'discharge-ready', at: day(2), date: date(2) };
const assess = (pathway: 'P0' | 'P1' | 'P2' | 'P3', needs: string[], at = day(3, '09:00:00')): PathwayCommand =>
  ({ type: 'assessment', at, participants: professionalAndPatient, pathway, needs, consents: [], ...patientAgrees }) as PathwayCommand;
const respond = (referralId: string, agency: string, response: 'accepted' | 'declined' | 'ready', at = day(3, '12:00:00')): PathwayCommand =>
  ({ type: 'referral-response', at, referralId, agency, response }) as PathwayCommand;
const discharge = (n = 4, destination = 'usual-residence'): PathwayCommand =>
  ({ type: 'discharge', at: day(n, '15:00:00'), date: date(n), destination }) as PathwayCommand;
const then = (events: PathwayEvent[], command: PathwayCommand) => [...events, ...given(...events).when(command).events()];
const readmit = (admittedOn: string, at = `${admittedOn}T08:00:00.000Z`): PathwayCommand => ({ type: 'readmission', at, newAdmissionId: 'A2', admittedOn, emergency: true });

describe('referrals before and outside the joint assessment', () => {
  it('an early referral may go before the assessment; the assessment adopts it instead of referring twice', () => {
    const early = history([start(), drd, { type: 'referral', at: day(2), service: 'chc-assessment', reason: 'additional-need' }]);
    expect(given(...early).state().stage).toBe('assessment');
    given(...early)
      .when(assess('P1', ['reablement', 'chc-assessment']))
      .then({ type: 'assessment.completed' }, { type: 'referral.requested', referralId: 'ref-2', service: 'reablement' });
  });

  it('a referral may name an agency other than the usual provider; its SLA and answers follow that agency', () => {
    const events = history([start(), drd, assess('P1', ['reablement']), respond('ref-1', 'intermediate-care', 'declined')]);
    const [requested] = given(...events)
      .when({ type: 'referral', at: day(4), service: 'reablement', agency: 'voluntary', reason: 're-referral' })
      .then({ type: 'referral.requested', referralId: 'ref-2', service: 'reablement', agency: 'voluntary', acceptBy: '2026-03-06T10:00:00.000Z', readyBy: '2026-03-09T10:00:00.000Z' });
    given(...events, requested).when(respond('ref-2', 'intermediate-care', 'ready', day(5))).thenRejects('wrong_agency');
    given(...events, requested).when(respond('ref-2', 'voluntary', 'ready', day(5))).then({ type: 'referral.accepted' }, { type: 'referral.ready' }, { type: 'pathway.ready_for_discharge' });
  });

  it('a referral says by when support is expected; a step-down bed within 2 days of the request', () => {
    const events = given(...history([start(), drd])).when(assess('P2', ['step-down-bed', 'equipment'])).events();
    expect(events.filter((e) => e.type === 'referral.requested')).toMatchObject([
      { service: 'step-down-bed', acceptBy: '2026-03-04T09:00:00.000Z', readyBy: '2026-03-05T09:00:00.000Z' },
      { service: 'equipment', acceptBy: '2026-03-04T09:00:00.000Z', readyBy: '2026-03-06T09:00:00.000Z' },
    ]);
  });

  it('a declined referral no longer escalates; the other one still does', () => {
    const events = history([start(), drd, assess('P1', ['reablement', 'equipment']), respond('ref-1', 'intermediate-care', 'declined')]);
    given(...events).when({ type: 'tick', at: '2026-03-04T09:00:00.000Z' }).then({ type: 'referral.escalated', referralId: 'ref-2', level: 1 });
  });

  it('needs are de-duplicated: one referral per service', () => {
    const events = given(...history([start(), drd])).when(assess('P1', ['reablement', 'reablement'])).events();
    expect(events.filter((e) => e.type === 'referral.requested')).toHaveLength(1);
  });

  it('a changed plan to P0 withdraws every referral and the pathway is ready at once', () => {
    given(...history([start(), drd, assess('P1', ['reablement', 'equipment'])]))
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
  it.each([
    ['domiciliary-care', 'P1', 'awaiting_p1_resource', 'social-care'],
    ['step-down-bed', 'P2', 'awaiting_p2_bed', 'intermediate-care'],
    ['care-home-placement', 'P3', 'awaiting_p3_bed', 'care-home'],
    ['major-adaptations', 'P1', 'awaiting_equipment_adaptations', 'housing'],
    ['chc-assessment', 'P1', 'awaiting_chc_decision', 'community-health'],
  ])('an open %s referral implies %s attributed to %s, since the referral', (service, pathway, code, agency) => {
    const state = given(...history([start(), drd, assess(pathway as 'P1', [service])])).state();
    expect(activeReasons(state)).toEqual([{ code, agency, waitingOn: 'agency', since: day(3, '09:00:00'), derived: true }]);
  });

  it('a declined need still shows as a wait, on the agency that declined, since the decline, until re-referred', () => {
    const declined = history([start(), drd, assess('P1', ['reablement']), respond('ref-1', 'intermediate-care', 'declined', day(4))]);
    expect(activeReasons(given(...declined).state())).toEqual([{ code: 'awaiting_p1_resource', agency: 'intermediate-care', waitingOn: 'agency', since: day(4), derived: true }]);
    const rereferred = then(declined, { type: 'referral', at: day(5), service: 'reablement', agency: 'social-care', reason: 're-referral' });
    expect(activeReasons(given(...rereferred).state())).toEqual([{ code: 'awaiting_p1_resource', agency: 'social-care', waitingOn: 'agency', since: day(5), derived: true }]);
  });

  it('housing for a homeless person is the homelessness reason; for a settled person, adaptations', () => {
    const homeless = history([start({ patient: { ...admission().patient, housingStatus: 'homeless' } }), drd, assess('P1', ['reablement'])]);
    expect(activeReasons(given(...homeless).state()).find((r) => r.agency === 'housing')?.code).toBe('homeless_nrpf');
    const settled = history([start(), drd, assess('P1', ['housing'])]);
    expect(activeReasons(given(...settled).state())).toMatchObject([{ code: 'awaiting_equipment_adaptations', agency: 'housing' }]);
  });

  it('an explicit reason keeps its note; codes for the search attribute are distinct', () => {
    const events = history([
      start(),
      drd,
      assess('P1', ['reablement', 'therapy']),
      { type: 'delay-reason', at: day(4), code: 'awaiting_transport', agency: 'acute-trust', note: 'wheelchair transport' },
    ]);
    const state = given(...events).state();
    expect(activeReasons(state).find((r) => r.code === 'awaiting_transport')).toMatchObject({ note: 'wheelchair transport', derived: false });
    expect(activeDelayReasonCodes(state, date(5)).sort()).toEqual(['awaiting_p1_resource', 'awaiting_transport']);
  });

  it('after discharge nothing is awaited and no reason is active', () => {
    const events = history([start(), drd, assess('P0', []), discharge()]);
    const state = given(...events).state();
    expect(awaitingAgencies(state)).toEqual([]);
    expect(activeReasons(state)).toEqual([]);
    expect(delaySummary(state, date(30))).toMatchObject({ daysDelayed: 2, band: '2-3', bedDaysLost: 2, priorDelayDays: 0 });
  });

  it('the summary keeps earlier DRD episodes apart from the current one', () => {
    const events = history([start(), drd, { type: 'criteria-to-reside-met', at: day(6) }, { type: 'discharge-ready', at: day(8), date: date(8) }]);
    expect(delaySummary(given(...events).state(), date(9))).toMatchObject({ drd: date(8), daysDelayed: 1, band: '1', priorDelayDays: 4, bedDaysLost: 5 });
  });
});

describe('consent', () => {
  const ready = () => history([start(), drd, assess('P1', ['reablement']), respond('ref-1', 'intermediate-care', 'ready')]);

  it('withdrawn from an agency with a package blocks discharge again until it is given back', () => {
    expect(given(...ready()).state().stage).toBe('ready_for_discharge');
    const withdrawn = then(ready(), { type: 'consent', at: day(4), agency: 'intermediate-care', given: false });
    expect(given(...withdrawn).state().stage).toBe('arranging');
    // The wait is for the patient's consent, not for the agency.
    expect(awaitingAgencies(given(...withdrawn).state())).toEqual([]);
    expect(activeReasons(given(...withdrawn).state())).toMatchObject([{ code: 'consent_required', agency: 'intermediate-care', waitingOn: 'patient' }]);
    given(...withdrawn).when(discharge()).thenRejects('not_allowed_in_stage', /consent required from: intermediate-care/);
    given(...withdrawn).when({ type: 'consent', at: day(4), agency: 'intermediate-care', given: true }).then({ type: 'consent.recorded' }, { type: 'pathway.ready_for_discharge' });
  });

  it('withdrawn from an agency with no package changes nothing else', () => {
    const events = then(ready(), { type: 'consent', at: day(4), agency: 'housing', given: false });
    expect(given(...events).state().stage).toBe('ready_for_discharge');
  });

  it('recording the same consent twice is refused', () => {
    given(...ready()).when({ type: 'consent', at: day(4), agency: 'intermediate-care', given: true }).thenRejects('duplicate');
  });

  it('a homeless person without housing consent: the duty-to-refer referral is made but flagged, and blocks', () => {
    const events = history([start({ patient: { ...admission().patient, housingStatus: 'at_risk_of_homelessness' }, consents: [] }), drd, assess('P0', [])]);
    expect(events.find((e) => e.type === 'referral.requested')).toMatchObject({ service: 'housing', consentRequired: true, reason: 'duty-to-refer' });
    const state = given(...events).state();
    // At risk of homelessness is not homelessness: it awaits housing (rules 1 labelled it homelessness).
    expect(activeReasons(state).map((r) => r.code).sort()).toEqual(['awaiting_housing', 'consent_required']);
    const rules1Events = history([start({ patient: { ...admission().patient, housingStatus: 'at_risk_of_homelessness' }, consents: [] }), drd, assess('P0', [])], policy, rules1);
    expect(activeReasons(givenRules1(...rules1Events).state()).map((r) => r.code).sort()).toEqual(['consent_required', 'homeless_nrpf']);
  });
});

describe('P3 and discharge', () => {
  it('P3: one care-home referral; once ready, discharge to the care home starts the watch only', () => {
    const arranging = history([start(), drd, assess('P3', ['care-home-placement'])]);
    expect(arranging.filter((e) => e.type === 'referral.requested')).toMatchObject([{ agency: 'care-home', service: 'care-home-placement' }]);
    const ready = then(arranging, respond('ref-1', 'care-home', 'ready', day(5)));
    given(...ready)
      .when(discharge(6, 'care-home'))
      .then({ type: 'discharge.recorded', pathway: 'P3', destination: 'care-home', daysDelayed: 4 }, { type: 'readmission_watch.started' });
    expect(given(...ready, ...given(...ready).when(discharge(6, 'care-home')).events()).state().stage).toBe('readmission_watch');
  });

  it('discharge is refused naming each referral that is not ready', () => {
    const events = history([start(), drd, assess('P1', ['reablement', 'equipment']), respond('ref-1', 'intermediate-care', 'ready')]);
    given(...events).when(discharge()).thenRejects('not_allowed_in_stage', /referrals not ready: ref-2 \(equipment, requested\)$/);
  });

  it('a discharge to another trust is a destination', () => {
    const p0Ready: PathwayEvent[] = [
      started(),
      { type: 'assessment.completed', at: day(2), pathway: 'P0', participants: ['nurse', 'patient'], needs: [], replan: false, agreement: { patient: 'agrees' } },
      { type: 'pathway.ready_for_discharge', at: day(2) },
    ];
    given(...p0Ready)
      .when(discharge(4, 'other-trust'))
      .then(
        { type: 'discharge.recorded', date: date(4), destination: 'other-trust', pathway: 'P0', daysDelayed: 0, bedDaysLost: 0 },
        { type: 'readmission_watch.started', from: date(4), until: '2026-04-03' },
      );
  });
});

describe('after discharge', () => {
  const p1 = () => history([start(), drd, assess('P1', ['reablement']), respond('ref-1', 'intermediate-care', 'ready'), discharge()]);

  it('a readmission on the day of discharge (day 0) counts', () => {
    given(...p1()).when(readmit(date(4), day(4, '22:00:00'))).then({ type: 'referral.on_hold' }, { type: 'intermediate_care.ended', reason: 'readmitted' }, { type: 'pathway.readmitted', dayOfWatch: 0 });
  });

  it('a readmission dated before the discharge is refused', () => {
    given(...p1()).when(readmit(date(3), day(5))).thenRejects('invalid', /before the discharge date/);
  });

  it('no review once intermediate care has ended early', () => {
    const ended = then(p1(), { type: 'review', at: day(10), outcome: 'goals_met', goals: [] });
    given(...ended).when({ type: 'review', at: day(12), outcome: 'continue', goals: [] }).thenRejects('not_allowed_in_stage', /readmission_watch/);
  });

  it('intermediate care comes first in the deadlines: the first review before the watch ends', () => {
    expect(nextDeadline(given(...p1()).state(), policy)).toBe('2026-03-12T00:00:00.000Z');
  });

  it('a handed-back pathway is closed and rejects every command', () => {
    const closed = then(then(p1(), { type: 'review', at: day(10), outcome: 'goals_met', goals: [] }), { type: 'tick', at: '2026-04-03T00:00:00.000Z' });
    const state = given(...closed).state();
    expect(state.stage).toBe('handed_back');
    expect(isClosed(state)).toBe(true);
    expect(nextDeadline(state, policy)).toBeUndefined();
    given(...closed).when(readmit('2026-04-02')).thenRejects('closed');
    given(...closed).when({ type: 'consent', at: '2026-04-04T10:00:00.000Z', agency: 'gp', given: true }).thenRejects('closed');
  });
});

describe('cancellation at later stages', () => {
  it('when ready for discharge: ready packages go on hold', () => {
    const ready = history([start(), drd, assess('P1', ['reablement']), respond('ref-1', 'intermediate-care', 'ready')]);
    given(...ready).when({ type: 'cancel', at: day(4), reason: 'self_discharged' }).then({ type: 'referral.on_hold', referralId: 'ref-1', reason: 'cancelled' }, { type: 'pathway.cancelled', reason: 'self_discharged' });
  });

  it('during intermediate care: the care ends as cancelled', () => {
    const p1 = history([start(), drd, assess('P1', ['reablement']), respond('ref-1', 'intermediate-care', 'ready'), discharge()]);
    given(...p1).when({ type: 'cancel', at: day(9), reason: 'died' }).then({ type: 'referral.on_hold' }, { type: 'intermediate_care.ended', reason: 'cancelled', days: 5 }, { type: 'pathway.cancelled' });
  });

  it('during the readmission watch after P0: just cancelled, no more deadlines', () => {
    const p0 = history([start(), assess('P0', []), discharge()]);
    const events = then(p0, { type: 'cancel', at: day(9), reason: 'transferred' });
    expect(events.at(-1)).toMatchObject({ type: 'pathway.cancelled' });
    expect(nextDeadline(given(...events).state(), policy)).toBeUndefined();
  });
});
