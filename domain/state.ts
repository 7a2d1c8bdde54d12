import type { z } from 'zod';
import type { Agreement, ConsentGiver, PatientAbsence, Representative } from '../schemas/commands';
import type { Agency, AssessmentSummary, Carer, DelayReasonCode, DischargePathwayCode, Funding, Home, IntermediateCareService, Patient, Region, Service, Stage } from '../schemas/common';

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
  /** `handover`: long-term services taking over from intermediate care. Absent: a package for the discharge. */
  purpose?: 'handover';
  /** Who pays: assumed from the service at the request (rules 2), then as recorded. */
  funding?: Funding;
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

/** Why intermediate care hands over to long-term services. */
export type HandoverReason = 'six_week_limit' | 'long_term_needs' | 'goals_met';

export interface LeadProfessional {
  role: string;
  team: string;
}

export interface IntermediateCare {
  startDate: string;
  /** The episode's lead professional, when named. */
  lead?: LeadProfessional;
  endBy: string;
  /** The intermediate-care services of the episode; absent on pathways under rules 1. */
  services?: IntermediateCareService[];
  reviews: number;
  nextReviewDue: string;
  overdueNotified?: string;
  /** The transition plan of the latest review that gave one: needs that remain ([] = none). */
  remainingNeeds?: Service[];
  /** The handover to long-term services has started: the episode stays open until they are ready. */
  awaitingHandover?: { reason: HandoverReason; since: string; services: Service[] };
  ended?: { at: string; reason: string };
}

export interface PathwayState {
  /** `none` until the pathway has started. JSON-only: carried across continue-as-new. */
  stage: Stage | 'none';
  /**
   * The rules this pathway runs under, fixed when it starts so a running pathway carries on as it
   * began (recorded on pathway.started; before the start, the rules it will start under). 1: before the pathway as the source documents describe it (every P1/P2 discharge starts
   * intermediate care, the six-week end is a notice, acceptance sets the readiness deadline …).
   * 2: intermediate care only when arranged, handover as a referral, the assessment with the
   * patient at its centre. 3: as 2, and a patient who meets the criteria to reside again is not
   * ready for discharge until a new DRD, dated no earlier than the day the last one was cleared;
   * an open rehabilitation-at-home referral waits on a P1 resource.
   * Absent (a state carried from older code): 1.
   */
  rules?: 1 | 2 | 3;
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
  /** The pathway's lead professional, when named. */
  lead?: LeadProfessional;
  drdEpisodes: DrdEpisode[];
  consents: Partial<Record<Agency, boolean>>;
  /** Who gave each consent recorded with a giver (older events: the patient). */
  consentGivenBy?: Partial<Record<Agency, Exclude<z.infer<typeof ConsentGiver>, 'carer'>>>;
  assessment?: {
    pathway: DischargePathwayCode;
    needs: Service[];
    completedAt: string;
    count: number;
    patientAbsent?: z.infer<typeof PatientAbsence>;
    /** Set when the patient lacks capacity for the decision: who represents them. */
    representative?: z.infer<typeof Representative>;
    agreement?: { patient?: z.infer<typeof Agreement>; family?: z.infer<typeof Agreement> };
    summary?: AssessmentSummary;
    home?: Home;
  };
  /** The unpaid carer, as the latest assessment recorded them. */
  carer?: Carer;
  referrals: Referral[];
  delayReasons: { code: DelayReasonCode; agency: Agency; since: string; note?: string }[];
  discharge?: { date: string; destination: string; daysDelayed: number; bedDaysLost: number };
  intermediateCare?: IntermediateCare;
  /** The 30-day readmission watch; `attendances`: days of A&E attendances without admission during it. */
  watch?: { from: string; until: string; expired: boolean; attendances?: string[] };
  handover?: { reason: string; at: string };
  outcome?: { stage: Stage; at: string; detail?: string };
  readmission?: { newAdmissionId: string; linkedPathwayId: string };
}

/** The day the current DRD episode starts counting delay: the DRD unless the policy allowed planning days. */
export const delayCountsFrom = (state: PathwayState): string | undefined =>
  state.drd && (state.drdEpisodes.at(-1)?.countsFrom ?? state.drd);

/** The rules a pathway runs under (see PathwayState.rules). */
export const rulesOf = (state: PathwayState): 1 | 2 | 3 => state.rules ?? 1;

/** A pathway about to start under the current rules (3); the workflow starts older ones under 1 or 2. */
export const initialState: PathwayState = {
  stage: 'none',
  rules: 3,
  drdEpisodes: [],
  consents: {},
  referrals: [],
  delayReasons: [],
};

/**
 * The patient meets the criteria to reside again: a DRD was recorded, then cleared, and none set
 * since. Such a patient is not ready for discharge (rules 3): every day until a new DRD is a day
 * they need the hospital, not a delay.
 */
export const residesAgain = (state: PathwayState): ClearedDrdEpisode | undefined => {
  const last = state.drdEpisodes.at(-1);
  return !state.drd && last?.clearedOn !== undefined ? (last as ClearedDrdEpisode) : undefined;
};

export type ClearedDrdEpisode = DrdEpisode & { clearedOn: string };

export const isClosed = (state: PathwayState): boolean =>
  state.stage === 'handed_back' || state.stage === 'readmitted' || state.stage === 'cancelled';

export const isLive = (referral: Referral): boolean =>
  referral.status === 'requested' || referral.status === 'accepted' || referral.status === 'ready';

export const isOpen = (referral: Referral): boolean => referral.status === 'requested' || referral.status === 'accepted';

export const beforeDischarge = (state: PathwayState): boolean =>
  state.stage === 'admitted' || state.stage === 'assessment' || state.stage === 'arranging' || state.stage === 'ready_for_discharge';

/**
 * Why the person needs housing beyond the needs agreed: homeless or at risk of homelessness (the
 * duty to refer), or a home that needs a move (rules 2).
 */
export function housingNeed(state: PathwayState): 'homeless' | 'at_risk_of_homelessness' | 'move' | undefined {
  const status = state.patient?.housingStatus;
  if (status === 'homeless' || status === 'at_risk_of_homelessness') return status;
  return rulesOf(state) >= 2 && state.assessment?.home?.suitability === 'needs_move' ? 'move' : undefined;
}

/** Needs agreed at the assessment (plus housing under the duty to refer or for a move) that no live referral covers: a decline not yet re-referred. */
export function uncoveredNeeds(state: PathwayState): Service[] {
  const needs = new Set<Service>(state.assessment?.needs ?? []);
  if (housingNeed(state)) needs.add('housing');
  return [...needs].filter((service) => !state.referrals.some((r) => r.service === service && r.purpose !== 'handover' && isLive(r)));
}

/** Intermediate care that has started handing over to long-term services and is still open. */
export const handoverUnderway = (state: PathwayState): IntermediateCare['awaitingHandover'] =>
  state.intermediateCare && !state.intermediateCare.ended ? state.intermediateCare.awaitingHandover : undefined;

/** Needs being handed over that no live handover referral covers: a decline not yet re-referred. */
export function uncoveredHandover(state: PathwayState): Service[] {
  const services = handoverUnderway(state)?.services ?? [];
  return services.filter((service) => !state.referrals.some((r) => r.service === service && r.purpose === 'handover' && isLive(r)));
}

/**
 * The referrals the pathway waits on now, whose answers and deadlines count: before discharge, its
 * packages; after, the handover referrals of intermediate care awaiting handover; otherwise none.
 */
export function referralsInPlay(state: PathwayState): Referral[] {
  if (beforeDischarge(state)) return state.referrals;
  if (handoverUnderway(state)) return state.referrals.filter((r) => r.purpose === 'handover');
  return [];
}

/**
 * Agencies the pathway waits on: open referrals in play. A missing consent waits on the patient
 * (or whoever decides for them), not on the agency (see activeReasons); rules 1 counted it
 * against the agency, and pathways under them keep doing so.
 */
export function awaitingAgencies(state: PathwayState): Agency[] {
  const agencies = new Set<Agency>();
  for (const referral of referralsInPlay(state)) {
    if (isOpen(referral)) agencies.add(referral.agency);
    if (rulesOf(state) === 1 && isLive(referral) && !state.consents[referral.agency]) agencies.add(referral.agency);
  }
  return [...agencies].sort();
}

/** Earliest missed deadline still unresolved: how long the pathway has been stuck. */
export function overdueSince(state: PathwayState): string | undefined {
  return referralsInPlay(state)
    .filter((r) => isOpen(r) && r.overdueSince)
    .map((r) => r.overdueSince as string)
    .sort()[0];
}
