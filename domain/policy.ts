import { z } from 'zod';
import { Agency, IntermediateCareService, type Region } from '../schemas/common';

export interface AgencySla {
  /** Hours from referral to acceptance (or decline). */
  acceptWithinHours: number;
  /** Hours from acceptance to support in place. */
  readyWithinHours: number;
}

export interface Policy {
  region: Region;
  /** Intermediate care is free for up to this many days (six weeks in England). */
  intermediateCareMaxDays: number;
  /**
   * Length of an episode per intermediate-care scheme, when a scheme runs shorter than the
   * maximum ("frequently as little as 1–2 weeks"). Absent for a scheme (or in policies from before
   * schemes had lengths): the maximum.
   */
  intermediateCareDays?: Partial<Record<IntermediateCareService, number>>;
  readmissionWatchDays: number;
  reviewIntervalDays: number;
  /** Bed-based intermediate care should start within this many days of referral. */
  bedBasedStartWithinDays: number;
  /** A missed deadline escalates again this often while unresolved. */
  escalationRepeatHours: number;
  /**
   * Planning days after the discharge ready date that do not count as delay. 0 counts from the
   * DRD itself (England's SitRep). See defaultPolicy for Scotland.
   */
  delayAllowanceDays: number;
  /**
   * Who makes the safety and welfare check on the day of a P0/P1 discharge or a self-discharge
   * (rules 4): community health, or the voluntary sector ("home from hospital"). Absent in
   * policies from before: community health.
   */
  welfareCheckAgency: WelfareCheckAgency;
  sla: Record<Agency, AgencySla>;
}

export const WelfareCheckAgency = z.enum(['community-health', 'voluntary']);
export type WelfareCheckAgency = z.infer<typeof WelfareCheckAgency>;

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
 * readmission watch. Scotland and Wales run the same shape of pathway; here they differ in a few
 * agreed response times and, for Scotland, in when a stay starts counting as delayed.
 */
export function defaultPolicy(region: Region): Policy {
  const base: Policy = {
    region,
    intermediateCareMaxDays: 42,
    readmissionWatchDays: 30,
    reviewIntervalDays: 7,
    bedBasedStartWithinDays: 2,
    escalationRepeatHours: 24,
    delayAllowanceDays: 0,
    welfareCheckAgency: 'community-health',
    // A fresh copy per call: callers may adjust their policy without touching the defaults.
    sla: Object.fromEntries(Object.entries(englandSla).map(([agency, sla]) => [agency, { ...sla }])) as Record<
      Agency,
      AgencySla
    >,
  };
  if (region === 'scotland') {
    // Scotland counts delays against its ready-for-discharge date and has used a short planning
    // allowance before a stay counts as delayed; 3 days here is a default to confirm locally
    // against the current Public Health Scotland definitions (set 0 to count from the date itself).
    base.delayAllowanceDays = 3;
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
    intermediateCareDays: z.partialRecord(IntermediateCareService, z.number().int().positive()),
    readmissionWatchDays: z.number().int().positive(),
    reviewIntervalDays: z.number().int().positive(),
    bedBasedStartWithinDays: z.number().int().positive(),
    escalationRepeatHours: z.number().positive(),
    delayAllowanceDays: z.number().int().min(0),
    welfareCheckAgency: WelfareCheckAgency,
    sla: z.partialRecord(Agency, Sla.partial()),
  })
  .partial()
  .strict();

/** How long an episode of these intermediate-care services may last: the longest of their schemes. */
export const intermediateCareDaysFor = (policy: Policy, services: readonly IntermediateCareService[]): number =>
  Math.max(0, ...services.map((service) => policy.intermediateCareDays?.[service] ?? policy.intermediateCareMaxDays)) ||
  policy.intermediateCareMaxDays;

/** The deployment's policy: the nation's defaults with validated overrides merged in. */
export function resolvePolicy(region: Region, overrides: unknown = {}): Policy {
  const parsed = PolicyOverrides.safeParse(overrides ?? {});
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const { sla, ...rest } = parsed.data;
  const policy = { ...defaultPolicy(region), ...rest };
  for (const [scheme, days] of Object.entries(policy.intermediateCareDays ?? {})) {
    if (days > policy.intermediateCareMaxDays)
      throw new Error(
        `intermediateCareDays.${scheme}: longer than intermediateCareMaxDays (${policy.intermediateCareMaxDays})`,
      );
  }
  for (const [agency, value] of Object.entries(sla ?? {})) {
    policy.sla[agency as Agency] = { ...policy.sla[agency as Agency], ...value };
  }
  return policy;
}
