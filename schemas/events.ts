import { z } from 'zod';
import {
  Agency,
  AssessmentSummary,
  Carer,
  DelayReasonCode,
  Destination,
  DischargePathwayCode,
  Funding,
  Home,
  IsoDate,
  IsoTimestamp,
  Patient,
  Region,
  Service,
} from './common';
import {
  AccessibleInformationPayload,
  Agreement,
  BestInterests,
  CarerAccessPayload,
  BridgeBy,
  CapacityPayload,
  Chc,
  ExtendEpisodePayload,
  HeldPackage,
  HousingOutcome,
  HousingStatusPayload,
  ConsentGiver,
  DestinationDeparture,
  LeadProfessionalPayload,
  MissedVisitReason,
  NeedsNow,
  ParticipantRole,
  PatientAbsence,
} from './commands';

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), at: IsoTimestamp, ...shape });

const ReferralRef = { referralId: z.string(), agency: Agency };

/**
 * Every fact a pathway records. Events are the source of truth: the state is rebuilt from them,
 * so each carries everything `evolve` needs. Published on Kafka as CloudEvents of type cloudEventType(<type>).
 */
export const eventSchemas = {
  'pathway.started': event('pathway.started', {
    pathwayId: z.string(),
    admissionId: z.string(),
    patient: Patient,
    site: z.string(),
    localAuthority: z.string(),
    region: Region,
    /** The ward at admission, when the PAS or the caller gave it. */
    ward: z.string().optional(),
    admittedAt: IsoTimestamp,
    expectedDischargeDate: IsoDate.optional(),
    consents: z.array(Agency),
    previousPathwayId: z.string().optional(),
    /** The previous stay's packages put on hold by the readmission (rules 4): this pathway resumes or releases each. */
    heldPackages: z.array(HeldPackage).optional(),
    /**
     * The rules the pathway runs under (PathwayState.rules): 2, the pathway as the source documents
     * describe it; 3, as 2 with a patient meeting the criteria to reside again not ready for
     * discharge; 4, as 3 and safe for the patient (self-discharge a discharge, no support gap
     * without a decision, consent as the law has it …); 5, as 4 with overdue reviews chased until
     * recorded; 6, as 5 with an overdue review chased to the lead professional too, a declined
     * handover's episode extended with a reason and the patient reminded the day before their
     * support's first visit; absent, 1 (started before them).
     */
    rules: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6)]).optional(),
  }),
  'edd.set': event('edd.set', { date: IsoDate }),
  'discharge_ready.recorded': event('discharge_ready.recorded', {
    date: IsoDate,
    /** First day that counts as delayed when the policy allows planning days after the DRD (Scotland); absent = the DRD. */
    countsFrom: IsoDate.optional(),
  }),
  'discharge_ready.cleared': event('discharge_ready.cleared', {
    date: IsoDate,
    clearedOn: IsoDate,
    delayDays: z.number().int().min(0),
  }),
  'assessment.completed': event('assessment.completed', {
    pathway: DischargePathwayCode,
    participants: z.array(ParticipantRole),
    needs: z.array(Service),
    replan: z.boolean(),
    /** Free text for the trust's record only: this event never goes to other agencies. */
    notes: z.string().optional(),
    /** Why the patient did not take part (absent: the patient took part). */
    patientAbsent: PatientAbsence.optional(),
    /** Present when the patient lacks capacity for the decision: who represents them, who decided, who was consulted (the trust's record only). */
    bestInterests: BestInterests.optional(),
    /** Agreement with the plan and destination, as recorded. */
    agreement: z.object({ patient: Agreement.optional(), family: Agreement.optional() }).optional(),
    home: Home.optional(),
    /** The unpaid carer (the trust's record; agencies get what they need with each referral). */
    carer: Carer.optional(),
    /** The assessment's summary (the trust's record in full; agencies get their part with each referral). */
    summary: AssessmentSummary.optional(),
    /** When continuing healthcare is decided (rules 4): after discharge unless a reason asks for it before. */
    chc: Chc.optional(),
    /** Whole days from the discharge ready date to this assessment, when a DRD was set: how long the plan took. */
    daysFromDischargeReady: z.number().int().min(0).optional(),
  }),
  'consent.recorded': event('consent.recorded', {
    agency: Agency,
    given: z.boolean(),
    /** Who gave it and so on what basis: the patient; an attorney or deputy; a best-interests decision. Absent on older events: the patient. */
    givenBy: ConsentGiver.exclude(['carer']).optional(),
  }),
  'referral.requested': event('referral.requested', {
    ...ReferralRef,
    service: Service,
    /** `relocation`: housing for a person whose home needs a move; `welfare-check`: raised by a P0/P1 discharge or a self-discharge. */
    reason: z.enum([
      'assessment',
      'duty-to-refer',
      're-referral',
      'changed-plan',
      'additional-need',
      'handover',
      'relocation',
      'welfare-check',
    ]),
    acceptBy: IsoTimestamp.describe(
      "Acceptance deadline: the agency's SLA hours for accepting, counted from the request.",
    ),
    readyBy: IsoTimestamp.optional().describe(
      "Readiness deadline: the agency's SLA hours for readiness counted from acceptBy (a step-down bed at the latest 2 days after the request). Acceptance never makes it earlier; a late acceptance counts from the acceptance.",
    ),
    consentRequired: z.boolean(),
    /**
     * `handover`: long-term services taking over from intermediate care; `follow-up`: support that
     * follows the person without holding the discharge (a welfare check). Absent: a package for the discharge.
     */
    purpose: z.enum(['discharge', 'handover', 'follow-up']).optional(),
    /** Who pays, as assumed from the service until funding is recorded (absent on older pathways). */
    funding: Funding.optional(),
    /** The package of the previous stay this referral resumes (rules 4): the provider links it to the one it held. */
    resumes: z.object({ pathwayId: z.string(), referralId: z.string() }).optional(),
  }),
  /** A package of the previous stay, held at the readmission, that the new plan does not need: its provider may let it go (rules 4). */
  'held_package.released': event('held_package.released', {
    previousPathwayId: z.string(),
    referralId: z.string(),
    service: Service,
    agency: Agency,
  }),
  /** Funding agreed for a referral's service: told to the patient's social care team. */
  'funding.recorded': event('funding.recorded', { ...ReferralRef, service: Service, ...Funding.shape }),
  'referral.accepted': event('referral.accepted', {
    ...ReferralRef,
    readyBy: IsoTimestamp.describe(
      'Readiness deadline now enforced: never earlier than the one shown with the request (SLA hours from acceptBy); counted from the acceptance when it came after acceptBy. Older pathways counted from the acceptance.',
    ),
  }),
  'referral.declined': event('referral.declined', { ...ReferralRef, reason: z.string().optional() }),
  /** `movedFrom`: the provider moved the start of support already in place (start-date-moved) from this day. */
  'referral.ready': event('referral.ready', { ...ReferralRef, readyFrom: IsoDate, movedFrom: IsoDate.optional() }),
  'referral.escalated': event('referral.escalated', {
    ...ReferralRef,
    /** `decline`: declined, and neither re-referred nor planned away since (rules 4): the trust's to act on. */
    kind: z.enum(['acceptance', 'readiness', 'decline']),
    level: z.number().int().positive(),
    overdueSince: IsoTimestamp,
  }),
  /**
   * The patient left hospital (a self-discharge) before this referral's support was in place: the
   * agency is told support is needed now. The referral stays open, answered and escalated as before.
   */
  'referral.urgent': event('referral.urgent', {
    ...ReferralRef,
    reason: z.literal('self_discharged'),
    neededFrom: IsoDate,
  }),
  /** `consent-refused`: the person refused (or withdrew) their consent to the referral to housing. */
  'referral.withdrawn': event('referral.withdrawn', {
    ...ReferralRef,
    reason: z.enum(['changed-plan', 'consent-refused']),
  }),
  'referral.on_hold': event('referral.on_hold', { ...ReferralRef, reason: z.enum(['readmitted', 'cancelled']) }),
  'delay_reason.recorded': event('delay_reason.recorded', {
    code: DelayReasonCode,
    agency: Agency,
    note: z.string().optional(),
  }),
  'delay_reason.resolved': event('delay_reason.resolved', { code: DelayReasonCode, agency: Agency }),
  'pathway.ready_for_discharge': event('pathway.ready_for_discharge', {}),
  'discharge.recorded': event('discharge.recorded', {
    date: IsoDate,
    destination: Destination,
    /** The pathway agreed at the joint assessment; absent only for a self-discharge before one. */
    pathway: DischargePathwayCode.optional(),
    daysDelayed: z.number().int().min(0),
    bedDaysLost: z.number().int().min(0),
    /** Why the destination is not the pathway's own (rules 4). */
    departure: DestinationDeparture.optional(),
    /** The patient discharged themselves: the watch runs, and open referrals are told support is needed now. */
    selfDischarge: z.literal(true).optional(),
    /**
     * Services that start after the discharge date, and the decision that let the person go home
     * before them: a bridge (who gives interim support, until when) or the patient's informed choice.
     */
    supportGap: z
      .object({
        services: z.array(
          z.object({ referralId: z.string(), service: Service, startsOn: IsoDate, days: z.number().int().positive() }),
        ),
        bridge: z.object({ by: BridgeBy, until: IsoDate }).optional(),
        informedChoice: z.literal(true).optional(),
      })
      .optional(),
  }),
  'readmission_watch.started': event('readmission_watch.started', { from: IsoDate, until: IsoDate }),
  'intermediate_care.started': event('intermediate_care.started', {
    /** The day the first intermediate-care service started (its readyFrom), never before the discharge. */
    startDate: IsoDate,
    /** The intermediate-care services of the episode (absent on older pathways: every P1/P2 discharge started one). */
    services: z.array(Service).optional(),
    endBy: IsoDate,
    /** The review is due on this day; it is overdue once the day has passed. */
    firstReviewDue: IsoDate,
  }),
  'review.recorded': event('review.recorded', {
    outcome: z.enum(['continue', 'goals_met', 'needs_long_term_support']),
    goals: z.array(z.string()),
    reviewNumber: z.number().int().positive(),
    nextReviewDue: IsoDate,
    notes: z.string().optional(),
    /** The transition plan: needs that remain when intermediate care ends ([] = none). */
    remainingNeeds: z.array(Service).optional(),
    /** The person's needs now, as the provider's review found them: the latest picture the handover carries. */
    needsNow: NeedsNow.optional(),
  }),
  /** The intermediate-care provider proposed the transition plan: the needs that remain when the episode ends. */
  'transition_plan.proposed': event('transition_plan.proposed', {
    remainingNeeds: z.array(Service),
    notes: z.string().optional(),
  }),
  /** The support a referral arranged started (the provider says so). */
  'support.started': event('support.started', { ...ReferralRef, service: Service, startedOn: IsoDate }),
  /** The support did not start as planned (a missed first visit): an escalation to the discharge team, the day it is reported. */
  'support.not_started': event('support.not_started', {
    ...ReferralRef,
    service: Service,
    dueOn: IsoDate,
    reason: MissedVisitReason,
  }),
  /**
   * Rules 6: the first visit of support the patient went home with is due `on` that day, and was
   * not started yet: recorded the day before (or as soon as the day is known, when later), so the
   * patient is told (schemas/notifications.ts).
   */
  'support.first_visit_due': event('support.first_visit_due', { ...ReferralRef, service: Service, on: IsoDate }),
  /** Housing's outcome for its referral. */
  'housing_outcome.recorded': event('housing_outcome.recorded', {
    ...ReferralRef,
    service: Service,
    outcome: HousingOutcome,
    on: IsoDate,
  }),
  'review.overdue': event('review.overdue', {
    dueOn: IsoDate,
    /** Rules 5: the review is chased again every escalation interval until recorded; 1, 2 … (absent: told once). */
    level: z.number().int().positive().optional(),
    /** Rules 6: the lead professional it is chased to as well as the provider (a role and a team), when one is named. */
    leadProfessional: z.object({ role: z.string(), team: z.string() }).optional(),
  }),
  /** Rules 6: the discharge team keeps the episode going to `until` instead of handing over now (ExtendEpisodePayload). */
  'intermediate_care.extended': event('intermediate_care.extended', ExtendEpisodePayload.shape),
  'intermediate_care.ended': event('intermediate_care.ended', {
    reason: z.enum(['goals_met', 'six_week_limit', 'long_term_needs', 'readmitted', 'cancelled']),
    days: z.number().int().min(0),
  }),
  /**
   * Intermediate care hands over to long-term services. Older pathways: a notice after the episode
   * ended. Now: the start of the handover; a handover referral per service follows and the episode
   * stays open, awaiting handover, until they are ready.
   */
  'handover.long_term_services': event('handover.long_term_services', {
    reason: z.enum(['six_week_limit', 'long_term_needs', 'goals_met']),
    to: z.array(Agency),
    /** The needs handed over, one handover referral each. */
    services: z.array(Service).optional(),
  }),
  'readmission_watch.expired': event('readmission_watch.expired', {}),
  'pathway.readmitted': event('pathway.readmitted', {
    newAdmissionId: z.string(),
    linkedPathwayId: z.string(),
    admittedOn: IsoDate,
    dayOfWatch: z.number().int().min(0),
  }),
  /** The person's housing changed during the stay (rules 4): the status and who recorded it, told to housing when involved. */
  'housing_status.recorded': event('housing_status.recorded', HousingStatusPayload.shape),
  /** The patient's capacity for one decision, assessed again (rules 4): no personal data, roles only. */
  'capacity.assessed': event('capacity.assessed', CapacityPayload.shape),
  /** The carer's position, recorded apart from a joint assessment (rules 4): the trust's record; agencies get the carer with their referrals. */
  'carer.recorded': event('carer.recorded', { carer: Carer }),
  /** The carer accepted a carer's assessment: social care is asked to carry it out (the carer's details come with their consent-gated block). */
  'carers_assessment.requested': event('carers_assessment.requested', { willingAndAble: z.boolean() }),
  /** The lead professional for the pathway or its intermediate-care episode: a role and a team, never a person. */
  'lead_professional.assigned': event('lead_professional.assigned', LeadProfessionalPayload.shape),
  /** The patient agreed that a carer may read their plan (issue 27): by the carer's keyed NHS-number hash, never the number. */
  'carer_access.granted': event('carer_access.granted', { accessId: z.string(), ...CarerAccessPayload.shape }),
  /** The carer's access ended (the patient's word): they are refused the plan from now on. */
  'carer_access.revoked': event('carer_access.revoked', { accessId: z.string() }),
  /** How the patient needs to be told things (large print, easy read, BSL, another language). */
  'accessible_information.recorded': event('accessible_information.recorded', AccessibleInformationPayload.shape),
  /** Emergency treatment at A&E without admission during the watch: not a readmission, but the trust's duty covers it. */
  'emergency_attendance.recorded': event('emergency_attendance.recorded', {
    attendedOn: IsoDate,
    dayOfWatch: z.number().int().min(0),
  }),
  'pathway.handed_back': event('pathway.handed_back', {
    outcome: z.enum(['home', 'long_term_services', 'care_home']),
  }),
  'pathway.cancelled': event('pathway.cancelled', {
    reason: z.enum(['died', 'self_discharged', 'transferred', 'admission_cancelled', 'other']),
  }),
} as const;

export const PathwayEvent = z.discriminatedUnion(
  'type',
  Object.values(eventSchemas) as unknown as [
    (typeof eventSchemas)[keyof typeof eventSchemas],
    ...(typeof eventSchemas)[keyof typeof eventSchemas][],
  ],
);
export type EventType = keyof typeof eventSchemas;
export type PathwayEvent = { [K in EventType]: z.output<(typeof eventSchemas)[K]> }[EventType];
export type EventOf<T extends EventType> = Extract<PathwayEvent, { type: T }>;
export const eventTypes = Object.keys(eventSchemas) as EventType[];
