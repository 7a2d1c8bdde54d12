import { describe, expect, it } from 'vitest';
import { evolve, type PathwayState } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { p1ReadyForDischarge } from './events';
import { day, given } from './spec';

// Who may read the patient's plan besides them (issue 27): a carer the patient agreed to, by the
// keyed hash of the carer's own NHS number; the patient ends it when they choose.
const daughter = 'd'.repeat(40);
const son = 'e'.repeat(40);
const ready = p1ReadyForDischarge();
const as = (type: string, at: string, payload: Record<string, unknown>) => ({ type, at, ...payload }) as PathwayCommand;
const stateOf = (...events: PathwayEvent[]): PathwayState => events.reduce(evolve, given().state());

describe('carer access to the plan', () => {
  it('the discharge team records the patient’s agreement: the carer gets an access id, kept by the hash alone', () => {
    const [granted] = given(...ready)
      .when(as('carer-access', day(6), { carerKey: daughter, relationship: 'daughter' }))
      .then({ type: 'carer_access.granted', accessId: 'carer-1', carerKey: daughter, relationship: 'daughter' });
    expect(granted).not.toHaveProperty('givenBy');
    expect(stateOf(...ready, granted).carerAccess).toEqual([
      { accessId: 'carer-1', carerKey: daughter, relationship: 'daughter', grantedAt: day(6) },
    ]);
  });

  it('a second carer gets the next id; the same carer twice is refused', () => {
    const [first] = given(...ready)
      .when(as('carer-access', day(6), { carerKey: daughter, relationship: 'daughter' }))
      .events();
    given(...ready, first)
      .when(as('carer-access', day(6), { carerKey: son, relationship: 'son' }))
      .then({ accessId: 'carer-2', carerKey: son });
    given(...ready, first)
      .when(as('carer-access', day(6), { carerKey: daughter, relationship: 'daughter' }))
      .thenRejects('duplicate', /already see the plan/);
  });

  it('a carer cannot agree to it for the patient', () => {
    // The request schema refuses givenBy: carer; the rule refuses it too, as it does for any consent.
    given(...ready)
      .when(as('carer-access', day(6), { carerKey: daughter, relationship: 'daughter', givenBy: 'carer' }))
      .thenRejects('invalid', /carer cannot consent/);
  });

  it('the patient ends it: revoked once, and refused after', () => {
    const [granted] = given(...ready)
      .when(as('carer-access', day(6), { carerKey: daughter, relationship: 'daughter' }))
      .events();
    const [revoked] = given(...ready, granted)
      .when(as('carer-access-revoked', day(7), { accessId: 'carer-1' }))
      .then({ type: 'carer_access.revoked', accessId: 'carer-1' });
    expect(stateOf(...ready, granted, revoked).carerAccess?.[0].revokedAt).toBe(day(7));
    given(...ready, granted, revoked)
      .when(as('carer-access-revoked', day(8), { accessId: 'carer-1' }))
      .thenRejects('duplicate', /already ended/);
    given(...ready, granted)
      .when(as('carer-access-revoked', day(8), { accessId: 'carer-9' }))
      .thenRejects('invalid', /no carer access carer-9/);
    // Ended, the same carer may be given access again (the patient changed their mind back).
    given(...ready, granted, revoked)
      .when(as('carer-access', day(9), { carerKey: daughter, relationship: 'daughter' }))
      .then({ accessId: 'carer-2' });
  });

  it('records how the patient needs information, once per format', () => {
    const [recorded] = given(...ready)
      .when(as('accessible-information', day(6), { formats: ['large-print', 'large-print', 'bsl'], language: 'pl' }))
      .then({ type: 'accessible_information.recorded', formats: ['large-print', 'bsl'], language: 'pl' });
    expect(stateOf(...ready, recorded).accessibleInformation).toEqual({
      formats: ['large-print', 'bsl'],
      language: 'pl',
    });
  });

  it('the lead professional’s team number is kept for the patient to call', () => {
    const [lead] = given(...ready)
      .when(
        as('lead-professional', day(6), {
          scope: 'pathway',
          role: 'nurse',
          team: 'Leeds discharge hub',
          phone: '0113 123 4567',
        }),
      )
      .then({ type: 'lead_professional.assigned', phone: '0113 123 4567' });
    expect(stateOf(...ready, lead).lead).toEqual({
      role: 'nurse',
      team: 'Leeds discharge hub',
      phone: '0113 123 4567',
    });
  });
});

describe('a provider moves the start of its support', () => {
  it('records the new start with the day it moved from; refuses the same day, the past, another’s referral, and support already started', () => {
    const [moved] = given(...ready)
      .when(
        as('start-date-moved', day(6), { referralId: 'ref-1', agency: 'intermediate-care', readyFrom: '2026-03-09' }),
      )
      .then({ type: 'referral.ready', referralId: 'ref-1', readyFrom: '2026-03-09', movedFrom: '2026-03-07' });
    expect(stateOf(...ready, moved).referrals[0]).toMatchObject({ status: 'ready', readyFrom: '2026-03-09' });
    given(...ready)
      .when(
        as('start-date-moved', day(6), { referralId: 'ref-1', agency: 'intermediate-care', readyFrom: '2026-03-07' }),
      )
      .thenRejects('duplicate');
    given(...ready)
      .when(
        as('start-date-moved', day(6), { referralId: 'ref-1', agency: 'intermediate-care', readyFrom: '2026-03-05' }),
      )
      .thenRejects('invalid', /today or later/);
    given(...ready)
      .when(as('start-date-moved', day(6), { referralId: 'ref-1', agency: 'social-care', readyFrom: '2026-03-09' }))
      .thenRejects('wrong_agency');
    given(...ready.slice(0, 5))
      .when(
        as('start-date-moved', day(6), { referralId: 'ref-1', agency: 'intermediate-care', readyFrom: '2026-03-09' }),
      )
      .thenRejects('not_allowed_in_stage');
  });
});
