import type { Actor } from '../schemas/actor';
import type { Agency } from '../schemas/common';
import { agencyWriteBackCommands, commandNames, type CommandName } from '../schemas/commands';
import { forbidden } from './errors';

/**
 * The authorisation rules, in one place: HTTP, the CLI (through HTTP) and the Kafka bridges
 * all reach pathways through the use cases, which check these.
 */
export type Permission =
  | 'pathway:start'
  | 'pathway:read'
  | 'pathways:list'
  | 'reports:read'
  | `command:${CommandName}`
  | 'plan:read'
  | 'plan:withdraw-consent'
  | 'plan:revoke-carer-access';

const everyCommand = commandNames.map((name) => `command:${name}` as const);

/** Grants by role; system actors by subject (the ADT feed; timers act inside the workflow and need none). */
export const grants: Record<string, readonly Permission[]> = {
  'discharge-team': ['pathway:start', 'pathway:read', 'pathways:list', 'reports:read', ...everyCommand],
  manager: ['pathway:read', 'pathways:list', 'reports:read'],
  // An agency reads and lists (minimised, only pathways it is referred on), answers its own
  // referrals, says why it is holding a discharge up, and writes back what it does for its own
  // referrals and episode (the rules refuse another's); nothing else.
  agency: [
    'pathway:read',
    'pathways:list',
    'command:referral-response',
    'command:delay-reason',
    ...agencyWriteBackCommands.map((name) => `command:${name}` as const),
  ],
  // The people the pathway is for read their own plan only (app/my-plan.ts binds it), never a
  // pathway by id; the patient may withdraw a consent and end a carer's access, and nothing else.
  patient: ['plan:read', 'plan:withdraw-consent', 'plan:revoke-carer-access'],
  carer: ['plan:read'],
  'system:adt': ['pathway:start', 'pathway:read', 'command:discharge', 'command:cancel', 'command:readmission'],
};

const grantsOf = (actor: Actor) => grants[actor.role === 'system' ? `system:${actor.subject}` : actor.role] ?? [];

export function can(actor: Actor, permission: Permission): boolean {
  return grantsOf(actor).includes(permission);
}

export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission))
    throw forbidden(permission, `role ${actor.role}${actor.agency ? ` (${actor.agency})` : ''} does not have it`);
}

/** What part of a pathway an actor may see: all of it, an agency's minimised view, or nothing. */
export type Visibility = { kind: 'full' } | { kind: 'agency'; agency: Agency } | { kind: 'none' };

/** `agencies`: those referred on the pathway or sent any of its events (the GP by its discharge summary). */
export function visibility(actor: Actor, pathway: { site: string; agencies: Agency[] }): Visibility {
  if (!can(actor, 'pathway:read')) return { kind: 'none' };
  if (actor.role === 'agency') {
    return actor.agency && pathway.agencies.includes(actor.agency)
      ? { kind: 'agency', agency: actor.agency }
      : { kind: 'none' };
  }
  return mayActOnSite(actor, pathway.site) ? { kind: 'full' } : { kind: 'none' };
}

/** A site-limited member of staff acts only on their own sites. */
export const mayActOnSite = (actor: Actor, site: string) => actor.sites === undefined || actor.sites.includes(site);
