import { z } from 'zod';
import { Agency, DelayReasonCode, DischargePathwayCode, IsoDate, PlaceName, Stage } from '../schemas/common';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** A calendar date PostgreSQL can hold (it has no year 0): a filter's bound, never a stay's own date. */
const FilterDate = IsoDate.refine((value) => value >= '1900-01-01', 'expected a date from 1900 on');

/** Filters the managers' list and the delay report share. Unknown parameters are refused, named. */
const shared = {
  stage: Stage.optional(),
  /** Still in hospital with a discharge ready date, delayed at least this many days (1: delayed now; 0: every patient with a DRD). */
  delayedForDays: z.coerce.number().int().min(0).max(36_500).optional(),
  site: PlaceName.optional(),
  localAuthority: PlaceName.optional(),
  /** A current delay reason, explicit or implied by the pathway. */
  reason: DelayReasonCode.optional(),
  /** An agency a current delay reason is attributed to (an open referral implies one). */
  agency: Agency.optional(),
  pathway: DischargePathwayCode.optional(),
  /** Open with a missed referral deadline or an overdue review, or in hospital with no event for stuckForDays. */
  stuck: flag.optional(),
  stuckForDays: z.coerce.number().int().min(1).max(365).optional(),
  /** Intermediate care's review is overdue (reviewOverdueSince). */
  reviewOverdue: flag.optional(),
  /** The handover to long-term services was declined and nobody has re-referred or extended it (uncoveredHandover). */
  handoverDeclined: flag.optional(),
  status: z.enum(['open', 'closed', 'all']).default('open'),
  admittedFrom: FilterDate.optional(),
  admittedTo: FilterDate.optional(),
  dischargedFrom: FilterDate.optional(),
  dischargedTo: FilterDate.optional(),
  closedFrom: FilterDate.optional(),
  closedTo: FilterDate.optional(),
};

export const sortKeys = [
  'daysDelayed',
  'bedDaysLost',
  'lastEventAt',
  'admittedAt',
  'stuckSince',
  'dischargeDate',
] as const;
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

/** A day's SitRep: today (UTC) unless `date` says; CSV unless `format=json`. */
export const SitrepQuery = z
  .object({ date: FilterDate.optional(), format: z.enum(['csv', 'json']).optional() })
  .strict();

/** The dashboard's trend: the last `days` days up to today, optionally one site, local authority, delay reason or agency (as the list's). */
export const TrendQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(366).default(30),
    site: shared.site,
    localAuthority: shared.localAuthority,
    reason: shared.reason,
    agency: shared.agency,
  })
  .strict();

/** The discharge team's board: one site, or every site the actor may see. */
export const WorklistQuery = z.object({ site: PlaceName.optional() }).strict();

/** Sorts that reveal nothing about other agencies' part in a stay. */
const agencySortKeys = ['lastEventAt', 'admittedAt', 'dischargeDate'] as const satisfies readonly SortKey[];

/**
 * An agency's list: the filters that narrow by the stay itself. Delay reasons, other agencies and
 * stuck are managers' questions about everyone's work, so they are refused here, named.
 */
export const AgencyListFilters = ListFilters.pick({
  stage: true,
  site: true,
  pathway: true,
  status: true,
  admittedFrom: true,
  admittedTo: true,
  dischargedFrom: true,
  dischargedTo: true,
  closedFrom: true,
  closedTo: true,
  cursor: true,
  limit: true,
})
  .extend({
    sort: z.enum([...agencySortKeys, ...agencySortKeys.map((key) => `-${key}` as const)]).default('-lastEventAt'),
  })
  .strict();
export type AgencyListFilters = z.infer<typeof AgencyListFilters>;
