import type { AgencyListFilters, ListFilters, SortKey } from '../../app/filters';
import type { ActiveReason } from '../../domain';
import type { Database } from '../database';
import { band, delayedNow, stuck, stuckReason, type StuckCode } from '../figures';
import { Params, pathwayWhere, whereSql } from './where';

/** One line of the managers' list: codes, dates and agencies, and the patient only as initials and an age band. */
export interface PathwaySummary {
  pathwayId: string;
  /** Whom the row is about, minimised (projections/patient-summary.ts); null until the projector has derived it. */
  patientInitials: string | null;
  ageBand: string | null;
  status: 'open' | 'closed';
  stage: string;
  pathway: string | null;
  site: string | null;
  localAuthority: string | null;
  ward: string | null;
  admittedAt: string | null;
  dischargeReadyDate: string | null;
  delayCountsFrom: string | null;
  dischargeDate: string | null;
  daysDelayed: number;
  /** Only while the patient is in hospital: a discharged or closed pathway's delay is history (figures.ts). */
  delayedNow: boolean;
  bedDaysLost: number;
  /** Null for a stay whose discharge ready date has not come (none, one for a later day, or one cleared). */
  delayBand: string | null;
  delayAsOf: string;
  delayReasons: string[];
  reasons: ActiveReason[];
  awaitingAgencies: string[];
  overdueSince: string | null;
  reviewOverdueSince: string | null;
  stuckSince: string | null;
  stuck: boolean;
  /** Why it is stuck (a referral's or a review's missed deadline, or no event) and since when; null when it is not. */
  stuckReason: { code: StuckCode; since: string } | null;
  lastEventAt: string;
  outcome: string | null;
  closedAt: string | null;
  previousPathwayId: string | null;
  linkedPathwayId: string | null;
}

/** The patient's initials and age band, from their own table (the only patient columns the read model holds in clear). */
export const patientColumns = `(SELECT initials FROM pathway_patients pp WHERE pp.pathway_id = pathways.pathway_id) AS "patientInitials",
  (SELECT age_band FROM pathway_patients pp WHERE pp.pathway_id = pathways.pathway_id) AS "ageBand"`;

const summaryColumns = `pathway_id AS "pathwayId", ${patientColumns}, status, stage, pathway, site, local_authority AS "localAuthority", ward,
  admitted_at AS "admittedAt", drd AS "dischargeReadyDate", delay_counts_from AS "delayCountsFrom", discharge_date AS "dischargeDate",
  days_delayed AS "daysDelayed", ${delayedNow.sql} AS "delayedNow", bed_days_lost AS "bedDaysLost", ${band.sql} AS "delayBand", delay_as_of AS "delayAsOf",
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

/** A page sorted by `sortName` after `after` (keyset pagination), and the cursor of the next page. */
async function keysetPage<Row>(
  db: Database,
  query: { select: string; where: string[]; params: Params; sortName: string; limit: number; after?: Cursor },
): Promise<{ rows: Row[]; next?: Cursor }> {
  const { where, params } = query;
  const descending = query.sortName.startsWith('-');
  const sort = sorts[query.sortName.replace(/^-/, '') as SortKey];
  if (query.after) {
    where.push(
      `(${sort.sql}, pathway_id) ${descending ? '<' : '>'} (${params.add(query.after.value)}::${sort.type}, ${params.add(query.after.pathwayId)})`,
    );
  }
  const direction = descending ? 'DESC' : 'ASC';
  const { rows } = await db.query<Row & { sortValue: string; pathwayId: string }>(
    `SELECT ${query.select}, (${sort.sql})::text AS "sortValue" FROM pathways ${whereSql(where)}
     ORDER BY ${sort.sql} ${direction}, pathway_id ${direction} LIMIT ${params.add(query.limit + 1)}`,
    params.values,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next =
    rows.length > query.limit && last
      ? { sort: query.sortName, value: last.sortValue, pathwayId: last.pathwayId }
      : undefined;
  return { rows: page.map(({ sortValue: _sortValue, ...row }) => row as unknown as Row), next };
}

/** A page of the list, and the cursor of the next page (undefined on the last). */
export async function listPathways(
  db: Database,
  query: ListQuery,
): Promise<{ pathways: PathwaySummary[]; next?: Cursor }> {
  const { filters } = query;
  const params = new Params();
  const where = pathwayWhere(filters, query.sites, query.stuckForDays, params);
  const isStuck = stuck.sql(params.add(filters.stuckForDays ?? query.stuckForDays));
  const { rows, next } = await keysetPage<PathwaySummary>(db, {
    select: `${summaryColumns}, ${isStuck} AS stuck`,
    where,
    params,
    sortName: filters.sort,
    limit: filters.limit,
    after: query.after,
  });
  return { pathways: rows.map((row) => ({ ...row, stuckReason: stuckReason(row) })), next };
}

/**
 * One line of an agency's list: the stay's codes and dates and whether a reply is awaited from
 * this agency. Nothing about other agencies, delay reasons or bed-days: those are the managers'.
 */
export interface AgencyPathwaySummary {
  pathwayId: string;
  status: 'open' | 'closed';
  stage: string;
  pathway: string | null;
  site: string | null;
  admittedAt: string | null;
  dischargeReadyDate: string | null;
  dischargeDate: string | null;
  awaitingYourResponse: boolean;
  lastEventAt: string;
  closedAt: string | null;
}

export interface AgencyListQuery {
  agency: string;
  filters: AgencyListFilters;
  after?: Cursor;
}

/** A page of the pathways an agency has been referred on or sent events of (the GP), and the next page's cursor. */
export async function listAgencyPathways(
  db: Database,
  query: AgencyListQuery,
): Promise<{ pathways: AgencyPathwaySummary[]; next?: Cursor }> {
  const params = new Params();
  const where = pathwayWhere(query.filters, undefined, 0, params);
  const agency = params.add(query.agency);
  where.push(`(${agency} = ANY(referral_agencies) OR ${agency} = ANY(informed_agencies))`);
  const select = `pathway_id AS "pathwayId", status, stage, pathway, site, admitted_at AS "admittedAt", drd AS "dischargeReadyDate",
    discharge_date AS "dischargeDate", ${agency} = ANY(awaiting_agencies) AS "awaitingYourResponse", last_event_at AS "lastEventAt",
    closed_at AS "closedAt"`;
  const { rows, next } = await keysetPage<AgencyPathwaySummary>(db, {
    select,
    where,
    params,
    sortName: query.filters.sort,
    limit: query.filters.limit,
    after: query.after,
  });
  return { pathways: rows, next };
}
