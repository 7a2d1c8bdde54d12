import type { EventOf, PathwayEvent } from '../../schemas/events';
import { date, day } from './spec';

/**
 * Literal events for the specs' *given*: written out by hand, never produced by `decide`, so a
 * wrong setup event cannot hide behind the code under test. The start (long, and the same in every
 * spec) and the few pathways several files start from live here; the rest are in the specs.
 */
export const everyAgency = [
  'social-care',
  'community-health',
  'intermediate-care',
  'equipment',
  'housing',
  'gp',
  'voluntary',
  'care-home',
] as const;

export function started(overrides: Partial<EventOf<'pathway.started'>> = {}): EventOf<'pathway.started'> {
  return {
    type: 'pathway.started',
    at: day(1),
    pathwayId: 'pathway-A1',
    admissionId: 'A1',
    patient: {
      nhsNumber: '9434765870',
      name: 'Edith Example',
      dateOfBirth: '1938-04-02',
      address: { line1: '1 Test Street', town: 'Leeds', postcode: 'LS1 4AP' },
      housingStatus: 'settled',
    },
    site: 'LEEDS-GEN',
    localAuthority: 'Leeds',
    region: 'england',
    admittedAt: day(1),
    consents: [...everyAgency],
    rules: 3,
    ...overrides,
  };
}

/** A P1 pathway whose one package (reablement, ref-1) is in place: DRD on the 3rd, assessed on the 4th, ready on the 6th. */
export const p1ReadyForDischarge = (
  rules: 2 | 3 = 3,
): EventOf<
  | 'pathway.started'
  | 'discharge_ready.recorded'
  | 'assessment.completed'
  | 'referral.requested'
  | 'referral.accepted'
  | 'referral.ready'
  | 'pathway.ready_for_discharge'
>[] => [
  started({ rules }),
  { type: 'discharge_ready.recorded', at: day(3), date: date(3) },
  {
    type: 'assessment.completed',
    at: day(4),
    pathway: 'P1',
    participants: ['nurse', 'social_worker', 'patient'],
    needs: ['reablement'],
    replan: false,
    agreement: { patient: 'agrees' },
    daysFromDischargeReady: 1,
  },
  {
    type: 'referral.requested',
    at: day(4),
    referralId: 'ref-1',
    service: 'reablement',
    agency: 'intermediate-care',
    reason: 'assessment',
    acceptBy: day(5),
    readyBy: day(7),
    consentRequired: false,
    funding: { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' },
  },
  {
    type: 'referral.accepted',
    at: day(5, '09:00:00'),
    referralId: 'ref-1',
    agency: 'intermediate-care',
    readyBy: day(7),
  },
  { type: 'referral.ready', at: day(6), referralId: 'ref-1', agency: 'intermediate-care', readyFrom: date(7) },
  { type: 'pathway.ready_for_discharge', at: day(6) },
];

/** Intermediate care: a P1 pathway whose reablement (ref-1) started on the discharge day, the 4th. */
export const p1InIntermediateCare = (): PathwayEvent[] => [
  started(),
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P1',
    participants: ['nurse', 'social_worker', 'patient'],
    needs: ['reablement'],
    replan: false,
    agreement: { patient: 'agrees' },
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
    funding: { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' },
  },
  { type: 'referral.accepted', at: day(3), referralId: 'ref-1', agency: 'intermediate-care', readyBy: day(5) },
  { type: 'referral.ready', at: day(3), referralId: 'ref-1', agency: 'intermediate-care', readyFrom: date(3) },
  { type: 'pathway.ready_for_discharge', at: day(3) },
  {
    type: 'discharge.recorded',
    at: day(4, '15:00:00'),
    date: date(4),
    destination: 'usual-residence',
    pathway: 'P1',
    daysDelayed: 0,
    bedDaysLost: 0,
  },
  { type: 'readmission_watch.started', at: day(4, '15:00:00'), from: date(4), until: '2026-04-03' },
  {
    type: 'intermediate_care.started',
    at: day(4, '15:00:00'),
    startDate: date(4),
    services: ['reablement'],
    endBy: '2026-04-15',
    firstReviewDue: '2026-03-11',
  },
];
