import { describe, expect, it } from 'vitest';
import { awaitingAgencies, nextDeadline, overdueSince, resolvePolicy } from '../../domain';
import { agencyViews, type RoutingContext } from '../../schemas/agency-views';
import type { PathwayCommand } from '../../schemas/commands';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { started } from './events';
import { date, day, given } from './spec';

// Issue 23, "safe for the patient": rules 4. Given events are literals; each row of the issue's
// table has its specs here, with what pathways started under rules 3 keep doing.
const policy = resolvePolicy('england');
const participants: EventOf<'assessment.completed'>['participants'] = ['nurse', 'social_worker', 'patient'];
const nhsFree = { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' } as const;
const councilFree = { payer: 'council', charging: 'free', financialAssessment: 'not_needed' } as const;
const then = (events: PathwayEvent[], command: PathwayCommand) => [...events, ...given(...events).when(command).events()];

/** Arranging a P1 (rules 4): reablement requested (ref-1), equipment ready from the 3rd (ref-2); DRD and assessment on the 2nd. */
const p1Arranging = (rules: 3 | 4 = 4): PathwayEvent[] => [
  started({ rules }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  { type: 'assessment.completed', at: day(2), pathway: 'P1', participants, needs: ['reablement', 'equipment'], replan: false, agreement: { patient: 'agrees' }, daysFromDischargeReady: 0 },
  { type: 'referral.requested', at: day(2), referralId: 'ref-1', service: 'reablement', agency: 'intermediate-care', reason: 'assessment', acceptBy: day(3), readyBy: day(5), consentRequired: false, funding: nhsFree },
  { type: 'referral.requested', at: day(2), referralId: 'ref-2', service: 'equipment', agency: 'equipment', reason: 'assessment', acceptBy: day(3), readyBy: day(5), consentRequired: false, funding: councilFree },
  { type: 'referral.ready', at: day(3), referralId: 'ref-2', agency: 'equipment', readyFrom: date(3) },
];

const selfDischarge = (at = day(4, '11:00:00')): PathwayCommand => ({ type: 'discharge', at, date: date(4), destination: 'usual-residence', selfDischarge: true });

describe('row 1: a self-discharge is a discharge', () => {
  it('is recorded with its date at any stage before discharge: the 30-day watch runs, open packages are told support is needed now, nothing is put on hold', () => {
    const events = given(...p1Arranging())
      .when(selfDischarge())
      .then(
        { type: 'discharge.recorded', at: day(4, '11:00:00'), date: date(4), destination: 'usual-residence', pathway: 'P1', daysDelayed: 2, bedDaysLost: 2, selfDischarge: true },
        { type: 'readmission_watch.started', from: date(4), until: '2026-04-03' },
        { type: 'referral.urgent', referralId: 'ref-1', agency: 'intermediate-care', reason: 'self_discharged', neededFrom: date(4) },
      );
    expect(events.some((e) => e.type === 'referral.on_hold' || e.type === 'pathway.cancelled')).toBe(false);
    const state = given(...p1Arranging(), ...events).state();
    expect(state.stage).toBe('readmission_watch');
    expect(state.referrals.map((r) => r.status)).toEqual(['requested', 'ready']);
  });

  it('the package left open stays in play: the agency is awaited, its deadline escalates, its answer starts intermediate care on its day', () => {
    const left = then(p1Arranging(), selfDischarge());
    const state = given(...left).state();
    expect(awaitingAgencies(state)).toEqual(['intermediate-care']);
    expect(overdueSince(state)).toBeUndefined();
    expect(nextDeadline(state, policy)).toBe(day(3));
    given(...left).when({ type: 'tick', at: day(4, '12:00:00') }).then({ type: 'referral.escalated', referralId: 'ref-1', kind: 'acceptance', level: 2, overdueSince: day(3) });
    const answered = then(left, { type: 'referral-response', at: day(5), referralId: 'ref-1', agency: 'intermediate-care', response: 'ready', readyFrom: date(6) });
    expect(answered.slice(-2)).toMatchObject([{ type: 'referral.accepted' }, { type: 'referral.ready', readyFrom: date(6) }]);
    given(...answered).when({ type: 'tick', at: '2026-03-06T00:00:00.000Z' }).then({ type: 'intermediate_care.started', startDate: date(6), services: ['reablement'] });
  });

  it('a package declined after the self-discharge can be re-referred', () => {
    const declined = then(then(p1Arranging(), selfDischarge()), { type: 'referral-response', at: day(5), referralId: 'ref-1', agency: 'intermediate-care', response: 'declined' });
    given(...declined).when({ type: 'referral', at: day(5, '12:00:00'), service: 'reablement', reason: 're-referral' }).then({ type: 'referral.requested', referralId: 'ref-3', service: 'reablement' });
  });

  it('before a joint assessment: no pathway agreed, the watch still runs', () => {
    const [discharged] = given(started({ rules: 4 }))
      .when(selfDischarge())
      .then({ type: 'discharge.recorded', date: date(4), daysDelayed: 0, selfDischarge: true }, { type: 'readmission_watch.started', from: date(4) });
    expect(discharged).not.toHaveProperty('pathway');
  });

  it('cancel (self_discharged) is refused, naming the discharge that records it', () => {
    given(...p1Arranging()).when({ type: 'cancel', at: day(4), reason: 'self_discharged' }).thenRejects('invalid', /record it with discharge \(selfDischarge: true\)/);
  });

  it('the agency is told urgently, on its own topic; every agency involved hears it was a self-discharge', () => {
    const ctx: RoutingContext = { patient: started().patient, consents: { 'intermediate-care': true }, referralAgencies: { 'ref-1': 'intermediate-care' }, services: [] };
    const urgent: PathwayEvent = { type: 'referral.urgent', at: day(4), referralId: 'ref-1', agency: 'intermediate-care', reason: 'self_discharged', neededFrom: date(4) };
    expect(agencyViews(urgent, ctx)).toEqual([{ to: ['intermediate-care'], data: { referralId: 'ref-1', agency: 'intermediate-care', reason: 'self_discharged', neededFrom: date(4) } }]);
    const discharged: PathwayEvent = { type: 'discharge.recorded', at: day(4), date: date(4), destination: 'usual-residence', daysDelayed: 0, bedDaysLost: 0, selfDischarge: true };
    expect(agencyViews(discharged, ctx)[0]).toEqual({ to: ['intermediate-care'], data: { date: date(4), destination: 'usual-residence', selfDischarge: true } });
  });

  it('rules 3 (pathways started before): cancel (self_discharged) closes the pathway with every package on hold; selfDischarge is refused', () => {
    given(...p1Arranging(3))
      .when({ type: 'cancel', at: day(4), reason: 'self_discharged' })
      .then(
        { type: 'referral.on_hold', referralId: 'ref-1', reason: 'cancelled' },
        { type: 'referral.on_hold', referralId: 'ref-2', reason: 'cancelled' },
        { type: 'pathway.cancelled', reason: 'self_discharged' },
      );
    given(...p1Arranging(3)).when(selfDischarge()).thenRejects('invalid', /older rules, which record a self-discharge with cancel/);
  });
});
