import { z } from 'zod';
import {
  AdmittedPatient,
  Agency,
  HousingStatus,
  AssessmentSummary,
  Carer,
  DelayReasonCode,
  Destination,
  DischargePathwayCode,
  Funding,
  Home,
  IsoDate,
  IsoTimestamp,
  NewPlaceName,
  NhsNumber,
  Phone,
  PlaceName,
  Region,
  Service,
} from './common';

/**
 * A list of an enum's values, as long as a body may make it: beyond twice the values there are, a
 * list only repeats itself (the rules read each value once), and a body carrying thousands of them
 * is refused at the door rather than carried to a pathway.
 */
const listOf = <E extends z.ZodEnum>(values: E) => z.array(values).max(values.options.length * 2);

export const AdmissionId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - only, at most 64');

export const StartPayload = z.strictObject({
  admissionId: AdmissionId,
  patient: AdmittedPatient,
  site: NewPlaceName,
  localAuthority: NewPlaceName,
  region: Region.optional(),
  /** The ward the patient is on (the PAS's code or name), for the staff's lists: a place in the hospital, not the person. */
  ward: NewPlaceName.optional(),
  admittedAt: IsoTimestamp,
  expectedDischargeDate: IsoDate.optional(),
  /** Agencies the patient agreed to share information with, if known at admission. */
  consents: listOf(Agency).default([]),
  /** The pathway whose readmission started this one. */
  previousPathwayId: z.string().min(1).optional(),
});

export const ParticipantRole = z.enum([
  'nurse',
  'doctor',
  'care_manager',
  'social_worker',
  'occupational_therapist',
  'physiotherapist',
  'patient',
  'carer',
  'other',
]);

const Notes = z.string().min(1).max(2000).optional();

/** Why the patient did not take part in the joint assessment. */
export const PatientAbsence = z.enum(['lacks_capacity', 'too_unwell', 'declined']);
/**
 * Who speaks for a patient who lacks capacity for the decision: an attorney (lasting power of
 * attorney for health and welfare) or a court-appointed deputy decides; otherwise a best-interests
 * decision is taken with an advocate (IMCA) representing the patient. Personal data: the trust's only.
 */
export const Representative = z.strictObject({
  role: z.enum(['attorney', 'deputy', 'advocate']),
  name: z.string().min(1).max(200),
});
export const Agreement = z.enum(['agrees', 'disagrees']);
/** A professional who decides or assesses (not the patient, a carer or someone unnamed). */
export const ProfessionalRole = ParticipantRole.exclude(['patient', 'carer', 'other']);
/** The decisions capacity is judged for, one at a time (Mental Capacity Act 2005 s.2): where to go and what support, and sharing information. */
export const CapacityDecision = z.enum(['discharge_plan', 'sharing_information']);
/**
 * Whoever a best-interests decision consulted, as what they are to the patient: a daughter is
 * `family`, not an advocate (MCA 2005 s.4(7)). Personal data: the trust's only.
 */
export const Consulted = z.strictObject({
  relationship: z.enum(['family', 'carer', 'friend', 'advocate', 'attorney', 'deputy']),
  name: z.string().min(1).max(200),
});
/**
 * A best-interests decision for a patient who lacks capacity for the discharge plan: their attorney
 * or deputy (who decides), or an advocate, if any (`representative`); under rules 4 who made the
 * decision (`decidedBy`) and who was consulted (`consulted`).
 */
export const BestInterests = z.strictObject({
  representative: Representative.optional(),
  decidedBy: ProfessionalRole.optional(),
  consulted: z.array(Consulted).min(1).max(10).optional(),
});
/**
 * Who gave consent, and so on what basis: the patient (with capacity); their attorney or deputy;
 * or a best-interests decision for a patient who lacks capacity. A carer cannot consent for an
 * adult: the value exists so the refusal can say so.
 */
export const ConsentGiver = z.enum(['patient', 'attorney', 'deputy', 'best_interests', 'carer']);

/**
 * When continuing healthcare eligibility is decided (National Framework: after discharge, once
 * needs are clearer, by default): a pre-discharge decision is the exception, with its reason.
 */
export const Chc = z.strictObject({
  decision: z.enum(['after_discharge', 'before_discharge']),
  reason: z.enum(['fast_track', 'needs_settled_before_discharge', 'other']).optional(),
});

export const ExpectedDischargeDatePayload = z.strictObject({ date: IsoDate });
export const DischargeReadyPayload = z.strictObject({ date: IsoDate });
export const CriteriaToResideMetPayload = z.strictObject({});
export const AssessmentPayload = z.strictObject({
  /** Who took part: a meeting of more than 30 people is no joint assessment. */
  participants: z
    .array(z.strictObject({ role: ParticipantRole }))
    .min(1)
    .max(30),
  pathway: DischargePathwayCode,
  needs: listOf(Service).default([]),
  /** Agencies the patient agreed (at the assessment) to share information with. */
  consents: listOf(Agency).default([]),
  notes: Notes,
  /** Why the patient does not take part, when no participant is the patient. */
  patientAbsent: PatientAbsence.optional(),
  /** A patient who lacks capacity for the discharge decision: the best-interests decision and who represents them. */
  bestInterests: BestInterests.optional(),
  /**
   * Agreement with the plan and destination: the patient's (or, for a patient who lacks capacity,
   * their representative's), and the family's or carer's if asked. A disagreement shows as a delay reason.
   */
  agreement: z.strictObject({ patient: Agreement.optional(), family: Agreement.optional() }).optional(),
  /** The home's suitability and tenure: a home that needs adapting needs an adaptations referral; one that needs a move, housing. */
  home: Home.optional(),
  /** The assessment's summary: each referral carries the part its agency needs. */
  summary: AssessmentSummary.optional(),
  /** The unpaid carer, if there is one: an accepted carer's assessment is referred to social care. */
  carer: Carer.optional(),
  /** With a chc-assessment need (rules 4): decided after discharge (the default), or before it (with the reason). */
  chc: Chc.optional(),
});
/** The person's housing changed during the stay, and who recorded it (rules 4). */
export const HousingStatusPayload = z.strictObject({ housingStatus: HousingStatus, recordedBy: ProfessionalRole });

/** The carer's position changed (say, now willing and able, or accepting an assessment): recorded without a new joint assessment. */
export const CarerPayload = z.strictObject({ carer: Carer });
export const ConsentPayload = z.strictObject({
  agency: Agency,
  given: z.boolean(),
  /** Who gave (or withdrew) it; the patient unless said otherwise. */
  givenBy: ConsentGiver.optional(),
});
export const ReferralPayload = z.strictObject({
  service: Service,
  /** Defaults to the agency that provides the service (`serviceAgency`); set it to refer elsewhere. */
  agency: Agency.optional(),
  reason: z.enum(['re-referral', 'changed-plan', 'additional-need']).default('re-referral'),
});
export const ReferralResponsePayload = z.strictObject({
  referralId: z.string().min(1),
  agency: Agency,
  response: z.enum(['accepted', 'declined', 'ready']),
  reason: z.string().min(1).max(200).optional(),
  readyFrom: IsoDate.optional(),
});
export const DelayReasonPayload = z.strictObject({
  code: DelayReasonCode,
  agency: Agency,
  note: z.string().min(1).max(500).optional(),
});
export const DelayReasonResolvedPayload = z.strictObject({ code: DelayReasonCode, agency: Agency });
/** Who gives interim support until a service starts: an agency, or the person's carer or family. */
export const BridgeBy = z.enum([...Agency.options, 'carer', 'family']);

/** Why the destination departs from the pathway's (rules 4: P3 a care home, P2 a community bed, P0/P1 a home). */
export const DestinationDeparture = z.enum([
  'patient_choice',
  'best_interests',
  'placement_not_available',
  'staying_with_family',
  'other',
]);

/**
 * The patient's capacity for one decision, assessed now (presumed, and judged decision by decision
 * at the time: MCA 2005 s.1, s.2), by a professional; with capacity regained for the discharge plan,
 * the patient's own agreement with it.
 */
export const CapacityPayload = z.strictObject({
  decision: CapacityDecision,
  lacksCapacity: z.boolean(),
  assessedBy: ProfessionalRole,
  agreement: Agreement.optional(),
});

export const DischargePayload = z.strictObject({
  date: IsoDate,
  destination: Destination,
  /** Rules 4: why the destination is not the pathway's own. */
  departure: DestinationDeparture.optional(),
  /**
   * The patient left without waiting for the plan (against advice): recorded as a discharge, so the
   * trust's 30-day duty (the readmission watch) runs and every agency still arranging support is told
   * it is needed now. Allowed at any stage before discharge.
   */
  selfDischarge: z.boolean().optional(),
  /**
   * Interim support until a service that starts after the discharge date does: who gives it and
   * until when (at least the day before the service starts). Without it, or the patient's informed
   * choice, such a discharge is refused (rules 4).
   */
  bridge: z.strictObject({ by: BridgeBy, until: IsoDate }).optional(),
  /** The patient (or whoever decides for them) chose to go home before a service starts, knowing there is a gap. */
  informedChoice: z.boolean().optional(),
});
export const ReviewPayload = z.strictObject({
  outcome: z.enum(['continue', 'goals_met', 'needs_long_term_support']),
  /** As many as the assessment's summary holds of the person's goals. */
  goals: z.array(z.string().min(1).max(200)).max(20).default([]),
  notes: Notes,
  /**
   * The transition plan: needs that remain once intermediate care ends, handed over to the
   * services that take over (e.g. domiciliary-care to social care, district-nursing to community
   * health, chc-assessment to the continuing-healthcare team). [] says none remain.
   */
  remainingNeeds: listOf(Service).optional(),
});
export const ReadmissionPayload = z.strictObject({
  newAdmissionId: AdmissionId,
  admittedOn: IsoDate,
  emergency: z.boolean().default(true),
});
/**
 * The named lead ("one professional will take the lead role"; key or link workers): for the whole
 * pathway or for its intermediate-care episode, shown to agencies as a role and team to contact.
 */
export const LeadProfessionalPayload = z.strictObject({
  scope: z.enum(['pathway', 'intermediate-care']),
  role: ProfessionalRole,
  /** The team to contact, e.g. "Leeds discharge hub" (a team, not a person). */
  team: PlaceName,
  /** The team's number, which the patient and carer are told to call (a team's, never a person's). */
  phone: Phone.optional(),
});
/**
 * Rules 6: the discharge team keeps intermediate care going to `until` rather than hand over now
 * (after a declined handover, the choice besides re-referring): the handover under way stops, its
 * live referrals are withdrawn, and the episode hands over again when it reaches `until`.
 */
export const ExtendEpisodePayload = z.strictObject({
  until: IsoDate,
  reason: z.enum(['handover_declined', 'awaiting_long_term_service', 'rehabilitation_continuing']),
});
/** Funding agreed for a referral's service, replacing what Homeward assumed from the service. */
export const FundingPayload = Funding.extend({ referralId: z.string().min(1) });
/** An attendance at A&E (emergency treatment without admission) during the 30-day watch: the trust's duty covers it too. */
export const EmergencyAttendancePayload = z.strictObject({ attendedOn: IsoDate });
export const CancelPayload = z.strictObject({
  reason: z.enum(['died', 'self_discharged', 'transferred', 'admission_cancelled', 'other']),
});

/**
 * What the agencies that deliver the care write back (issue 24), each naming the agency that acts
 * (its token or its responses topic says which, never the message): an agency acts only on its own
 * referral, or on the intermediate-care episode it provides.
 */
/** The person's needs now, as a review finds them: the parts of the assessment's summary (goals apart). */
export const NeedsNow = AssessmentSummary.omit({ goals: true });
/** The intermediate-care provider's review: as the hospital's, with the person's needs now. Goals met with none remaining ends the episode early. */
export const EpisodeReviewPayload = ReviewPayload.extend({ agency: Agency, needsNow: NeedsNow.optional() });
/** The provider proposes the transition plan: the needs that remain when the episode ends ([] = none). */
export const TransitionPlanPayload = z.strictObject({ agency: Agency, remainingNeeds: listOf(Service), notes: Notes });
/** Social care's financial assessment and funding decision for its referral: who pays, on what terms, from when. */
export const FundingDecisionPayload = Funding.extend({ referralId: z.string().min(1), agency: Agency });
/** The support a referral arranged started on a day. */
export const SupportStartedPayload = z.strictObject({
  referralId: z.string().min(1),
  agency: Agency,
  startedOn: IsoDate,
});
/** A provider moves the day its support (ready) starts, before it has started: the patient and carer are told. */
export const StartDateMovedPayload = z.strictObject({
  referralId: z.string().min(1),
  agency: Agency,
  readyFrom: IsoDate,
});
/** Why a first visit did not happen. */
export const MissedVisitReason = z.enum([
  'no_access',
  'patient_declined',
  'patient_not_home',
  'staff_unavailable',
  'other',
]);
/** The support did not start as planned (a missed first visit): the discharge team is told the same day. */
export const SupportNotStartedPayload = z.strictObject({
  referralId: z.string().min(1),
  agency: Agency,
  dueOn: IsoDate,
  reason: MissedVisitReason,
});
/** Housing's outcome for its referral: accommodation secured, adaptations done, or the relief duty accepted. */
export const HousingOutcome = z.enum(['accommodation_secured', 'adaptations_done', 'relief_duty_accepted']);
export const HousingOutcomePayload = z.strictObject({
  referralId: z.string().min(1),
  agency: Agency,
  outcome: HousingOutcome,
  on: IsoDate,
});

/** How a carer is related to the patient, as the plan tells it ("Your daughter can see this plan"). */
export const CarerRelationship = z.enum([
  'wife',
  'husband',
  'partner',
  'daughter',
  'son',
  'mother',
  'father',
  'sister',
  'brother',
  'relative',
  'friend',
  'neighbour',
]);
const CarerAccessGiver = ConsentGiver.exclude(['carer']);
/** The keyed hash of a person's NHS number (config/patient-key.ts): who they are, without the number. */
export const PersonKey = z.string().regex(/^[0-9a-f]{40}$/, 'a keyed hash of an NHS number (40 hex digits)');
/**
 * The patient agreed that their carer may see the plan (proxy access), as the discharge team records
 * it over HTTP: with the carer's own NHS number, which the application turns into its keyed hash
 * (`CarerAccessPayload`) before the pathway sees it, so no pathway holds the number.
 */
export const CarerAccessRequest = z.strictObject({
  nhsNumber: NhsNumber,
  relationship: CarerRelationship,
  givenBy: CarerAccessGiver.optional(),
});
export const CarerAccessPayload = z.strictObject({
  carerKey: PersonKey,
  relationship: CarerRelationship,
  givenBy: CarerAccessGiver.optional(),
});
/** The patient (or the discharge team, at their word) ends a carer's access. */
export const CarerAccessRevokedPayload = z.strictObject({
  accessId: z.string().regex(/^carer-\d{1,4}$/, 'a carer access id, like carer-1'),
});
/** The patient's accessible-information needs (NHS Accessible Information Standard), carried on every message to them. */
export const AccessibleFormat = z.enum(['large-print', 'easy-read', 'braille', 'audio', 'bsl']);
export const AccessibleInformationPayload = z.strictObject({
  formats: listOf(AccessibleFormat),
  /** A language other than English, as an IETF tag (`pl`, `ur`, `cy`). */
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, 'a language tag, like pl or pt-BR')
    .optional(),
});

/** Payloads (without `type` and `at`) of the commands a person or an agency gives, by their HTTP/CLI/Update name. */
export const commandSchemas = {
  'expected-discharge-date': ExpectedDischargeDatePayload,
  'discharge-ready': DischargeReadyPayload,
  'criteria-to-reside-met': CriteriaToResideMetPayload,
  assessment: AssessmentPayload,
  consent: ConsentPayload,
  carer: CarerPayload,
  capacity: CapacityPayload,
  'housing-status': HousingStatusPayload,
  referral: ReferralPayload,
  'referral-response': ReferralResponsePayload,
  'delay-reason': DelayReasonPayload,
  'delay-reason-resolved': DelayReasonResolvedPayload,
  discharge: DischargePayload,
  review: ReviewPayload,
  readmission: ReadmissionPayload,
  'emergency-attendance': EmergencyAttendancePayload,
  'lead-professional': LeadProfessionalPayload,
  'extend-episode': ExtendEpisodePayload,
  funding: FundingPayload,
  cancel: CancelPayload,
  'episode-review': EpisodeReviewPayload,
  'transition-plan': TransitionPlanPayload,
  'funding-decision': FundingDecisionPayload,
  'support-started': SupportStartedPayload,
  'support-not-started': SupportNotStartedPayload,
  'housing-outcome': HousingOutcomePayload,
  'start-date-moved': StartDateMovedPayload,
  'carer-access': CarerAccessPayload,
  'carer-access-revoked': CarerAccessRevokedPayload,
  'accessible-information': AccessibleInformationPayload,
} as const;

/**
 * What a caller sends for each command over HTTP and the CLI: the command's payload, but for
 * `carer-access`, which names the carer by their NHS number (the application hashes it).
 */
export const requestSchemas: { [K in CommandName]: z.ZodObject } = {
  ...commandSchemas,
  'carer-access': CarerAccessRequest,
};

/** The commands an agency writes back with, over HTTP and on its responses topic (besides answering its referrals). */
export const agencyWriteBackCommands = [
  'episode-review',
  'transition-plan',
  'funding-decision',
  'support-started',
  'support-not-started',
  'housing-outcome',
  'start-date-moved',
] as const;
export type AgencyWriteBackCommand = (typeof agencyWriteBackCommands)[number];

export type CommandName = keyof typeof commandSchemas;
export const commandNames = Object.keys(commandSchemas) as CommandName[];

/** A command as the decider takes it: the payload plus its `type` (the command name) and `at`. */
const command = <T extends string, S extends z.ZodObject>(type: T, payload: S) =>
  payload.extend({ type: z.literal(type), at: IsoTimestamp });

/**
 * A package the previous stay's pathway put on hold at the readmission that started this one:
 * Homeward reads them from that pathway (a caller never gives them), and this pathway's joint
 * assessment resumes or releases each (rules 4).
 */
export const HeldPackage = z.strictObject({ referralId: z.string().min(1), service: Service, agency: Agency });
/** The start as the decider takes it: the caller's payload, and the packages held for this stay. */
export const StartCommandPayload = StartPayload.extend({ heldPackages: z.array(HeldPackage).max(50).optional() });
export const StartCommand = command('start', StartCommandPayload);
/** Internal: the workflow's timer fired. Never exposed over HTTP. */
export const TickCommand = z.strictObject({ type: z.literal('tick'), at: IsoTimestamp });
export const ExpectedDischargeDateCommand = command('expected-discharge-date', ExpectedDischargeDatePayload);
export const DischargeReadyCommand = command('discharge-ready', DischargeReadyPayload);
export const CriteriaToResideMetCommand = command('criteria-to-reside-met', CriteriaToResideMetPayload);
export const AssessmentCommand = command('assessment', AssessmentPayload);
export const ConsentCommand = command('consent', ConsentPayload);
export const CarerCommand = command('carer', CarerPayload);
export const CapacityCommand = command('capacity', CapacityPayload);
export const HousingStatusCommand = command('housing-status', HousingStatusPayload);
export const ReferralCommand = command('referral', ReferralPayload);
export const ReferralResponseCommand = command('referral-response', ReferralResponsePayload);
export const DelayReasonCommand = command('delay-reason', DelayReasonPayload);
export const DelayReasonResolvedCommand = command('delay-reason-resolved', DelayReasonResolvedPayload);
export const DischargeCommand = command('discharge', DischargePayload);
export const ReviewCommand = command('review', ReviewPayload);
export const ReadmissionCommand = command('readmission', ReadmissionPayload);
export const EmergencyAttendanceCommand = command('emergency-attendance', EmergencyAttendancePayload);
export const LeadProfessionalCommand = command('lead-professional', LeadProfessionalPayload);
export const ExtendEpisodeCommand = command('extend-episode', ExtendEpisodePayload);
export const FundingCommand = command('funding', FundingPayload);
export const CancelCommand = command('cancel', CancelPayload);
export const EpisodeReviewCommand = command('episode-review', EpisodeReviewPayload);
export const TransitionPlanCommand = command('transition-plan', TransitionPlanPayload);
export const FundingDecisionCommand = command('funding-decision', FundingDecisionPayload);
export const SupportStartedCommand = command('support-started', SupportStartedPayload);
export const SupportNotStartedCommand = command('support-not-started', SupportNotStartedPayload);
export const HousingOutcomeCommand = command('housing-outcome', HousingOutcomePayload);
export const StartDateMovedCommand = command('start-date-moved', StartDateMovedPayload);
export const CarerAccessCommand = command('carer-access', CarerAccessPayload);
export const CarerAccessRevokedCommand = command('carer-access-revoked', CarerAccessRevokedPayload);
export const AccessibleInformationCommand = command('accessible-information', AccessibleInformationPayload);

export const PathwayCommand = z.discriminatedUnion('type', [
  StartCommand,
  TickCommand,
  ExpectedDischargeDateCommand,
  DischargeReadyCommand,
  CriteriaToResideMetCommand,
  AssessmentCommand,
  ConsentCommand,
  CarerCommand,
  CapacityCommand,
  HousingStatusCommand,
  ReferralCommand,
  ReferralResponseCommand,
  DelayReasonCommand,
  DelayReasonResolvedCommand,
  DischargeCommand,
  ReviewCommand,
  ReadmissionCommand,
  EmergencyAttendanceCommand,
  LeadProfessionalCommand,
  ExtendEpisodeCommand,
  FundingCommand,
  CancelCommand,
  EpisodeReviewCommand,
  TransitionPlanCommand,
  FundingDecisionCommand,
  SupportStartedCommand,
  SupportNotStartedCommand,
  HousingOutcomeCommand,
  StartDateMovedCommand,
  CarerAccessCommand,
  CarerAccessRevokedCommand,
  AccessibleInformationCommand,
]);

/** An empty payload schema infers as Record<string, never>, which no stamped command satisfies: treat it as {}. */
type Payload<S extends z.ZodObject> = string extends keyof z.output<S> ? object : z.output<S>;
type Stamped<T extends string, S extends z.ZodObject> = Payload<S> & { type: T; at: string };

export type StartCommand = Stamped<'start', typeof StartCommandPayload>;
export type TickCommand = { type: 'tick'; at: string };
export type NamedCommand = { [K in CommandName]: Stamped<K, (typeof commandSchemas)[K]> }[CommandName];
export type PathwayCommand = StartCommand | TickCommand | NamedCommand;
export type CommandOf<T extends PathwayCommand['type']> = Extract<PathwayCommand, { type: T }>;
export type StartPayload = z.output<typeof StartPayload>;
