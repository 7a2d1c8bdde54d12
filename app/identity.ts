import { patientKey } from '../config/patient-key';
import { Actor, nhsNumberClaim } from '../schemas/actor';
import { Agency, NhsNumber, PlaceName } from '../schemas/common';
import { forbidden, unauthenticated } from './errors';

export interface ClaimSettings {
  rolesClaim: string;
  roleMap: Record<string, string>;
  sitesClaim: string;
  /** Key of the NHS-number hash (HOMEWARD_PATIENT_KEY_SECRET); without it, no patient or carer token is accepted. */
  patientKeySecret?: string;
}

/** A claim by dotted path; arrays met on the way are flattened, so `roles.code` reads every role's code. */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let values: unknown[] = [claims];
  for (const segment of path.split('.')) {
    values = values
      .flatMap((value) => (Array.isArray(value) ? value : [value]))
      .map((value) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined))
      .filter((value) => value !== undefined);
  }
  return values
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === 'string');
}

/** As many sites as an actor records (schemas/actor.ts). */
const maxSites = 50;

/**
 * The sites claim, read strictly because it narrows what a token may see: absent (the role's whole
 * scope), or site codes all the way down. Anything else — an empty list, a value that is not a site
 * code, a path that stops half way — refuses the token: dropping the odd value would widen the
 * limit, and an empty limit would lift it. Through arrays (`nhsid_nrbac_roles.org_code`) each leaf
 * may be one code; otherwise the claim must be a list.
 */
export function sitesFromClaims(claims: Record<string, unknown>, path: string): string[] | undefined {
  const segments = path.split('.');
  if (claims[segments[0]] === undefined) return undefined;
  const malformed = () =>
    unauthenticated(`Token claim ${path} must be a non-empty list of at most ${maxSites} site codes`);
  let values: unknown[] = [claims];
  let throughArray = false;
  for (const segment of segments) {
    if (values.some(Array.isArray)) throughArray = true;
    values = values
      .flatMap((value) => (Array.isArray(value) ? value : [value]))
      .map((value) => {
        const next = value && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
        if (next === undefined) throw malformed();
        return next;
      });
  }
  const sites = values.flatMap((leaf) => {
    if (Array.isArray(leaf) && leaf.length > 0) return leaf as unknown[];
    if (throughArray && !Array.isArray(leaf)) return [leaf];
    throw malformed();
  });
  if (sites.length === 0 || !sites.every((site) => PlaceName.safeParse(site).success)) throw malformed();
  const distinct = [...new Set(sites as string[])];
  if (distinct.length > maxSites) throw malformed();
  return distinct;
}

type HomewardRole = 'discharge-team' | 'manager' | 'patient' | 'carer' | `agency:${Agency}`;
const isHomewardRole = (role: string): role is HomewardRole =>
  ['discharge-team', 'manager', 'patient', 'carer'].includes(role) ||
  Agency.safeParse(/^agency:(.+)$/.exec(role)?.[1]).success;

/**
 * A patient or carer is who their NHS number says: the claim is checked (modulus 11) and kept only
 * as its keyed hash, the same one that matches ADT messages to pathways. Which pathway that opens
 * is the application's question (app/my-plan.ts), asked afresh on every request.
 */
function personKeyFromClaims(claims: Record<string, unknown>, role: string, secret: string | undefined): string {
  if (!secret)
    throw forbidden(
      'a Homeward role',
      `this deployment binds no ${role} tokens (HOMEWARD_PATIENT_KEY_SECRET is not set)`,
    );
  const number = NhsNumber.safeParse(claims[nhsNumberClaim]);
  if (!number.success)
    throw unauthenticated(
      `Token claim ${nhsNumberClaim} must be the ${role}'s NHS number (10 digits with a modulus-11 check digit)`,
    );
  return patientKey(number.data, secret);
}

/**
 * The actor a verified token speaks for. Roles come from the configured claim, optionally
 * mapped (a trust maps its identity provider's role or activity codes to Homeward's roles); values
 * that are not Homeward roles are ignored. A token must name exactly one Homeward role: with
 * several, no rule of ours can know which one its holder means to act as, and the audit trail
 * records one.
 */
export function actorFromClaims(claims: Record<string, unknown>, settings: ClaimSettings): Actor {
  const subject = typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub.slice(0, 200) : undefined;
  if (!subject) throw forbidden('a Homeward role', 'the token has no subject (sub)');
  const sites = sitesFromClaims(claims, settings.sitesClaim);
  const roles = [...new Set(claimValues(claims, settings.rolesClaim).map((value) => settings.roleMap[value] ?? value))]
    .filter(isHomewardRole)
    .sort();
  if (roles.length === 0)
    throw forbidden(
      'a Homeward role',
      `the token's ${settings.rolesClaim} claim names none of discharge-team, manager, agency:<agency>, patient, carer`,
    );
  if (roles.length > 1)
    throw forbidden(
      'exactly one Homeward role',
      `the token's ${settings.rolesClaim} claim names several (${roles.join(', ')})`,
    );
  const [role] = roles;
  if (role === 'discharge-team' || role === 'manager') return { subject, role, ...(sites ? { sites } : {}) };
  if (role === 'patient' || role === 'carer')
    return { subject, role, personKey: personKeyFromClaims(claims, role, settings.patientKeySecret) };
  return { subject, role: 'agency', agency: Agency.parse(role.slice('agency:'.length)) };
}
