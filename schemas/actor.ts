import { z } from 'zod';
import { Agency } from './common';

/** Homeward's roles, as a token's roles claim names them (an agency's as `agency:<agency>`). */
export const StaffRole = z.enum(['discharge-team', 'manager']);
export type StaffRole = z.infer<typeof StaffRole>;
/** The people a pathway is for, who read their own plan (domain.md: patient and carer). */
export const PersonRole = z.enum(['patient', 'carer']);
export type PersonRole = z.infer<typeof PersonRole>;
/** NHS login's claim for the person's own NHS number (a patient's, or a carer's: their own, never the patient's). */
export const nhsNumberClaim = 'nhs_number';

/**
 * Who gave a command, recorded beside every event it produced: the trust's audit trail.
 * `system` actors are Homeward's own timers and the hospital's ADT feed.
 */
export const Actor = z.object({
  /** The token's `sub` (a member of staff, or an agency's system); `timer` / `adt` for system actors. */
  subject: z.string().min(1).max(200),
  role: z.enum(['discharge-team', 'manager', 'agency', 'system', 'patient', 'carer']),
  agency: Agency.optional(),
  /**
   * A patient or carer: the keyed hash of their own NHS number (config/patient-key.ts), from the
   * token's NHS number claim. The number itself is never kept: the hash binds a patient to their
   * pathways (Temporal's PatientKey) and a carer to the access the discharge team recorded.
   */
  personKey: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  /** Sites a site-limited member of staff may act on; absent = every site. */
  sites: z.array(z.string().min(1).max(64)).max(50).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const timerActor: Actor = { subject: 'timer', role: 'system' };
export const adtActor: Actor = { subject: 'adt', role: 'system' };

/** What an agency topic may say about who acted: the role and agency, never a person. */
export const publicActor = (actor: Actor): Pick<Actor, 'role' | 'agency'> => ({
  role: actor.role,
  ...(actor.agency ? { agency: actor.agency } : {}),
});
