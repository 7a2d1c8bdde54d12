import type { z } from 'zod';
import type {
  AccessibleFormat,
  Agreement,
  CapacityDecision,
  ConsentGiver,
  HousingOutcome as HousingOutcomes,
  NeedsNow as NeedsNowSchema,
  PatientAbsence,
  Representative,
} from '../schemas/commands';
import { Agency as Agencies } from '../schemas/common';
import type {
  Agency,
  AssessmentSummary,
  Carer,
  DelayReasonCode,
  DischargePathwayCode,
  Funding,
  Home,
  HousingStatus,
  IntermediateCareService,
  Patient,
  Region,
  Service,
  Stage,
} from '../schemas/common';

type HousingOutcome = z.infer<typeof HousingOutcomes>;
type NeedsNow = z.infer<typeof NeedsNowSchema>;

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
  /** When the current start (readyFrom) was given: a first visit is reminded of only when known before its day. */
  readySince?: string;
  /** Rules 6: the day of the first visit the patient was reminded of (a moved start is reminded of again). */
  remindedOf?: string;
  /** When the agency declined it. */
  declinedAt?: string;
  /**
   * `handover`: long-term services taking over from intermediate care; `follow-up` (rules 4): support
   * that follows the person and never holds the discharge (a welfare check). Absent: a package for the discharge.
   */
  purpose?: 'handover' | 'follow-up';
  /** Who pays: assumed from the service at the request (rules 2), then as recorded. */
  funding?: Funding;
  /** Highest escalation level already raised, per kind of deadline (`decline` under rules 4). */
  escalated: { acceptance: number; readiness: number; decline?: number };
  overdueSince?: string;
  /** The day the provider said the support started. */
  startedOn?: string;
  /** The first visit due on this day did not happen (the provider said so), and no start is recorded since. */
  notStartedOn?: string;
  /** Housing's outcome for its referral. */
  housingOutcome?: HousingOutcome;
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
  /** The team's number for the patient and carer to call (a team's, never a person's). */
  phone?: string;
}

/**
 * A carer's proxy access to the plan (issue 27): recorded by the discharge team with the patient's
 * consent, by the keyed hash of the carer's own NHS number (never the number); the patient may end it.
 */
export interface CarerAccess {
  accessId: string;
  carerKey: string;
  relationship: string;
  grantedAt: string;
  revokedAt?: string;
}

/** The patient's accessible-information needs (the NHS Accessible Information Standard): how every message to them is sent. */
export interface AccessibleInformation {
  formats: z.infer<typeof AccessibleFormat>[];
  /** A language other than English, as an IETF tag (`pl`, `ur`, `cy`). */
  language?: string;
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
  /** Rules 5: how many times the review due on `overdueNotified` has been chased. */
  overdueLevel?: number;
  /** The transition plan of the latest review (or proposal) that gave one: needs that remain ([] = none). */
  remainingNeeds?: Service[];
  /** The latest review: the picture the handover to long-term services carries. */
  latestReview?: { reviewNumber: number; on: string; goals: string[]; needsNow?: NeedsNow };
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
   * an open rehabilitation-at-home referral waits on a P1 resource. 4: as 3, and safe for the
   * patient (issue 23): a self-discharge is a discharge; no support gap without a decision; consent
   * as the law has it; a decline with no re-referral escalates (docs/architecture.md, The pathway model, lists them).
   * 5: as 4, and one living assessment (issue 24): an overdue review is chased again every
   * escalation interval until one is recorded, not told once.
   * 6: as 5, and a declined handover re-opens the choice (issue 24): the discharge team re-refers or
   * extends the episode with a reason (`extend-episode`); an overdue review is chased to the lead
   * professional too; and the patient is reminded the day before their support's first visit (issue 27).
   * Absent (a state carried from older code): 1.
   */
  rules?: Rules;
  pathwayId?: string;
  admissionId?: string;
  patient?: Patient;
  site?: string;
  localAuthority?: string;
  /** The ward at admission, if given. */
  ward?: string;
  region?: Region;
  admittedAt?: string;
  previousPathwayId?: string;
  /** Rules 4: the previous stay's held packages, and what this pathway decided for each. */
  heldPackages?: { referralId: string; service: Service; agency: Agency; decided?: 'resumed' | 'released' }[];
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
    /** Rules 4: continuing healthcare is decided before the discharge (the exception), so its referral holds it. */
    chcBeforeDischarge?: boolean;
  };
  /**
   * Rules 4: whether the patient lacks capacity, per decision, as last assessed (the joint
   * assessment, or `capacity` since). Absent for a decision: as the joint assessment found them.
   */
  capacity?: Partial<Record<z.infer<typeof CapacityDecision>, boolean>>;
  /** Rules 4: the person's housing as last recorded during the stay; absent, as at admission. */
  housingStatus?: HousingStatus;
  /** The unpaid carer, as the latest assessment recorded them. */
  carer?: Carer;
  /** Carers who may read the plan (issue 27). */
  carerAccess?: CarerAccess[];
  accessibleInformation?: AccessibleInformation;
  referrals: Referral[];
  delayReasons: { code: DelayReasonCode; agency: Agency; since: string; note?: string }[];
  discharge?: {
    date: string;
    destination: string;
    daysDelayed: number;
    bedDaysLost: number;
    /** Rules 4: the patient left without waiting for the plan (a self-discharge is a discharge). */
    selfDischarge?: boolean;
    /** When the discharge was recorded (the day of a first visit is known from then). */
    recordedAt?: string;
  };
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

export type Rules = 1 | 2 | 3 | 4 | 5 | 6;

/** The rules a pathway runs under (see PathwayState.rules). */
export const rulesOf = (state: PathwayState): Rules => state.rules ?? 1;

// Each level's changes, asked by name wherever a rule differs between levels, never by number, so
// where a level applies is read here once. Under rules 1 (the source documents) none holds.
/** Rules 2 on: intermediate care only when arranged, handover as a referral, the assessment with the patient at its centre. */
export const patientAtTheCentre = (state: PathwayState): boolean => rulesOf(state) >= 2;
/** Rules 3 on: a patient who meets the criteria to reside again is not ready for discharge until a new DRD. */
export const criteriaToResideAgain = (state: PathwayState): boolean => rulesOf(state) >= 3;
/** Rules 4 on: safe for the patient (self-discharge, support gaps, consent as the law has it, declines chased). */
export const safeForThePatient = (state: PathwayState): boolean => rulesOf(state) >= 4;
/** Rules 5 on: one living assessment; an overdue review is chased until recorded. */
export const livingAssessment = (state: PathwayState): boolean => rulesOf(state) >= 5;
/** Rules 6 on: a declined handover re-opens the choice (re-refer, or extend the episode with a reason); an overdue review is chased to the lead professional too. */
export const handoverChoice = (state: PathwayState): boolean => rulesOf(state) >= 6;
/** Rules 6 on: the patient is reminded the day before their support's first visit (support.first_visit_due). */
export const remindsThePatient = (state: PathwayState): boolean => rulesOf(state) >= 6;

/** A pathway about to start under the current rules (6); the workflow starts older ones under 1 to 5. */
export const initialState: PathwayState = {
  stage: 'none',
  rules: 6,
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

export const isOpen = (referral: Referral): boolean =>
  referral.status === 'requested' || referral.status === 'accepted';

/** The stages of a pathway whose patient is still in hospital. */
export const inHospitalStages: readonly Stage[] = ['admitted', 'assessment', 'arranging', 'ready_for_discharge'];

export const beforeDischarge = (state: PathwayState): boolean => inHospitalStages.includes(state.stage as Stage);

/**
 * Why the person needs housing beyond the needs agreed: homeless or at risk of homelessness (the
 * duty to refer), or a home that needs a move (rules 2).
 */
export function housingNeed(state: PathwayState): 'homeless' | 'at_risk_of_homelessness' | 'move' | undefined {
  const status = state.housingStatus ?? state.patient?.housingStatus;
  if (status === 'homeless' || status === 'at_risk_of_homelessness') return status;
  return patientAtTheCentre(state) && state.assessment?.home?.suitability === 'needs_move' ? 'move' : undefined;
}

/**
 * Agencies that may be told nothing identifying without the patient's consent (rules 4): housing
 * (the duty to refer needs the person's consent) and the voluntary sector. The others give health
 * and care, and sharing with them for direct care is a duty (Health and Social Care Act 2012
 * s.251B): it does not wait for consent, though the patient may object.
 */
export const CONSENT_AGENCIES: readonly Agency[] = ['housing', 'voluntary'];

/**
 * Whether the patient's details may go to an agency. Rules 4: to a direct-care agency unless the
 * patient objected (consent recorded as not given); to housing and the voluntary sector only with
 * consent. Before, only with consent recorded for that agency.
 */
export function mayShareWith(state: PathwayState, agency: Agency): boolean {
  if (safeForThePatient(state) && !CONSENT_AGENCIES.includes(agency)) return state.consents[agency] !== false;
  return state.consents[agency] === true;
}

/** Whether the patient lacks capacity for a decision: as last assessed for it, else as the joint assessment found them. */
export const lacksCapacityFor = (state: PathwayState, decision: z.infer<typeof CapacityDecision>): boolean =>
  state.capacity?.[decision] ?? state.assessment?.patientAbsent === 'lacks_capacity';

/**
 * Rules 4: a community bed (P2) or a care home (P3) needs the patient's agreement, or, when they
 * lack capacity for the plan, a best-interests decision (recorded at the joint assessment that
 * found them lacking it). Undefined when settled; otherwise what is missing.
 */
export function wishesUnsettled(state: PathwayState): string | undefined {
  const assessment = state.assessment;
  if (!safeForThePatient(state) || !assessment || (assessment.pathway !== 'P2' && assessment.pathway !== 'P3'))
    return undefined;
  if (lacksCapacityFor(state, 'discharge_plan')) {
    return assessment.patientAbsent === 'lacks_capacity'
      ? undefined
      : 'the patient now lacks capacity for the plan: a joint assessment records the best-interests decision';
  }
  if (assessment.agreement?.patient === 'agrees') return undefined;
  return assessment.agreement?.patient === 'disagrees'
    ? 'the patient does not agree with the plan'
    : "the patient's agreement with the plan is not recorded";
}

/** Rules 4: where each pathway takes the person; another destination needs a reason (`departure`). */
export const destinationsOf: Record<DischargePathwayCode, readonly string[]> = {
  P0: ['usual-residence', 'temporary-accommodation'],
  P1: ['usual-residence', 'temporary-accommodation'],
  P2: ['community-bed'],
  P3: ['care-home'],
};

/**
 * Rules 4: a continuing-healthcare assessment follows the person after discharge unless the joint
 * assessment asked for a decision before it: its referral is then follow-up, never holding the discharge.
 */
export const chcAfterDischarge = (state: PathwayState): boolean =>
  safeForThePatient(state) && state.assessment?.chcBeforeDischarge !== true;

/**
 * Rules 4: the plan relies on an unpaid carer who is not willing or able to give the care (P0, home
 * with no new support): not ready for discharge until the plan adds support or the carer's position changes.
 */
export const reliesOnUnableCarer = (state: PathwayState): boolean =>
  safeForThePatient(state) && state.carer?.willingAndAble === false && state.assessment?.pathway === 'P0';

/** Sharing with every agency, as the agency views read it (rules 4); before, the consents as recorded. */
export const sharing = (state: PathwayState): Partial<Record<Agency, boolean>> =>
  safeForThePatient(state)
    ? Object.fromEntries(Agencies.options.map((agency) => [agency, mayShareWith(state, agency)]))
    : state.consents;

/** Housing is needed: the duty to refer, a move, or a need the assessment agreed. */
export const housingWanted = (state: PathwayState): boolean =>
  housingNeed(state) !== undefined || (state.assessment?.needs.includes('housing') ?? false);

/**
 * Rules 4: the referral to housing waits for the person's consent to it (Housing Act 1996 s.213B):
 * once assessed, a housing need without consent given or refused waits on the patient.
 */
export const housingConsentPending = (state: PathwayState): boolean =>
  safeForThePatient(state) &&
  state.assessment !== undefined &&
  housingWanted(state) &&
  state.consents.housing === undefined;

/**
 * Needs agreed at the assessment (plus housing under the duty to refer or for a move) that no live
 * referral covers: a decline not yet re-referred. Rules 4: housing only once the person consented
 * to the referral (pending, it waits on them as consent; refused, on nobody).
 */
export function uncoveredNeeds(state: PathwayState): Service[] {
  const needs = new Set<Service>(state.assessment?.needs ?? []);
  if (housingNeed(state)) needs.add('housing');
  if (safeForThePatient(state) && !mayShareWith(state, 'housing')) needs.delete('housing');
  return [...needs].filter(
    (service) => !state.referrals.some((r) => r.service === service && r.purpose !== 'handover' && isLive(r)),
  );
}

/** Intermediate care that has started handing over to long-term services and is still open. */
export const handoverUnderway = (state: PathwayState): IntermediateCare['awaitingHandover'] =>
  state.intermediateCare && !state.intermediateCare.ended ? state.intermediateCare.awaitingHandover : undefined;

/** Needs being handed over that no live handover referral covers: a decline not yet re-referred. */
export function uncoveredHandover(state: PathwayState): Service[] {
  const services = handoverUnderway(state)?.services ?? [];
  return services.filter(
    (service) => !state.referrals.some((r) => r.service === service && r.purpose === 'handover' && isLive(r)),
  );
}

/** A package the discharge waits for: not a handover, nor support that follows the person (rules 4). */
export const holdsDischarge = (referral: Referral): boolean => referral.purpose === undefined;

/**
 * The referrals the pathway waits on now, whose answers and deadlines count: before discharge, its
 * packages; after, the handover referrals of intermediate care awaiting handover, and (rules 4)
 * follow-up referrals and the packages a self-discharged patient left without; otherwise none.
 */
export function referralsInPlay(state: PathwayState): Referral[] {
  if (beforeDischarge(state)) return state.referrals;
  if (isClosed(state)) return [];
  const handingOver = handoverUnderway(state) !== undefined;
  const rules4 = safeForThePatient(state);
  const leftWithout = rules4 && state.discharge?.selfDischarge === true;
  return state.referrals.filter((r) =>
    r.purpose === 'handover' ? handingOver : r.purpose === 'follow-up' ? rules4 : leftWithout,
  );
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
    if (!patientAtTheCentre(state) && isLive(referral) && !state.consents[referral.agency])
      agencies.add(referral.agency);
  }
  return [...agencies].sort();
}

/**
 * Rules 4: a declined referral whose need nothing has covered since, by a re-referral or a changed
 * plan: the latest referral for its service, in play, its need still uncovered. It escalates like
 * a missed deadline and the pathway is stuck from the decline.
 */
export function awaitingReReferral(state: PathwayState, referral: Referral): boolean {
  if (!safeForThePatient(state) || referral.status !== 'declined' || !referralsInPlay(state).includes(referral))
    return false;
  const latest = state.referrals.filter((r) => r.service === referral.service && r.purpose === referral.purpose).at(-1);
  if (latest !== referral) return false;
  if (referral.purpose === 'handover') return uncoveredHandover(state).includes(referral.service);
  return referral.purpose === 'follow-up' || uncoveredNeeds(state).includes(referral.service);
}

/** Earliest missed deadline still unresolved (rules 4: or decline not yet acted on): how long the pathway has been stuck. */
export function overdueSince(state: PathwayState): string | undefined {
  return referralsInPlay(state)
    .map((r) => (isOpen(r) ? r.overdueSince : awaitingReReferral(state, r) ? r.declinedAt : undefined))
    .filter((since): since is string => since !== undefined)
    .sort()[0];
}
