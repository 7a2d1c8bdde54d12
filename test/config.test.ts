import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { resolvePolicy } from '../domain';

// Secrets have no default: every test names its own (these are not keys of anything real).
const secrets = { HOMEWARD_PATIENT_KEY_SECRET: 'x'.repeat(32), HOMEWARD_CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };

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
    expect(() => loadConfig({ ...secrets, HOMEWARD_POLICY: '{"intermediateCareMaxDays": -3}' })).toThrow(/HOMEWARD_POLICY intermediateCareMaxDays/);
    expect(() => loadConfig({ ...secrets, HOMEWARD_POLICY: '{"sla": {"plumbing": {"acceptWithinHours": 2}}}' })).toThrow(/HOMEWARD_POLICY sla/);
  });

  it('has no published default for any secret: a missing one fails at start, named', () => {
    expect(() => loadConfig({ HOMEWARD_CODEC_KEYS: secrets.HOMEWARD_CODEC_KEYS })).toThrow(/HOMEWARD_PATIENT_KEY_SECRET is not set/);
    expect(() => loadConfig({ ...secrets, HOMEWARD_PATIENT_KEY_SECRET: 'short' })).toThrow(/HOMEWARD_PATIENT_KEY_SECRET: at least 32/);
    expect(() => loadConfig({ HOMEWARD_PATIENT_KEY_SECRET: secrets.HOMEWARD_PATIENT_KEY_SECRET })).toThrow(/HOMEWARD_CODEC_KEYS is not set/);
    expect(() => loadConfig({ ...secrets, KAFKA_SASL_USERNAME: 'homeward' })).toThrow(/KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together/);
  });

  it('takes per-deployment durations and SLAs (Scotland and Wales differ from England)', () => {
    const config = loadConfig({ ...secrets, HOMEWARD_REGION: 'scotland', HOMEWARD_POLICY: '{"readmissionWatchDays": 28, "sla": {"housing": {"acceptWithinHours": 48}}}' });
    const policy = resolvePolicy(config.region, config.policyOverrides);
    expect(policy.readmissionWatchDays).toBe(28);
    expect(policy.intermediateCareMaxDays).toBe(42);
    expect(policy.sla.housing).toEqual({ acceptWithinHours: 48, readyWithinHours: 336 });
    expect(policy.sla['social-care']).not.toEqual(resolvePolicy('england').sla['social-care']);
    expect(resolvePolicy('wales').sla['intermediate-care']).not.toEqual(resolvePolicy('england').sla['intermediate-care']);
  });
});
