import { z } from 'zod';
import { Agency, DelayReasonCode, DischargePathwayCode, IsoDate, Stage } from '../schemas/common';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Filters the managers' list and the delay report share. Unknown parameters are refused, named. */
const shared = {
  stage: Stage.optional(),
  /** Still in hospital and delayed at least this many days. */
  delayedForDays: z.coerce.number().int().min(0).optional(),
  site: z.string().min(1).max(64).optional(),
  localAuthority: z.string().min(1).max(100).optional(),
  /** A current delay reason, explicit or implied by the pathway. */
  reason: DelayReasonCode.optional(),
  /** An agency a current delay reason is attributed to (an open referral implies one). */
  agency: Agency.optional(),
  pathway: DischargePathwayCode.optional(),
  /** Open with a missed referral deadline or an overdue review, or in hospital with no event for stuckForDays. */
  stuck: flag.optional(),
  stuckForDays: z.coerce.number().int().min(1).max(365).optional(),
  status: z.enum(['open', 'closed', 'all']).default('open'),
  admittedFrom: IsoDate.optional(),
  admittedTo: IsoDate.optional(),
  dischargedFrom: IsoDate.optional(),
  dischargedTo: IsoDate.optional(),
  closedFrom: IsoDate.optional(),
  closedTo: IsoDate.optional(),
};

export const sortKeys = ['daysDelayed', 'bedDaysLost', 'lastEventAt', 'admittedAt', 'stuckSince', 'dischargeDate'] as const;
export type SortKey = (typeof sortKeys)[number];
const Sort = z.enum([...sortKeys, ...sortKeys.map((key) => `-${key}` as const)]);

export const ListFilters = z
  .object({
    ...shared,
    /** A key, descending with a leading `-`; ties broken by pathway id. */
    sort: Sort.default('-daysDelayed'),
    /** `nextCursor` of the previous page, with the same filters and sort. */
    cursor: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type ListFilters = z.infer<typeof ListFilters>;

export const ReportFilters = z
  .object({
    ...shared,
    /** CSV with a header row instead of JSON (so does `Accept: text/csv`). */
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();
export type ReportFilters = z.infer<typeof ReportFilters>;
export type PathwayFilters = Omit<ReportFilters, 'format'>;

export const SitrepQuery = z.object({ date: IsoDate, format: z.literal('csv').optional() }).strict();

/** The dashboard's trend: the last `days` days up to today, optionally one site or local authority. */
export const TrendQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(366).default(30),
    site: z.string().min(1).max(64).optional(),
    localAuthority: z.string().min(1).max(100).optional(),
  })
  .strict();
