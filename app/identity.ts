import { Actor, StaffRole } from '../schemas/actor';
import { Agency } from '../schemas/common';
import { forbidden } from './errors';

export interface ClaimSettings {
  rolesClaim: string;
  roleMap: Record<string, string>;
  sitesClaim: string;
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
  return values.flatMap((value) => (Array.isArray(value) ? value : [value])).filter((value): value is string => typeof value === 'string');
}

/** Most privileged first: a token carrying several Homeward roles acts as the first one here. */
const precedence = ['discharge-team', 'manager'] as const;

/**
 * The actor a verified token speaks for. Roles come from the configured claim, optionally
 * mapped (a trust maps its identity provider's role or activity codes to Homeward's roles).
 */
export function actorFromClaims(claims: Record<string, unknown>, settings: ClaimSettings): Actor {
  const subject = typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub.slice(0, 200) : undefined;
  if (!subject) throw forbidden('a Homeward role', 'the token has no subject (sub)');
  const roles = new Set(claimValues(claims, settings.rolesClaim).map((value) => settings.roleMap[value] ?? value));
  const staff = precedence.find((role) => roles.has(role));
  const sitesClaimed = claimValues(claims, settings.sitesClaim);
  const sites = sitesClaimed.length > 0 ? [...new Set(sitesClaimed)].slice(0, 50) : undefined;
  if (staff) return Actor.parse({ subject, role: StaffRole.parse(staff), ...(sites ? { sites } : {}) });
  const agency = [...roles].map((role) => /^agency:(.+)$/.exec(role)?.[1]).find((name) => Agency.safeParse(name).success);
  if (agency) return Actor.parse({ subject, role: 'agency', agency });
  throw forbidden('a Homeward role', `the token's ${settings.rolesClaim} claim names none of discharge-team, manager, agency:<agency>`);
}
