import type { ListFilters, SortKey } from '../app/filters';
import { isDelayedNow, type ActiveReason } from '../domain';
import type { Database } from './database';
import { Params, pathwayWhere, stuckSql, whereSql } from './where';

/** One line of the managers' list: codes, dates and agencies, never the patient. */
export interface PathwaySummary {
  pathwayId: string;
  status: 'open' | 'closed';
  stage: string;
  pathway: string | null;
  site: string | null;
  localAuthority: string | null;
  admittedAt: string | null;
  dischargeReadyDate: string | null;
  delayCountsFrom: string | null;
  dischargeDate: string | null;
  daysDelayed: number;
  /** Only while the patient is in hospital: a discharged pathway's delay is history (the domain's isDelayedNow). */
  delayedNow: boolean;
  bedDaysLost: number;
  delayBand: string;
  delayAsOf: string;
  delayReasons: string[];
  reasons: ActiveReason[];
  awaitingAgencies: string[];
  overdueSince: string | null;
  reviewOverdueSince: string | null;
  stuckSince: string | null;
  stuck: boolean;
  lastEventAt: string;
  outcome: string | null;
  closedAt: string | null;
  previousPathwayId: string | null;
  linkedPathwayId: string | null;
}

const summaryColumns = `pathway_id AS "pathwayId", status, stage, pathway, site, local_authority AS "localAuthority",
  admitted_at AS "admittedAt", drd AS "dischargeReadyDate", delay_counts_from AS "delayCountsFrom", discharge_date AS "dischargeDate",
  days_delayed AS "daysDelayed", bed_days_lost AS "bedDaysLost", delay_band AS "delayBand", delay_as_of AS "delayAsOf",
  reason_codes AS "delayReasons", reasons, awaiting_agencies AS "awaitingAgencies", overdue_since AS "overdueSince",
  review_overdue_since AS "reviewOverdueSince", stuck_since AS "stuckSince", last_event_at AS "lastEventAt", outcome,
  closed_at AS "closedAt", previous_pathway_id AS "previousPathwayId", linked_pathway_id AS "linkedPathwayId"`;

/** Each sort key's expression (no NULLs, so keyset pagination is exact) and the type its cursor value is read back as. */
const sorts: Record<SortKey, { sql: string; type: string }> = {
  daysDelayed: { sql: 'days_delayed', type: 'integer' },
  bedDaysLost: { sql: 'bed_days_lost', type: 'integer' },
  lastEventAt: { sql: 'last_event_at', type: 'timestamptz' },
  admittedAt: { sql: "coalesce(admitted_at, '-infinity')", type: 'timestamptz' },
  stuckSince: { sql: "coalesce(stuck_since, 'infinity')", type: 'timestamptz' },
  dischargeDate: { sql: "coalesce(discharge_date, 'infinity')", type: 'date' },
};

export interface Cursor {
  sort: string;
  value: string;
  pathwayId: string;
}

export interface ListQuery {
  filters: ListFilters;
  sites: string[] | undefined;
  stuckForDays: number;
  after?: Cursor;
}

/** A page of the list, and the cursor of the next page (undefined on the last). */
export async function listPathways(db: Database, query: ListQuery): Promise<{ pathways: PathwaySummary[]; next?: Cursor }> {
  const { filters } = query;
  const params = new Params();
  const where = pathwayWhere(filters, query.sites, query.stuckForDays, params);
  const descending = filters.sort.startsWith('-');
  const sort = sorts[filters.sort.replace(/^-/, '') as SortKey];
  if (query.after) {
    where.push(`(${sort.sql}, pathway_id) ${descending ? '<' : '>'} (${params.add(query.after.value)}::${sort.type}, ${params.add(query.after.pathwayId)})`);
  }
  const stuck = stuckSql(params.add(filters.stuckForDays ?? query.stuckForDays));
  const direction = descending ? 'DESC' : 'ASC';
  const { rows } = await db.query<PathwaySummary & { sortValue: string }>(
    `SELECT ${summaryColumns}, ${stuck} AS stuck, (${sort.sql})::text AS "sortValue" FROM pathways ${whereSql(where)}
     ORDER BY ${sort.sql} ${direction}, pathway_id ${direction} LIMIT ${params.add(filters.limit + 1)}`,
    params.values,
  );
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  const next = rows.length > filters.limit && last ? { sort: filters.sort, value: last.sortValue, pathwayId: last.pathwayId } : undefined;
  const pathways = page.map(({ sortValue: _sortValue, ...summary }) => ({ ...summary, delayedNow: isDelayedNow(summary.daysDelayed, summary.dischargeDate ?? undefined) }));
  return { pathways, next };
}
