import type { WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import { daysBetween, delayBand, isDelayedNow } from '../domain';
import type { Actor } from '../schemas/actor';
import { Agency, DelayReasonCode, PlaceName, Stage } from '../schemas/common';
import { searchAttributes as keys } from '../workflows/search-attributes';
import { forbidden, invalid } from './errors';
import type { PathwayStore } from './pathway-store';
import { authorize, mayActOnSite } from './permissions';

export const ListFilters = z.strictObject({
  stage: Stage.optional(),
  delayedForDays: z.coerce.number().int().min(0).max(36_500).optional(),
  site: PlaceName.optional(),
  localAuthority: PlaceName.optional(),
  reason: DelayReasonCode.optional(),
  agency: Agency.optional(),
  status: z.enum(['open', 'closed', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListFilters = z.infer<typeof ListFilters>;
export const ReportFilters = ListFilters.omit({ limit: true });

export interface PathwaySummary {
  pathwayId: string;
  stage: string | undefined;
  pathway: string | undefined;
  site: string | undefined;
  localAuthority: string | undefined;
  dischargeReadyDate: string | undefined;
  dischargeDate: string | undefined;
  /** Days delayed so far; once discharged, how long the stay was delayed (history). */
  daysDelayed: number;
  /** Only while still in hospital: a discharged pathway is never delayed now. */
  delayedNow: boolean;
  delayBand: string;
  awaitingAgencies: string[];
  delayReasons: string[];
  overdueSince: string | undefined;
  status: string;
}

const today = () => new Date().toISOString().slice(0, 10);
const isoDate = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

/** Managers' questions (which pathways are stuck or delayed, where and why), over Temporal visibility. */
export class ManagerQueries {
  constructor(private readonly store: PathwayStore) {}

  async list(actor: Actor, query: unknown): Promise<PathwaySummary[]> {
    authorize(actor, 'pathways:list');
    const parsed = ListFilters.safeParse(query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const filters = parsed.data;
    const results: PathwaySummary[] = [];
    for await (const execution of this.store.executions(visibilityQuery(filters, sitesOf(actor, filters.site, 'pathways:list')))) {
      results.push(summarise(execution));
      if (results.length >= filters.limit) break;
    }
    return results;
  }

  /** Counts and bed-days lost by band, reason, agency and site, from search attributes alone. */
  async delayReport(actor: Actor, query: unknown) {
    authorize(actor, 'reports:read');
    const parsed = ReportFilters.safeParse(query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const filters = parsed.data;
    const totals = { pathways: 0, delayed: 0, bedDaysLost: 0 };
    const by = { band: {} as Tally, reason: {} as Tally, agency: {} as Tally, site: {} as Tally };
    const visibility = `${visibilityQuery({ ...filters, limit: 0 }, sitesOf(actor, filters.site, 'reports:read'))} AND ${keys.dischargeReadyDate.name} IS NOT NULL`;
    for await (const execution of this.store.executions(visibility)) {
      const summary = summarise(execution);
      totals.pathways += 1;
      if (summary.daysDelayed > 0) totals.delayed += 1;
      totals.bedDaysLost += summary.daysDelayed;
      add(by.band, summary.delayBand, summary.daysDelayed);
      add(by.site, summary.site ?? 'unknown', summary.daysDelayed);
      for (const reason of summary.delayReasons) add(by.reason, reason, summary.daysDelayed);
      for (const agency of summary.awaitingAgencies) add(by.agency, agency, summary.daysDelayed);
    }
    return { asOf: today(), totals, byBand: by.band, byReason: by.reason, byAgency: by.agency, bySite: by.site };
  }
}

/** A site-limited actor sees only its own sites; asking for another site is refused, not silently emptied. */
function sitesOf(actor: Actor, requested: string | undefined, permission: 'pathways:list' | 'reports:read'): string[] | undefined {
  if (requested !== undefined && !mayActOnSite(actor, requested)) throw forbidden(permission, `site ${requested} is not one of this user's sites`);
  return actor.sites;
}

type Tally = Record<string, { pathways: number; bedDaysLost: number }>;
function add(tally: Tally, key: string, days: number) {
  tally[key] ??= { pathways: 0, bedDaysLost: 0 };
  tally[key].pathways += 1;
  tally[key].bedDaysLost += days;
}

/** Values come from zod enums or are quoted here, so a filter can never change the query's shape. */
function visibilityQuery(filters: ListFilters, sites: string[] | undefined): string {
  const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const clauses = [`WorkflowType = 'dischargePathway'`];
  if (sites) clauses.push(sites.length > 0 ? `${keys.site.name} IN (${sites.map(quote).join(', ')})` : "WorkflowId = ''");
  if (filters.status === 'open') clauses.push(`ExecutionStatus = 'Running'`);
  if (filters.status === 'closed') clauses.push(`ExecutionStatus != 'Running'`);
  if (filters.stage) clauses.push(`${keys.stage.name} = ${quote(filters.stage)}`);
  if (filters.site) clauses.push(`${keys.site.name} = ${quote(filters.site)}`);
  if (filters.localAuthority) clauses.push(`${keys.localAuthority.name} = ${quote(filters.localAuthority)}`);
  if (filters.reason) clauses.push(`${keys.delayReasons.name} = ${quote(filters.reason)}`);
  if (filters.agency) clauses.push(`${keys.awaitingAgencies.name} = ${quote(filters.agency)}`);
  if (filters.delayedForDays !== undefined) {
    const cutoff = new Date(Date.now() - filters.delayedForDays * 86_400_000);
    cutoff.setUTCHours(23, 59, 59, 999);
    clauses.push(`${keys.dischargeReadyDate.name} <= ${quote(cutoff.toISOString())}`);
    // Still in hospital: once discharged, the delay is history, not a current delay.
    clauses.push(`${keys.dischargeDate.name} IS NULL`);
  }
  return clauses.join(' AND ');
}

function summarise(execution: WorkflowExecutionInfo): PathwaySummary {
  const attributes = execution.typedSearchAttributes;
  const drd = isoDate(attributes.get(keys.dischargeReadyDate));
  const discharged = isoDate(attributes.get(keys.dischargeDate));
  const daysDelayed = drd ? Math.max(0, daysBetween(drd, discharged ?? today())) : 0;
  return {
    pathwayId: execution.workflowId,
    stage: attributes.get(keys.stage),
    pathway: attributes.get(keys.pathway),
    site: attributes.get(keys.site),
    localAuthority: attributes.get(keys.localAuthority),
    dischargeReadyDate: drd,
    dischargeDate: discharged,
    daysDelayed,
    delayedNow: isDelayedNow(daysDelayed, discharged),
    delayBand: delayBand(daysDelayed),
    awaitingAgencies: attributes.get(keys.awaitingAgencies) ?? [],
    delayReasons: attributes.get(keys.delayReasons) ?? [],
    overdueSince: attributes.get(keys.overdueSince)?.toISOString(),
    status: execution.status.name,
  };
}
