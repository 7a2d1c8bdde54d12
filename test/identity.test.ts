import { describe, expect, it } from 'vitest';
import { actorFromClaims, claimValues, type ClaimSettings } from '../app/identity';
import { can, visibility } from '../app/permissions';
import { AppError } from '../app/errors';
import { patientKey } from '../config/patient-key';

const settings = { rolesClaim: 'roles', roleMap: {}, sitesClaim: 'sites' };

/** How actorFromClaims answers: the error's kind and message (the HTTP status follows from the kind), or `accepted`. */
function refusal(claims: Record<string, unknown>, claimSettings: ClaimSettings = settings): string {
  try {
    actorFromClaims(claims, claimSettings);
  } catch (error) {
    return error instanceof AppError ? `${error.kind}: ${error.message}` : String(error);
  }
  return 'accepted';
}

describe('a token’s claims as an actor', () => {
  it('takes roles and sites from the configured claims', () => {
    expect(actorFromClaims({ sub: 'u1', roles: ['manager'], sites: ['LEEDS-GEN', 'LEEDS-GEN'] }, settings)).toEqual({
      subject: 'u1',
      role: 'manager',
      sites: ['LEEDS-GEN'],
    });
    // An agency token never carries site limits; values that are not Homeward roles are ignored.
    expect(
      actorFromClaims({ sub: 'svc', roles: ['agency:housing', 'offline_access'], sites: ['LEEDS-GEN'] }, settings),
    ).toEqual({ subject: 'svc', role: 'agency', agency: 'housing' });
    expect(actorFromClaims({ sub: 'u2', roles: ['manager', 'manager'] }, settings)).toEqual({
      subject: 'u2',
      role: 'manager',
    });
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
    const mapped = {
      rolesClaim: 'nhsid_nrbac_roles.activity_codes',
      roleMap: { B0157: 'manager' },
      sitesClaim: 'nhsid_nrbac_roles.org_code',
    };
    expect(actorFromClaims(cis2, mapped)).toEqual({ subject: '555021935107', role: 'manager', sites: ['RR8'] });
  });

  it('refuses a token with no Homeward role, an unknown agency or no subject, naming what is missing', () => {
    expect(refusal({ sub: 'u', roles: ['porter'] })).toMatch(/^forbidden: .*roles claim names none of/);
    expect(refusal({ sub: 'u', roles: ['agency:plumbers'] })).toMatch(/^forbidden: /);
    expect(refusal({ roles: ['manager'] })).toMatch(/^forbidden: .*no subject/);
    expect(refusal({ sub: 'u', roles: 'manager' })).toBe('accepted');
  });

  it('refuses a token naming several Homeward roles, whatever their order, naming them (403)', () => {
    for (const roles of [
      ['agency:social-care', 'agency:housing'],
      ['agency:housing', 'agency:social-care'],
    ]) {
      expect(refusal({ sub: 'u', roles })).toBe(
        "forbidden: Needs permission exactly one Homeward role: the token's roles claim names several (agency:housing, agency:social-care)",
      );
    }
    expect(refusal({ sub: 'u', roles: ['manager', 'discharge-team'] })).toMatch(
      /^forbidden: .*names several \(discharge-team, manager\)$/,
    );
    expect(refusal({ sub: 'u', roles: ['discharge-team', 'agency:housing'] })).toMatch(
      /^forbidden: .*names several \(agency:housing, discharge-team\)$/,
    );
    // Two identity-provider codes mapped to two roles are two roles too.
    const mapped = { ...settings, roleMap: { B0360: 'discharge-team', B0157: 'manager' } };
    expect(() => actorFromClaims({ sub: 'u', roles: ['B0360', 'B0157'] }, mapped)).toThrow(
      /names several \(discharge-team, manager\)/,
    );
    expect(actorFromClaims({ sub: 'u', roles: ['B0157'] }, mapped).role).toBe('manager');
  });

  it('reads the sites claim strictly: a malformed one refuses the token (401 naming the claim), never lifts the limit', () => {
    const named = 'unauthenticated: Token claim sites must be a non-empty list of at most 50 site codes';
    for (const sites of [
      [],
      [''],
      ['x'.repeat(65)],
      [7],
      ['LEEDS-GEN', 7],
      ['LEEDS-GEN', null],
      [['LEEDS-GEN']],
      'LEEDS-GEN',
      null,
      {},
      { LEEDS: true },
      ['LEEDS\u0000GEN'],
    ]) {
      expect({ sites, got: refusal({ sub: 'u', roles: ['manager'], sites }) }).toEqual({ sites, got: named });
    }
    expect(refusal({ sub: 'u', roles: ['manager'], sites: Array.from({ length: 51 }, (_, i) => `SITE-${i}`) })).toBe(
      named,
    );
    expect(actorFromClaims({ sub: 'u', roles: ['manager'], sites: ['x'.repeat(64)] }, settings).sites).toEqual([
      'x'.repeat(64),
    ]);
    // Absent: the role's whole scope (every site, for staff).
    expect(actorFromClaims({ sub: 'u', roles: ['discharge-team'] }, settings)).toEqual({
      subject: 'u',
      role: 'discharge-team',
    });
  });

  it('reads a sites claim through arrays as strictly: every entry must name a site', () => {
    const cis2 = (...roles: Record<string, unknown>[]) => ({ sub: 'u', roles: ['manager'], nhsid_nrbac_roles: roles });
    const bySite = { ...settings, sitesClaim: 'nhsid_nrbac_roles.org_code' };
    const refused = (claims: Record<string, unknown>) => refusal(claims, bySite);
    expect(actorFromClaims(cis2({ org_code: 'RR8' }, { org_code: ['RAE', 'RR8'] }), bySite).sites).toEqual([
      'RR8',
      'RAE',
    ]);
    for (const claims of [
      cis2(),
      cis2({ org_code: 'RR8' }, { role_code: 'R8003' }),
      cis2({ org_code: [] }),
      cis2({ org_code: '' }),
      cis2({ org_code: 42 }),
      { sub: 'u', roles: ['manager'], nhsid_nrbac_roles: 'RR8' },
    ]) {
      expect(refused(claims)).toBe(
        'unauthenticated: Token claim nhsid_nrbac_roles.org_code must be a non-empty list of at most 50 site codes',
      );
    }
    expect(actorFromClaims({ sub: 'u', roles: ['manager'] }, bySite)).toEqual({ subject: 'u', role: 'manager' });
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
    expect(visibility(manager, { site: 'A', agencies: [] })).toEqual({ kind: 'full' });
    expect(visibility(manager, { site: 'B', agencies: [] })).toEqual({ kind: 'none' });
    expect(visibility(housing, { site: 'A', agencies: ['housing'] })).toEqual({ kind: 'agency', agency: 'housing' });
    expect(visibility(housing, { site: 'A', agencies: ['equipment'] })).toEqual({ kind: 'none' });
    expect(visibility(timer, { site: 'A', agencies: ['housing'] })).toEqual({ kind: 'none' });
  });
});

describe('patients and carers (issue 27)', () => {
  const secret = 'a development key of 32 characters!';
  const people = { ...settings, patientKeySecret: secret };

  it('binds a patient or carer by the keyed hash of their own NHS number, never the number', () => {
    const patient = actorFromClaims({ sub: 'nhs-login-1', roles: ['patient'], nhs_number: '943 476 5870' }, people);
    expect(patient).toEqual({ subject: 'nhs-login-1', role: 'patient', personKey: patientKey('9434765870', secret) });
    expect(JSON.stringify(patient)).not.toContain('9434765870');
    const carer = actorFromClaims(
      { sub: 'nhs-login-2', roles: ['carer'], nhs_number: '9434765919', sites: ['A'] },
      people,
    );
    // A person's token has no sites: a site limit is a member of staff's.
    expect(carer).toEqual({ subject: 'nhs-login-2', role: 'carer', personKey: patientKey('9434765919', secret) });
  });

  it('refuses a person’s token without a valid NHS number, or where no key is set', () => {
    expect(refusal({ sub: 'p', roles: ['patient'] }, people)).toBe(
      "unauthenticated: Token claim nhs_number must be the patient's NHS number (10 digits with a modulus-11 check digit)",
    );
    expect(refusal({ sub: 'p', roles: ['carer'], nhs_number: '9434765871' }, people)).toMatch(
      /^unauthenticated: Token claim nhs_number must be the carer's NHS number/,
    );
    expect(refusal({ sub: 'p', roles: ['patient'], nhs_number: '9434765870' })).toMatch(
      /^forbidden: .*binds no patient tokens/,
    );
    expect(refusal({ sub: 'p', roles: ['patient', 'carer'], nhs_number: '9434765870' }, people)).toMatch(
      /names several \(carer, patient\)/,
    );
  });

  it('a patient or carer reads their own plan and nothing else', () => {
    const patient = { subject: 'p', role: 'patient' as const, personKey: 'a'.repeat(40) };
    const carer = { subject: 'c', role: 'carer' as const, personKey: 'b'.repeat(40) };
    expect(can(patient, 'plan:read')).toBe(true);
    expect(can(patient, 'plan:withdraw-consent')).toBe(true);
    expect(can(patient, 'plan:revoke-carer-access')).toBe(true);
    expect(can(carer, 'plan:read')).toBe(true);
    expect(can(carer, 'plan:withdraw-consent')).toBe(false);
    expect(can(carer, 'plan:revoke-carer-access')).toBe(false);
    for (const person of [patient, carer]) {
      expect(can(person, 'pathway:read')).toBe(false);
      expect(can(person, 'pathways:list')).toBe(false);
      expect(can(person, 'command:consent')).toBe(false);
      expect(visibility(person, { site: 'A', agencies: [] })).toEqual({ kind: 'none' });
    }
    expect(can({ subject: 't', role: 'discharge-team' }, 'plan:read')).toBe(false);
  });
});
