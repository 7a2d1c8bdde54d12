import type { Agency, DelayReasonCode, DischargePathwayCode, Patient, Region, Service, Stage } from '../schemas/common';

export type ReferralStatus = 'requested' | 'accepted' | 'declined' | 'ready' | 'withdrawn' | 'on_hold';

export interface Referral {
  referralId: string;
  service: Service;
  agency: Agency;
  status: ReferralStatus;
  requestedAt: string;
  acceptBy: string;
  readyBy?: string;
  readyFrom?: string;
  /** When the agency declined it. */
  declinedAt?: string;
  /** Highest escalation level already raised, per kind of deadline. */
  escalated: { acceptance: number; readiness: number };
  overdueSince?: string;
}

export interface DrdEpisode {
  from: string;
  /** First day counted as delayed, when the policy allows planning days after the DRD. */
  countsFrom?: string;
  /** Set when the patient met the criteria to reside again. */
  clearedOn?: string;
  delayDays?: number;
}

export interface PathwayState {
  /** `none` until the pathway has started. JSON-only: carried across continue-as-new. */
  stage: Stage | 'none';
  pathwayId?: string;
  admissionId?: string;
  patient?: Patient;
  site?: string;
  localAuthority?: string;
  region?: Region;
  admittedAt?: string;
  previousPathwayId?: string;
  edd?: string;
  drd?: string;
  drdEpisodes: DrdEpisode[];
  consents: Partial<Record<Agency, boolean>>;
  assessment?: { pathway: DischargePathwayCode; needs: Service[]; completedAt: string; count: number };
  referrals: Referral[];
  delayReasons: { code: DelayReasonCode; agency: Agency; since: string; note?: string }[];
  discharge?: { date: string; destination: string; daysDelayed: number; bedDaysLost: number };
  intermediateCare?: {
    startDate: string;
    endBy: string;
    reviews: number;
    nextReviewDue: string;
    overdueNotified?: string;
    ended?: { at: string; reason: string };
  };
  watch?: { from: string; until: string; expired: boolean };
  handover?: { reason: string; at: string };
  outcome?: { stage: Stage; at: string; detail?: string };
  readmission?: { newAdmissionId: string; linkedPathwayId: string };
}

/** The day the current DRD episode starts counting delay: the DRD unless the policy allowed planning days. */
export const delayCountsFrom = (state: PathwayState): string | undefined =>
  state.drd && (state.drdEpisodes.at(-1)?.countsFrom ?? state.drd);

export const initialState: PathwayState = {
  stage: 'none',
  drdEpisodes: [],
  consents: {},
  referrals: [],
  delayReasons: [],
};

export const isClosed = (state: PathwayState): boolean =>
  state.stage === 'handed_back' || state.stage === 'readmitted' || state.stage === 'cancelled';

export const isLive = (referral: Referral): boolean =>
  referral.status === 'requested' || referral.status === 'accepted' || referral.status === 'ready';

export const isOpen = (referral: Referral): boolean => referral.status === 'requested' || referral.status === 'accepted';

export const beforeDischarge = (state: PathwayState): boolean =>
  state.stage === 'admitted' || state.stage === 'assessment' || state.stage === 'arranging' || state.stage === 'ready_for_discharge';

/** Needs agreed at the assessment (plus housing under the duty to refer) that no live referral covers: a decline not yet re-referred. */
export function uncoveredNeeds(state: PathwayState): Service[] {
  const needs = new Set<Service>(state.assessment?.needs ?? []);
  if (state.patient && state.patient.housingStatus !== 'settled') needs.add('housing');
  return [...needs].filter((service) => !state.referrals.some((r) => r.service === service && isLive(r)));
}

/** Agencies the pathway waits on: open referrals, and agencies whose missing consent blocks one. */
export function awaitingAgencies(state: PathwayState): Agency[] {
  if (!beforeDischarge(state)) return [];
  const agencies = new Set<Agency>();
  for (const referral of state.referrals) {
    if (isOpen(referral) || (isLive(referral) && !state.consents[referral.agency])) agencies.add(referral.agency);
  }
  return [...agencies].sort();
}

/** Earliest missed deadline still unresolved: how long the pathway has been stuck. */
export function overdueSince(state: PathwayState): string | undefined {
  if (!beforeDischarge(state)) return undefined;
  return state.referrals
    .filter((r) => isOpen(r) && r.overdueSince)
    .map((r) => r.overdueSince as string)
    .sort()[0];
}
