import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { resolvePolicy } from '../domain';

// Secrets have no default: every test names its own (these are not keys of anything real).
const secrets = {
  HOMEWARD_PATIENT_KEY_SECRET: 'x'.repeat(32),
  HOMEWARD_CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  HOMEWARD_COMMAND_KEYS: `c1:${Buffer.alloc(32, 9).toString('base64')}`,
};

describe('deployment configuration', () => {
  it('has defaults that run everything locally', () => {
    const config = loadConfig(secrets);
    expect(config).toMatchObject({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'homeward-pathways' },
      kafka: { brokers: ['127.0.0.1:9092'] },
      http: { port: 8080 },
      region: 'england',
    });
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ ...secrets, HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
    expect(() => loadConfig({ ...secrets, HOMEWARD_REGION: 'mars' })).toThrow(/HOMEWARD_REGION/);
    expect(() => loadConfig({ ...secrets, HOMEWARD_POLICY: '{not json' })).toThrow(/HOMEWARD_POLICY is not valid JSON/);
    expect(() => loadConfig({ ...secrets, HOMEWARD_POLICY: '{"intermediateCareMaxDays": -3}' })).toThrow(
      /HOMEWARD_POLICY intermediateCareMaxDays/,
    );
    expect(() =>
      loadConfig({ ...secrets, HOMEWARD_POLICY: '{"sla": {"plumbing": {"acceptWithinHours": 2}}}' }),
    ).toThrow(/HOMEWARD_POLICY sla/);
  });

  it('sets each role’s process apart: its probe port, and the projector’s group and session', () => {
    expect(loadConfig(secrets)).toMatchObject({
      health: { port: undefined },
      projector: { groupId: 'homeward-projector', sessionTimeoutMs: 30_000 },
    });
    const scaled = loadConfig({
      ...secrets,
      HOMEWARD_HEALTH_PORT: '8081',
      HOMEWARD_PROJECTOR_GROUP: 'homeward-projector-blue',
      HOMEWARD_PROJECTOR_SESSION_TIMEOUT: '10',
    });
    expect(scaled).toMatchObject({
      health: { port: 8081 },
      projector: { groupId: 'homeward-projector-blue', sessionTimeoutMs: 10_000 },
    });
    expect(() => loadConfig({ ...secrets, HOMEWARD_HEALTH_PORT: 'eighty' })).toThrow(/HOMEWARD_HEALTH_PORT/);
    // Outside the groups the homeward principal may use, the projector would fail on its first join.
    expect(() => loadConfig({ ...secrets, HOMEWARD_PROJECTOR_GROUP: 'projector' })).toThrow(
      /HOMEWARD_PROJECTOR_GROUP: must start with homeward-/,
    );
    expect(loadConfig(secrets).inbound).toEqual({ groupId: 'homeward-inbound' });
    expect(loadConfig({ ...secrets, HOMEWARD_INBOUND_GROUP: 'homeward-inbound-blue' }).inbound).toEqual({
      groupId: 'homeward-inbound-blue',
    });
    expect(() => loadConfig({ ...secrets, HOMEWARD_INBOUND_GROUP: 'inbound' })).toThrow(
      /HOMEWARD_INBOUND_GROUP: must start with homeward-/,
    );
    // Below the broker's group.min.session.timeout.ms, every join is refused.
    expect(() => loadConfig({ ...secrets, HOMEWARD_PROJECTOR_SESSION_TIMEOUT: '2' })).toThrow(
      /HOMEWARD_PROJECTOR_SESSION_TIMEOUT/,
    );
  });

  it('has no published default for any secret: a missing one fails at start, named', () => {
    expect(() => loadConfig({ ...secrets, HOMEWARD_PATIENT_KEY_SECRET: undefined })).toThrow(
      /HOMEWARD_PATIENT_KEY_SECRET is not set/,
    );
    expect(() => loadConfig({ ...secrets, HOMEWARD_PATIENT_KEY_SECRET: 'short' })).toThrow(
      /HOMEWARD_PATIENT_KEY_SECRET: at least 32/,
    );
    expect(() => loadConfig({ ...secrets, HOMEWARD_CODEC_KEYS: undefined })).toThrow(/HOMEWARD_CODEC_KEYS is not set/);
    expect(() => loadConfig({ ...secrets, HOMEWARD_COMMAND_KEYS: undefined })).toThrow(
      /HOMEWARD_COMMAND_KEYS is not set/,
    );
    expect(() => loadConfig({ ...secrets, KAFKA_SASL_USERNAME: 'homeward' })).toThrow(
      /KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together/,
    );
  });

  it('the staff pages sign in with a client id and redirect URI: the development issuer’s by default, a trust’s both or neither in production', () => {
    expect(loadConfig(secrets).oidc.browser).toEqual({ clientId: 'homeward', scope: 'openid profile' });
    const production = { ...secrets, HOMEWARD_ENV: 'production', HOMEWARD_OIDC_ISSUER: 'https://login.example.nhs.uk' };
    expect(loadConfig(production).oidc.browser).toEqual({ scope: 'openid profile' });
    const trust = {
      ...production,
      HOMEWARD_OIDC_CLIENT_ID: '999999999999.apps.national',
      HOMEWARD_OIDC_REDIRECT_URI: 'https://homeward.example.nhs.uk/signed-in',
    };
    expect(loadConfig(trust).oidc.browser).toEqual({
      clientId: '999999999999.apps.national',
      redirectUri: 'https://homeward.example.nhs.uk/signed-in',
      scope: 'openid profile',
    });
    expect(() => loadConfig({ ...trust, HOMEWARD_OIDC_REDIRECT_URI: undefined })).toThrow(
      'HOMEWARD_OIDC_CLIENT_ID and HOMEWARD_OIDC_REDIRECT_URI go together',
    );
    expect(() =>
      loadConfig({ ...trust, HOMEWARD_OIDC_REDIRECT_URI: 'http://homeward.example.nhs.uk/signed-in' }),
    ).toThrow(/HOMEWARD_OIDC_REDIRECT_URI must be an https: URL in production/);
  });

  it('takes the issuer’s keys over https in production, and over http only from this machine in development', () => {
    const production = { ...secrets, HOMEWARD_ENV: 'production' };
    expect(() => loadConfig({ ...production, HOMEWARD_OIDC_ISSUER: 'http://login.example.nhs.uk' })).toThrow(
      'Invalid configuration: HOMEWARD_OIDC_ISSUER must be an https: URL in production (got http:)',
    );
    // Not even the loopback development issuer.
    expect(() => loadConfig({ ...production, HOMEWARD_OIDC_ISSUER: 'http://127.0.0.1:8090/dev-issuer' })).toThrow(
      /HOMEWARD_OIDC_ISSUER must be an https: URL in production/,
    );
    expect(() =>
      loadConfig({
        ...production,
        HOMEWARD_OIDC_ISSUER: 'https://login.example.nhs.uk',
        HOMEWARD_OIDC_JWKS_URL: 'http://login.example.nhs.uk/jwks',
      }),
    ).toThrow(/HOMEWARD_OIDC_JWKS_URL must be an https: URL in production/);
    expect(
      loadConfig({
        ...production,
        HOMEWARD_OIDC_ISSUER: 'https://login.example.nhs.uk',
        HOMEWARD_OIDC_JWKS_URL: 'https://keys.example.nhs.uk/jwks',
      }).oidc,
    ).toMatchObject({ issuer: 'https://login.example.nhs.uk' });
    for (const issuer of [
      'http://127.0.0.1:8090/dev-issuer',
      'http://[::1]:8090/dev-issuer',
      'http://localhost:8090/dev-issuer',
      'https://login.example.nhs.uk',
    ]) {
      expect(loadConfig({ ...secrets, HOMEWARD_OIDC_ISSUER: issuer }).oidc.issuer).toBe(issuer);
    }
    for (const [name, url] of [
      ['HOMEWARD_OIDC_ISSUER', 'http://keycloak.internal:8080/realms/trust'],
      ['HOMEWARD_OIDC_JWKS_URL', 'http://10.0.0.5/jwks'],
      ['HOMEWARD_OIDC_ISSUER', 'ftp://127.0.0.1/issuer'],
    ]) {
      expect(() => loadConfig({ ...secrets, [name]: url })).toThrow(
        `Invalid configuration: ${name} must be an https: URL, or http: on this machine only (127.0.0.1, ::1, localhost)`,
      );
    }
  });

  it('bounds a token’s lifetime and the issuer’s clock skew, with safe defaults', () => {
    expect(loadConfig(secrets).oidc).toMatchObject({ maxTokenLifetimeSeconds: 7200, clockSkewSeconds: 60 });
    expect(
      loadConfig({ ...secrets, HOMEWARD_OIDC_MAX_TOKEN_LIFETIME: '600', HOMEWARD_OIDC_CLOCK_SKEW: '0' }).oidc,
    ).toMatchObject({ maxTokenLifetimeSeconds: 600, clockSkewSeconds: 0 });
    // A setting cannot bring back the 100-year token, nor lift the check.
    for (const lifetime of ['3153600000', '0', 'forever'])
      expect(() => loadConfig({ ...secrets, HOMEWARD_OIDC_MAX_TOKEN_LIFETIME: lifetime })).toThrow(
        /HOMEWARD_OIDC_MAX_TOKEN_LIFETIME/,
      );
    for (const skew of ['3600', '-1'])
      expect(() => loadConfig({ ...secrets, HOMEWARD_OIDC_CLOCK_SKEW: skew })).toThrow(/HOMEWARD_OIDC_CLOCK_SKEW/);
  });

  it('takes per-deployment durations and SLAs (Scotland and Wales differ from England)', () => {
    const config = loadConfig({
      ...secrets,
      HOMEWARD_REGION: 'scotland',
      HOMEWARD_POLICY: '{"readmissionWatchDays": 28, "sla": {"housing": {"acceptWithinHours": 48}}}',
    });
    const policy = resolvePolicy(config.region, config.policyOverrides);
    expect(policy.readmissionWatchDays).toBe(28);
    expect(policy.intermediateCareMaxDays).toBe(42);
    expect(policy.sla.housing).toEqual({ acceptWithinHours: 48, readyWithinHours: 336 });
    // Scotland's social care answers within a day and has support in place within two (England: 48 h and 72 h).
    expect(policy.sla['social-care']).toEqual({ acceptWithinHours: 24, readyWithinHours: 48 });
    expect(policy.delayAllowanceDays).toBe(3);
    expect(resolvePolicy('england').sla['social-care']).toEqual({ acceptWithinHours: 48, readyWithinHours: 72 });
    expect(resolvePolicy('england').delayAllowanceDays).toBe(0);
    expect(resolvePolicy('wales').sla['intermediate-care']).toEqual({ acceptWithinHours: 24, readyWithinHours: 24 });
    expect(resolvePolicy('england').sla['intermediate-care']).toEqual({ acceptWithinHours: 24, readyWithinHours: 48 });
  });

  it('gives every nation the same statutory durations unless the deployment overrides them', () => {
    for (const region of ['england', 'scotland', 'wales'] as const) {
      expect(resolvePolicy(region)).toMatchObject({
        intermediateCareMaxDays: 42,
        readmissionWatchDays: 30,
        reviewIntervalDays: 7,
        bedBasedStartWithinDays: 2,
        escalationRepeatHours: 24,
      });
    }
  });

  it('refuses a scheme length longer than the intermediate-care maximum, naming it', () => {
    expect(() => resolvePolicy('england', { intermediateCareDays: { reablement: 43 } })).toThrow(
      'intermediateCareDays.reablement: longer than intermediateCareMaxDays (42)',
    );
    expect(resolvePolicy('england', { intermediateCareDays: { reablement: 14 } }).intermediateCareDays).toEqual({
      reablement: 14,
    });
  });

  it('an override of one SLA field keeps the other, and leaves the defaults of later policies untouched', () => {
    const changed = resolvePolicy('england', { sla: { equipment: { readyWithinHours: 12 } } });
    expect(changed.sla.equipment).toEqual({ acceptWithinHours: 24, readyWithinHours: 12 });
    changed.sla.gp.acceptWithinHours = 1;
    expect(resolvePolicy('england').sla.gp).toEqual({ acceptWithinHours: 72, readyWithinHours: 168 });
  });
});
