import { describe, expect, it } from 'vitest';
import { initialState, type PathwayState, type Referral } from '../domain';
import { nextAction, worklistItem } from '../app/worklist';

// What the board tells a co-ordinator to do next, in the order they work (pure: no servers).
const referral = (more: Partial<Referral>): Referral => ({
  referralId: 'ref-1',
  service: 'reablement',
  agency: 'intermediate-care',
  status: 'requested',
  requestedAt: '2026-11-01T10:00:00Z',
  acceptBy: '2026-11-02T10:00:00Z',
  escalated: { acceptance: 0, readiness: 0 },
  ...more,
});
const state = (more: Partial<PathwayState>): PathwayState => ({ ...initialState, stage: 'arranging', ...more });
const assessed = { pathway: 'P1' as const, needs: [], completedAt: '2026-11-01T09:00:00Z', count: 1 };

describe('the next action on the board', () => {
  it('a DRD first (by the expected date), then the joint assessment (by the DRD)', () => {
    expect(nextAction(state({ stage: 'admitted', edd: '2026-11-05' }), [])).toMatchObject({
      code: 'record_drd',
      due: '2026-11-05',
    });
    expect(nextAction(state({ stage: 'assessment', drd: '2026-11-03' }), [])).toMatchObject({
      code: 'assess',
      due: '2026-11-03',
    });
  });

  it('consent before any chasing; a decline before waiting referrals', () => {
    const referrals = [
      referral({}),
      referral({
        referralId: 'ref-2',
        service: 'equipment',
        agency: 'equipment',
        status: 'declined',
        declinedAt: '2026-11-02T08:00:00Z',
      }),
    ];
    const s = state({ drd: '2026-11-01', assessment: assessed, referrals });
    expect(nextAction(s, ['equipment'])).toMatchObject({ code: 'record_consent', agency: 'equipment' });
    expect(nextAction(s, [])).toMatchObject({ code: 'rerefer', agency: 'equipment', due: '2026-11-02' });
  });

  it('chases the agency whose deadline comes first, then discharge from the latest ready date', () => {
    const referrals = [
      referral({ status: 'accepted', readyBy: '2026-11-06T10:00:00Z' }),
      referral({ referralId: 'ref-2', service: 'equipment', agency: 'equipment', acceptBy: '2026-11-03T10:00:00Z' }),
    ];
    expect(nextAction(state({ drd: '2026-11-01', assessment: assessed, referrals }), [])).toMatchObject({
      code: 'chase_acceptance',
      agency: 'equipment',
      due: '2026-11-03T10:00:00Z',
    });
    const ready = [
      referral({ status: 'ready', readyFrom: '2026-11-08' }),
      referral({ referralId: 'ref-2', status: 'ready', readyFrom: '2026-11-04' }),
    ];
    expect(nextAction(state({ drd: '2026-11-01', assessment: assessed, referrals: ready }), [])).toEqual({
      code: 'discharge',
      text: 'Record the discharge',
      due: '2026-11-08',
    });
    expect(nextAction(state({ drd: '2026-11-01', assessment: { ...assessed, pathway: 'P0' } }), [])).toMatchObject({
      code: 'discharge',
      due: '2026-11-01',
    });
  });

  it('lists the consents the domain says are missing, and the open referrals with their deadlines', () => {
    const item = worklistItem({
      pathwayId: 'pathway-A1',
      patientInitials: 'TP',
      ageBand: '85+',
      site: 'S',
      daysDelayed: 2,
      delayedNow: true,
      reasons: [
        {
          code: 'consent_required',
          agency: 'housing',
          waitingOn: 'patient',
          since: '2026-11-01T10:00:00Z',
          derived: true,
        },
      ],
      state: state({
        drd: '2026-11-01',
        ward: 'Ward 7',
        assessment: assessed,
        referrals: [referral({}), referral({ referralId: 'ref-9', status: 'withdrawn' })],
      }),
    });
    expect(item).toMatchObject({ patientInitials: 'TP', ageBand: '85+', ward: 'Ward 7' });
    expect(item.consentsMissing).toEqual(['housing']);
    expect(item.referrals).toEqual([
      {
        referralId: 'ref-1',
        service: 'reablement',
        agency: 'intermediate-care',
        status: 'requested',
        due: '2026-11-02T10:00:00Z',
      },
    ]);
    expect(item.next.code).toBe('record_consent');
  });
});
