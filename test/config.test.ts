import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { resolvePolicy } from '../domain';

describe('deployment configuration', () => {
  it('has defaults that run everything locally', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'homeward-pathways' },
      kafka: { brokers: ['127.0.0.1:9092'] },
      http: { port: 8080 },
      region: 'england',
    });
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
    expect(() => loadConfig({ HOMEWARD_REGION: 'mars' })).toThrow(/HOMEWARD_REGION/);
    expect(() => loadConfig({ HOMEWARD_POLICY: '{not json' })).toThrow(/HOMEWARD_POLICY is not valid JSON/);
    expect(() => loadConfig({ HOMEWARD_POLICY: '{"intermediateCareMaxDays": -3}' })).toThrow(/HOMEWARD_POLICY intermediateCareMaxDays/);
    expect(() => loadConfig({ HOMEWARD_POLICY: '{"sla": {"plumbing": {"acceptWithinHours": 2}}}' })).toThrow(/HOMEWARD_POLICY sla/);
  });

  it('takes per-deployment durations and SLAs (Scotland and Wales differ from England)', () => {
    const config = loadConfig({ HOMEWARD_REGION: 'scotland', HOMEWARD_POLICY: '{"readmissionWatchDays": 28, "sla": {"housing": {"acceptWithinHours": 48}}}' });
    const policy = resolvePolicy(config.region, config.policyOverrides);
    expect(policy.readmissionWatchDays).toBe(28);
    expect(policy.intermediateCareMaxDays).toBe(42);
    expect(policy.sla.housing).toEqual({ acceptWithinHours: 48, readyWithinHours: 336 });
    expect(policy.sla['social-care']).not.toEqual(resolvePolicy('england').sla['social-care']);
    expect(resolvePolicy('wales').sla['intermediate-care']).not.toEqual(resolvePolicy('england').sla['intermediate-care']);
  });
});
