import { describe, expect, it } from 'vitest';
import { activeReasons } from '../../domain';
import type { Agency, DelayReasonCode, Funding, Service } from '../../schemas/common';
import type { EventOf, PathwayEvent } from '../../schemas/events';
import { started } from './events';
import { date, day, given, givenFrom, rules2 } from './spec';

/**
 * Per service, as the documents describe them: who provides it, who pays until funding is agreed
 * (NHS services and intermediate care free; council home care, major adaptations and care homes
 * means-tested after a financial assessment), and the SitRep reason an open referral implies.
 * Written out as literals, one row per service, not read from the production tables.
 */
const nhsFree: Funding = { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' };
const councilFree: Funding = { payer: 'council', charging: 'free', financialAssessment: 'not_needed' };
const meansTested: Funding = { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' };
const rows: [Service, Agency, Funding, DelayReasonCode][] = [
  ['domiciliary-care', 'social-care', meansTested, 'awaiting_p1_resource'],
  ['reablement', 'intermediate-care', nhsFree, 'awaiting_p1_resource'],
  ['rehabilitation-at-home', 'intermediate-care', nhsFree, 'awaiting_p1_resource'],
  ['district-nursing', 'community-health', nhsFree, 'awaiting_p1_resource'],
  ['therapy', 'community-health', nhsFree, 'awaiting_p1_resource'],
  ['equipment', 'equipment', councilFree, 'awaiting_equipment_adaptations'],
  ['minor-adaptations', 'equipment', councilFree, 'awaiting_equipment_adaptations'],
  ['major-adaptations', 'housing', meansTested, 'awaiting_equipment_adaptations'],
  ['housing', 'housing', councilFree, 'awaiting_equipment_adaptations'],
  ['step-down-bed', 'intermediate-care', nhsFree, 'awaiting_p2_bed'],
  ['care-home-placement', 'care-home', meansTested, 'awaiting_p3_bed'],
  [
    'home-from-hospital',
    'voluntary',
    { payer: 'voluntary', charging: 'free', financialAssessment: 'not_needed' },
    'awaiting_p1_resource',
  ],
  ['chc-assessment', 'community-health', nhsFree, 'awaiting_chc_decision'],
];

const drdSet = (overrides: Partial<EventOf<'pathway.started'>> = {}): PathwayEvent[] => [
  started(overrides),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
];
const admitted = (overrides: Partial<EventOf<'pathway.started'>>): PathwayEvent[] => [started(overrides)];
const requested = (service: Service, agency: Agency): EventOf<'referral.requested'> => ({
  type: 'referral.requested',
  at: day(3),
  referralId: 'ref-1',
  service,
  agency,
  reason: 'assessment',
  acceptBy: day(4),
  consentRequired: false,
});

describe('assessment: a referral per service before the plan', () => {
  it.each(rows)('%s goes to %s, paid as assumed from the service', (service, agency, funding) => {
    given(...drdSet())
      .when({ type: 'referral', at: day(3), service, reason: 'additional-need' })
      .then({
        type: 'referral.requested',
        at: day(3),
        referralId: 'ref-1',
        service,
        agency,
        reason: 'additional-need',
        consentRequired: false,
        funding,
      });
  });

  it('rules 1 assumed no funding', () => {
    const [event] = givenFrom({ ...rules2, rules: 1 }, started({ rules: undefined }), {
      type: 'discharge_ready.recorded',
      at: day(2),
      date: date(2),
    })
      .when({ type: 'referral', at: day(3), service: 'domiciliary-care', reason: 'additional-need' })
      .events();
    expect(event).not.toHaveProperty('funding');
  });
});

describe('admitted: a referral open for each service (no DRD, so no missing plan)', () => {
  it.each(rows)('an open %s referral (to %s) implies its SitRep reason', (service, agency, _funding, code) => {
    expect(activeReasons(given(started(), requested(service, agency)).state())).toEqual([
      { code, agency, waitingOn: 'agency', since: day(3), derived: true },
    ]);
  });

  it('housing for someone homeless is the homelessness reason; at risk of it, awaiting housing; rules 2 pathways called a move-free housing need homelessness alike', () => {
    const patient = started().patient;
    const homeless = admitted({ patient: { ...patient, housingStatus: 'homeless' } });
    expect(activeReasons(given(...homeless, requested('housing', 'housing')).state()).map((r) => r.code)).toEqual([
      'homeless_nrpf',
    ]);
    const atRisk = admitted({ patient: { ...patient, housingStatus: 'at_risk_of_homelessness' } });
    expect(activeReasons(given(...atRisk, requested('housing', 'housing')).state()).map((r) => r.code)).toEqual([
      'awaiting_housing',
    ]);
    const atRisk1 = admitted({ rules: undefined, patient: { ...patient, housingStatus: 'at_risk_of_homelessness' } });
    expect(
      activeReasons(givenFrom({ ...rules2, rules: 1 }, ...atRisk1, requested('housing', 'housing')).state()).map(
        (r) => r.code,
      ),
    ).toEqual(['homeless_nrpf']);
  });

  it('rules 2 (pathways started before): rehabilitation at home was counted as awaiting equipment or adaptations', () => {
    const events = admitted({ rules: 2 });
    expect(
      activeReasons(givenFrom(rules2, ...events, requested('rehabilitation-at-home', 'intermediate-care')).state()).map(
        (r) => r.code,
      ),
    ).toEqual(['awaiting_equipment_adaptations']);
  });
});
