import type { PathwayFilters } from '../../app/filters';
import { delayedForDays, forReason, handoverDeclined, reviewOverdue, stuck, waitingOn } from '../figures';

/** Values for a query's $1, $2 …: a filter adds its value here and only a placeholder to the SQL. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The WHERE clauses of a filtered read of `pathways`. `sites` (a site-limited actor's) restricts
 * to those sites whatever the filters say. Date ranges are whole UTC days, both ends included.
 */
export function pathwayWhere(
  filters: PathwayFilters,
  sites: string[] | undefined,
  stuckForDays: number,
  params: Params,
): string[] {
  const where: string[] = [];
  const day = (value: string) => `${params.add(value)}::date`;
  if (filters.status !== 'all') where.push(`status = ${params.add(filters.status)}`);
  if (sites) where.push(`site = ANY(${params.add(sites)}::text[])`);
  if (filters.stage) where.push(`stage = ${params.add(filters.stage)}`);
  if (filters.site) where.push(`site = ${params.add(filters.site)}`);
  if (filters.localAuthority) where.push(`local_authority = ${params.add(filters.localAuthority)}`);
  if (filters.pathway) where.push(`pathway = ${params.add(filters.pathway)}`);
  if (filters.reason) where.push(forReason.sql(params.add(filters.reason)));
  if (filters.agency) where.push(waitingOn.sql(params.add(filters.agency)));
  if (filters.delayedForDays !== undefined) where.push(delayedForDays.sql(params.add(filters.delayedForDays)));
  if (filters.stuck !== undefined) {
    const isStuck = stuck.sql(params.add(filters.stuckForDays ?? stuckForDays));
    where.push(filters.stuck ? isStuck : `NOT ${isStuck}`);
  }
  if (filters.reviewOverdue !== undefined)
    where.push(filters.reviewOverdue ? reviewOverdue.sql : `NOT (${reviewOverdue.sql})`);
  if (filters.handoverDeclined !== undefined)
    where.push(filters.handoverDeclined ? handoverDeclined.sql : `NOT (${handoverDeclined.sql})`);
  if (filters.admittedFrom) where.push(`admitted_at >= ${day(filters.admittedFrom)}`);
  if (filters.admittedTo) where.push(`admitted_at < ${day(filters.admittedTo)} + 1`);
  if (filters.dischargedFrom) where.push(`discharge_date >= ${day(filters.dischargedFrom)}`);
  if (filters.dischargedTo) where.push(`discharge_date <= ${day(filters.dischargedTo)}`);
  if (filters.closedFrom) where.push(`closed_at >= ${day(filters.closedFrom)}`);
  if (filters.closedTo) where.push(`closed_at < ${day(filters.closedTo)} + 1`);
  return where;
}

export const whereSql = (where: string[]) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');
