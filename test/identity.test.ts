import { describe, expect, it } from 'vitest';
import { actorFromClaims, claimValues } from '../app/identity';
import { can, visibility } from '../app/permissions';
import { AppError } from '../app/errors';

const settings = { rolesClaim: 'roles', roleMap: {}, sitesClaim: 'sites' };

describe('a token’s claims as an actor', () => {
  it('takes roles and sites from the configured claims', () => {
    expect(actorFromClaims({ sub: 'u1', roles: ['manager'], sites: ['LEEDS-GEN', 'LEEDS-GEN'] }, settings)).toEqual({ subject: 'u1', role: 'manager', sites: ['LEEDS-GEN'] });
    expect(actorFromClaims({ sub: 'svc', roles: ['agency:housing'] }, settings)).toEqual({ subject: 'svc', role: 'agency', agency: 'housing' });
    // The most privileged staff role wins; an agency token never carries site limits.
    expect(actorFromClaims({ sub: 'u2', roles: ['manager', 'discharge-team'] }, settings).role).toBe('discharge-team');
  });

  it('maps an identity provider’s own codes (CIS2 national RBAC) through a nested claim', () => {
    const cis2 = {
      sub: '555021935107',
      nhsid_nrbac_roles: [
        { person_roleid: '1', org_code: 'RR8', role_code: 'S8000:G8000:R8001', activity_codes: ['B0360', 'B0068'] },
        { person_roleid: '2', org_code: 'RR8', role_code: 'S8000:G8000:R8003', activity_codes: ['B0157'] },
      ],
    };
    expect(claimValues(cis2, 'nhsid_nrbac_roles.activity_codes')).toEqual(['B0360', 'B0068', 'B0157']);
    const mapped = { rolesClaim: 'nhsid_nrbac_roles.activity_codes', roleMap: { B0157: 'manager' }, sitesClaim: 'nhsid_nrbac_roles.org_code' };
    expect(actorFromClaims(cis2, mapped)).toEqual({ subject: '555021935107', role: 'manager', sites: ['RR8'] });
  });

  it('refuses a token with no Homeward role, an unknown agency or no subject, naming what is missing', () => {
    const refusal = (claims: Record<string, unknown>) => {
      try {
        actorFromClaims(claims, settings);
      } catch (error) {
        return error instanceof AppError ? `${error.kind}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal({ sub: 'u', roles: ['porter'] })).toMatch(/^forbidden: .*roles claim names none of/);
    expect(refusal({ sub: 'u', roles: ['agency:plumbers'] })).toMatch(/^forbidden: /);
    expect(refusal({ roles: ['manager'] })).toMatch(/^forbidden: .*no subject/);
    expect(refusal({ sub: 'u', roles: 'manager' })).toBe('accepted');
  });
});

describe('the rules', () => {
  const team = { subject: 't', role: 'discharge-team' as const };
  const manager = { subject: 'm', role: 'manager' as const, sites: ['A'] };
  const housing = { subject: 'h', role: 'agency' as const, agency: 'housing' as const };
  const adt = { subject: 'adt', role: 'system' as const };
  const timer = { subject: 'timer', role: 'system' as const };

  it('grants each role its own permissions only', () => {
    expect(can(team, 'command:cancel')).toBe(true);
    expect(can(manager, 'command:cancel')).toBe(false);
    expect(can(manager, 'reports:read')).toBe(true);
    expect(can(housing, 'command:referral-response')).toBe(true);
    expect(can(housing, 'command:cancel')).toBe(false);
    // Its own minimised list (read-model.test.ts), never the managers' reports.
    expect(can(housing, 'pathways:list')).toBe(true);
    expect(can(housing, 'reports:read')).toBe(false);
    expect(can(adt, 'command:discharge')).toBe(true);
    expect(can(adt, 'command:assessment')).toBe(false);
    expect(can(timer, 'pathway:read')).toBe(false);
  });

  it('shows a pathway in full, as an agency’s view, or not at all', () => {
    expect(visibility(manager, { site: 'A', referralAgencies: [] })).toEqual({ kind: 'full' });
    expect(visibility(manager, { site: 'B', referralAgencies: [] })).toEqual({ kind: 'none' });
    expect(visibility(housing, { site: 'A', referralAgencies: ['housing'] })).toEqual({ kind: 'agency', agency: 'housing' });
    expect(visibility(housing, { site: 'A', referralAgencies: ['equipment'] })).toEqual({ kind: 'none' });
    expect(visibility(timer, { site: 'A', referralAgencies: ['housing'] })).toEqual({ kind: 'none' });
  });
});
