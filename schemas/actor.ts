import { z } from 'zod';
import { Agency } from './common';

/** Homeward's roles, as a token's roles claim names them (an agency's as `agency:<agency>`). */
export const StaffRole = z.enum(['discharge-team', 'manager']);
export type StaffRole = z.infer<typeof StaffRole>;

/**
 * Who gave a command, recorded beside every event it produced: the trust's audit trail.
 * `system` actors are Homeward's own timers and the hospital's ADT feed.
 */
export const Actor = z.object({
  /** The token's `sub` (a member of staff, or an agency's system); `timer` / `adt` for system actors. */
  subject: z.string().min(1).max(200),
  role: z.enum(['discharge-team', 'manager', 'agency', 'system']),
  agency: Agency.optional(),
  /** Sites a site-limited member of staff may act on; absent = every site. */
  sites: z.array(z.string().min(1).max(64)).max(50).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const timerActor: Actor = { subject: 'timer', role: 'system' };
export const adtActor: Actor = { subject: 'adt', role: 'system' };

/** What an agency topic may say about who acted: the role and agency, never a person. */
export const publicActor = (actor: Actor): Pick<Actor, 'role' | 'agency'> => ({ role: actor.role, ...(actor.agency ? { agency: actor.agency } : {}) });
