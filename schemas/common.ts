import { z } from 'zod';

/** NHS number check: 10 digits, modulus 11 over the first nine with weights 10..2. */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  const sum = [...value.slice(0, 9)].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(value[9]);
}

/** Spaces are allowed as people write them (943 476 5870); the value is never echoed in errors. */
export const NhsNumber = z
  .string()
  .transform((value) => value.replace(/\s+/g, ''))
  .refine(isValidNhsNumber, { message: 'not a valid NHS number (10 digits with a modulus-11 check digit)' });

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'not a real calendar date');

export const IsoTimestamp = z.iso.datetime({ offset: true });

export const Agency = z.enum([
  'acute-trust',
  'social-care',
  'community-health',
  'intermediate-care',
  'equipment',
  'housing',
  'gp',
  'voluntary',
  'care-home',
]);
export type Agency = z.infer<typeof Agency>;

export const DischargePathwayCode = z.enum(['P0', 'P1', 'P2', 'P3']);
export type DischargePathwayCode = z.infer<typeof DischargePathwayCode>;

export const Stage = z.enum([
  'admitted',
  'assessment',
  'arranging',
  'ready_for_discharge',
  'discharged',
  'intermediate_care',
  'readmission_watch',
  'handed_back',
  'readmitted',
  'cancelled',
]);
export type Stage = z.infer<typeof Stage>;
export const closedStages: readonly Stage[] = ['handed_back', 'readmitted', 'cancelled'];

export const Service = z.enum([
  'domiciliary-care',
  'reablement',
  'rehabilitation-at-home',
  'district-nursing',
  'therapy',
  'equipment',
  'minor-adaptations',
  'major-adaptations',
  'housing',
  'step-down-bed',
  'care-home-placement',
  'home-from-hospital',
  'chc-assessment',
  'welfare-check',
  'carers-assessment',
]);
export type Service = z.infer<typeof Service>;

/** Which agency provides each service: a referral goes to that agency. */
export const serviceAgency: Record<Service, Agency> = {
  'domiciliary-care': 'social-care',
  reablement: 'intermediate-care',
  'rehabilitation-at-home': 'intermediate-care',
  'district-nursing': 'community-health',
  therapy: 'community-health',
  equipment: 'equipment',
  'minor-adaptations': 'equipment',
  'major-adaptations': 'housing',
  housing: 'housing',
  'step-down-bed': 'intermediate-care',
  'care-home-placement': 'care-home',
  'home-from-hospital': 'voluntary',
  'chc-assessment': 'community-health',
  // A safety and welfare check on the day of discharge: community health, or the voluntary sector by policy.
  'welfare-check': 'community-health',
  // Care Act 2014 s.10: the local authority assesses a carer who accepts an assessment.
  'carers-assessment': 'social-care',
};

/**
 * Services that follow the person rather than hold their discharge: a referral for one is answered,
 * escalated and re-referred like any other, before and after the discharge, but never keeps the
 * patient in hospital and implies no delay reason (rules 4).
 */
export const FollowUpService = z.enum(['welfare-check', 'carers-assessment']);
export type FollowUpService = z.infer<typeof FollowUpService>;
export const isFollowUp = (service: Service): service is FollowUpService =>
  (FollowUpService.options as readonly string[]).includes(service);

/**
 * Intermediate care: free, time-limited services (reablement, rehabilitation at home, a step-down
 * bed) that start an episode with weekly reviews when they start. Every other service is a
 * package: ongoing home care (means-tested), district nursing, equipment … start no episode.
 */
export const IntermediateCareService = z.enum(['reablement', 'rehabilitation-at-home', 'step-down-bed']);
export type IntermediateCareService = z.infer<typeof IntermediateCareService>;
export const isIntermediateCare = (service: Service): service is IntermediateCareService =>
  (IntermediateCareService.options as readonly string[]).includes(service);

/**
 * NHS England discharge SitRep delay reasons, plus what Homeward derives beyond them: the consent
 * blocker, and awaiting housing for a person at risk of homelessness or whose home needs a move
 * (homeless_nrpf is for the homeless; adaptations are awaiting_equipment_adaptations).
 */
export const DelayReasonCode = z.enum([
  'awaiting_medical_decision',
  'awaiting_therapy_decision',
  'awaiting_referral_to_hub',
  'awaiting_hub_confirmation',
  'awaiting_diagnostics',
  'awaiting_medicines_tto',
  'awaiting_transport',
  'awaiting_equipment_adaptations',
  'awaiting_p1_resource',
  'awaiting_p2_bed',
  'awaiting_p3_bed',
  'family_not_in_agreement',
  'homeless_nrpf',
  'safeguarding_court_of_protection',
  'infection_control',
  'repatriation',
  'awaiting_chc_decision',
  'no_plan',
  'consent_required',
  'awaiting_housing',
]);
export type DelayReasonCode = z.infer<typeof DelayReasonCode>;

/** Where the person went. `other` is kept for destinations outside this list; death is a cancel reason, not a destination. */
export const Destination = z.enum([
  'usual-residence',
  'temporary-accommodation',
  'community-bed',
  'care-home',
  'other-trust',
  'other',
]);
export type Destination = z.infer<typeof Destination>;

export const HousingStatus = z.enum(['settled', 'at_risk_of_homelessness', 'homeless']);
export type HousingStatus = z.infer<typeof HousingStatus>;

/**
 * The home as the joint assessment found it: fine, needs adapting, or needs a move (relocation to a
 * more suitable home, "often under-supported and vulnerable to readmission"), and its tenure.
 */
export const Home = z.strictObject({
  suitability: z.enum(['suitable', 'needs_adaptation', 'needs_move']),
  tenure: z
    .enum(['owner_occupier', 'social_rent', 'private_rent', 'supported_housing', 'living_with_family', 'other'])
    .optional(),
});
export type Home = z.infer<typeof Home>;

export const Address = z.strictObject({
  line1: z.string().min(1),
  line2: z.string().min(1).optional(),
  town: z.string().min(1),
  postcode: z.string().regex(/^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, 'expected a UK postcode'),
});
export type Address = z.infer<typeof Address>;

/** A UK or international telephone number as people write it. */
export const Phone = z.string().regex(/^\+?[0-9][0-9 ()-]{5,19}$/, 'expected a telephone number');

export const Patient = z.strictObject({
  nhsNumber: NhsNumber,
  name: z.string().min(1).max(200),
  dateOfBirth: IsoDate.refine((date) => date <= new Date().toISOString().slice(0, 10), 'in the future').refine(
    (date) => date >= '1880-01-01',
    'before 1880',
  ),
  address: Address,
  housingStatus: HousingStatus.default('settled'),
  /** How to reach the person at home (or wherever they are): for the agencies that visit. */
  phone: Phone.optional(),
  /** GP practice code (ODS), so the discharge summary reaches the right practice. */
  gpPractice: z.string().min(1).optional(),
});
export type Patient = z.infer<typeof Patient>;

/**
 * An address of no fixed abode as the NHS writes it: the line "No fixed abode" and the
 * pseudo-postcode ZZ99 3VZ, in the town (local authority) the person is in.
 */
export const noFixedAbode = (town: string): Address => ({ line1: 'No fixed abode', town, postcode: 'ZZ99 3VZ' });

/**
 * The patient as admitted: a homeless patient may have no address (no fixed abode, recorded as
 * `noFixedAbode` at the start); everyone else has one.
 */
export const AdmittedPatient = Patient.extend({ address: Address.optional() }).refine(
  (patient) => patient.address !== undefined || patient.housingStatus === 'homeless',
  {
    path: ['address'],
    message:
      'required, unless the patient is homeless (housingStatus homeless: leave it out for no fixed abode, postcode ZZ99 3VZ)',
  },
);

const SummaryItems = z.array(z.string().min(1).max(500)).max(20).optional();

/**
 * The single assessment's summary, "carried out once, on behalf of all the health and social care
 * providers": each agency gets the parts it needs (schemas/data-minimisation.ts), with the patient's consent.
 */
export const AssessmentSummary = z.strictObject({
  /** What the person needs help with day to day (washing, dressing, meals, mobility). */
  functionalNeeds: SummaryItems,
  /** Risks to plan for (falls, pressure areas, living alone, self-neglect). */
  risks: SummaryItems,
  /** The person's own goals. */
  goals: SummaryItems,
  /** How to communicate with them (hearing, sight, language and interpreter, cognition). */
  communicationNeeds: SummaryItems,
  /** Clinical detail (medicines, wounds, continence): health and care providers only. */
  clinical: SummaryItems,
});
export type AssessmentSummary = z.infer<typeof AssessmentSummary>;

/**
 * Who pays for a service and on what terms: NHS services (district nursing, intermediate care run
 * by health, continuing healthcare) are free; council social care is means-tested (the person may
 * contribute or pay the full cost) after a financial assessment; a self-funder pays in full.
 */
export const Funding = z.strictObject({
  payer: z.enum(['nhs', 'council', 'continuing_healthcare', 'self_funded', 'voluntary']),
  charging: z.enum(['free', 'means_tested', 'full_cost']),
  financialAssessment: z.enum(['not_needed', 'pending', 'complete']),
  /** The day charges start (e.g. when free intermediate care hands over to means-tested care). */
  chargesFrom: IsoDate.optional(),
});
export type Funding = z.infer<typeof Funding>;

/**
 * The unpaid carer as a person: who they are and how to reach them (personal data, minimised per
 * agency like the patient's), whether they are willing and able to give the care the plan relies
 * on (often overnight), and whether they accepted the carer's assessment they were offered.
 */
export const Carer = z.strictObject({
  name: z.string().min(1).max(200),
  relationship: z.string().min(1).max(100).optional(),
  phone: Phone.optional(),
  willingAndAble: z.boolean(),
  carersAssessment: z.enum(['accepted', 'declined', 'not_offered']),
});
export type Carer = z.infer<typeof Carer>;

const placeCharacters = "\\p{L}\\p{N} ._'()&/";
const placeName = (pattern: string, message: string) =>
  z.string().min(1).max(64).regex(new RegExp(pattern, 'u'), message);

/** A site or local authority code as Homeward stores and filters it: printable and short (no NUL or control characters). */
export const PlaceName = placeName(`^[${placeCharacters}-]+$`, "letters, digits, spaces and . _ ' ( ) & / - only");

/**
 * A site or local authority a new pathway gives: as PlaceName, and not starting with `-`, which a
 * spreadsheet opening a report would run as a formula (`-SUM(2)`). One pattern (a second would not
 * survive the workflow's JSON Schema shape check). Stays started before may have such a name: the
 * filters take PlaceName, and the CSV reports write every such cell as text anyway.
 */
export const NewPlaceName = placeName(
  `^[${placeCharacters}][${placeCharacters}-]*$`,
  "letters, digits, spaces and . _ ' ( ) & / - only, not starting with - (a spreadsheet would read it as a formula)",
);

export const Region = z.enum(['england', 'scotland', 'wales']);
export type Region = z.infer<typeof Region>;
