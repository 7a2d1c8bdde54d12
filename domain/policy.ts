import { z } from 'zod';
import { Agency, type Region } from '../schemas/common';

export interface AgencySla {
  /** Hours from referral to acceptance (or decline). */
  acceptWithinHours: number;
  /** Hours from acceptance to support in place. */
  readyWithinHours: number;
}

export interface Policy {
  region: Region;
  intermediateCareMaxDays: number;
  readmissionWatchDays: number;
  reviewIntervalDays: number;
  /** Bed-based intermediate care should start within this many days of referral. */
  bedBasedStartWithinDays: number;
  /** A missed deadline escalates again this often while unresolved. */
  escalationRepeatHours: number;
  sla: Record<Agency, AgencySla>;
}

const englandSla: Record<Agency, AgencySla> = {
  'acute-trust': { acceptWithinHours: 24, readyWithinHours: 48 },
  'social-care': { acceptWithinHours: 48, readyWithinHours: 72 },
  'community-health': { acceptWithinHours: 24, readyWithinHours: 72 },
  'intermediate-care': { acceptWithinHours: 24, readyWithinHours: 48 },
  equipment: { acceptWithinHours: 24, readyWithinHours: 48 },
  housing: { acceptWithinHours: 72, readyWithinHours: 336 },
  gp: { acceptWithinHours: 72, readyWithinHours: 168 },
  voluntary: { acceptWithinHours: 48, readyWithinHours: 72 },
  'care-home': { acceptWithinHours: 48, readyWithinHours: 120 },
};

/**
 * Statutory defaults per nation. These are configurable defaults, not legal text: a deployment
 * sets its own through HOMEWARD_POLICY. England: six weeks of free intermediate care, 30-day
 * readmission watch. Scotland and Wales run the same shape of pathway with local SLAs; here they
 * differ only in the agreed response times a deployment is expected to tune.
 */
export function defaultPolicy(region: Region): Policy {
  const base: Policy = {
    region,
    intermediateCareMaxDays: 42,
    readmissionWatchDays: 30,
    reviewIntervalDays: 7,
    bedBasedStartWithinDays: 2,
    escalationRepeatHours: 24,
    sla: structuredClone(englandSla),
  };
  if (region === 'scotland') {
    // Scotland's delayed-discharge standard expects discharge within 72 hours of readiness.
    base.sla['social-care'] = { acceptWithinHours: 24, readyWithinHours: 48 };
  }
  if (region === 'wales') {
    // Wales' Discharge to Recover then Assess model front-loads reablement.
    base.sla['intermediate-care'] = { acceptWithinHours: 24, readyWithinHours: 24 };
  }
  return base;
}

const Sla = z.object({ acceptWithinHours: z.number().positive(), readyWithinHours: z.number().positive() }).strict();

export const PolicyOverrides = z
  .object({
    intermediateCareMaxDays: z.number().int().positive(),
    readmissionWatchDays: z.number().int().positive(),
    reviewIntervalDays: z.number().int().positive(),
    bedBasedStartWithinDays: z.number().int().positive(),
    escalationRepeatHours: z.number().positive(),
    sla: z.partialRecord(Agency, Sla.partial()),
  })
  .partial()
  .strict();

/** The deployment's policy: the nation's defaults with validated overrides merged in. */
export function resolvePolicy(region: Region, overrides: unknown = {}): Policy {
  const parsed = PolicyOverrides.safeParse(overrides ?? {});
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const { sla, ...rest } = parsed.data;
  const policy = { ...defaultPolicy(region), ...rest };
  for (const [agency, value] of Object.entries(sla ?? {})) {
    policy.sla[agency as Agency] = { ...policy.sla[agency as Agency], ...value };
  }
  return policy;
}
