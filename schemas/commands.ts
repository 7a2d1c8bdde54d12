import { z } from 'zod';
import { Agency, DelayReasonCode, Destination, DischargePathwayCode, IsoDate, IsoTimestamp, Patient, Region, Service } from './common';

export const AdmissionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - only, at most 64');

/** Who gave the command: kept on the event for audit. */
const By = z.object({ agency: Agency, user: z.string().min(1).max(100).optional() }).optional();

export const StartPayload = z.object({
  admissionId: AdmissionId,
  patient: Patient,
  site: z.string().min(1).max(64),
  localAuthority: z.string().min(1).max(64),
  region: Region.optional(),
  admittedAt: IsoTimestamp,
  expectedDischargeDate: IsoDate.optional(),
  /** Agencies the patient agreed to share information with, if known at admission. */
  consents: z.array(Agency).default([]),
  /** The pathway whose readmission started this one. */
  previousPathwayId: z.string().min(1).optional(),
  by: By,
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

/** Payloads of the commands a person or an agency gives, by their HTTP/CLI/Update name. */
export const commandSchemas = {
  'expected-discharge-date': z.object({ date: IsoDate, by: By }),
  'discharge-ready': z.object({ date: IsoDate, by: By }),
  'criteria-to-reside-met': z.object({ by: By }),
  assessment: z.object({
    participants: z.array(z.object({ role: ParticipantRole })).min(1),
    pathway: DischargePathwayCode,
    needs: z.array(Service).default([]),
    consents: z.array(Agency).default([]),
    by: By,
  }),
  consent: z.object({ agency: Agency, given: z.boolean(), by: By }),
  referral: z.object({ service: Service, reason: z.enum(['re-referral', 'changed-plan', 'additional-need']).default('re-referral'), by: By }),
  'referral-response': z.object({
    referralId: z.string().min(1),
    agency: Agency,
    response: z.enum(['accepted', 'declined', 'ready']),
    reason: z.string().min(1).max(200).optional(),
    readyFrom: IsoDate.optional(),
    by: By,
  }),
  'delay-reason': z.object({ code: DelayReasonCode, agency: Agency, by: By }),
  'delay-reason-resolved': z.object({ code: DelayReasonCode, agency: Agency, by: By }),
  discharge: z.object({ date: IsoDate, destination: Destination, by: By }),
  review: z.object({
    outcome: z.enum(['continue', 'goals_met', 'needs_long_term_support']),
    goals: z.array(z.string().min(1).max(200)).default([]),
    by: By,
  }),
  readmission: z.object({ newAdmissionId: AdmissionId, admittedOn: IsoDate, emergency: z.boolean().default(true), by: By }),
  cancel: z.object({ reason: z.enum(['died', 'self_discharged', 'transferred', 'admission_cancelled', 'other']), by: By }),
} as const;

export type CommandName = keyof typeof commandSchemas;
export const commandNames = Object.keys(commandSchemas) as CommandName[];
/** Command `type`s are the command names themselves. */
export const commandTypeOf = Object.fromEntries(commandNames.map((n) => [n, n])) as { [K in CommandName]: K };

type Stamped<T extends string, S extends z.ZodObject> = z.output<S> & { type: T; at: string };

export type StartCommand = Stamped<'start', typeof StartPayload>;
export type TickCommand = { type: 'tick'; at: string };
export type NamedCommand = { [K in CommandName]: Stamped<K, (typeof commandSchemas)[K]> }[CommandName];
export type PathwayCommand = StartCommand | TickCommand | NamedCommand;
export type CommandOf<T extends PathwayCommand['type']> = Extract<PathwayCommand, { type: T }>;
export type StartPayload = z.output<typeof StartPayload>;
