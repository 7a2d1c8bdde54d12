import type { PathwayFilters } from '../app/filters';
import type { Database } from './database';
import { Params, pathwayWhere, whereSql } from './where';

export interface Tally {
  pathways: number;
  /** Of those, delayed by a day or more now (or when discharged). */
  delayed: number;
  /** Bed-days lost across every DRD episode of those stays. */
  bedDaysLost: number;
}

export const dimensions = ['band', 'reason', 'agency', 'site', 'localAuthority', 'pathway'] as const;
export type Dimension = (typeof dimensions)[number];

export interface DelayReport {
  totals: Tally;
  by: Record<Dimension, Record<string, Tally>>;
}

/** Each dimension's key per row; reasons and agencies are lists, so a stay counts once under each of its own. */
const keys: Record<Dimension, string> = {
  band: 'ARRAY[delay_band]',
  reason: 'reason_codes',
  agency: 'reason_agencies',
  site: "ARRAY[coalesce(site, 'unknown')]",
  localAuthority: "ARRAY[coalesce(local_authority, 'unknown')]",
  pathway: "ARRAY[coalesce(pathway, 'none')]",
};

/**
 * Counts and bed-days lost of the stays with a discharge ready date (now or in an earlier
 * episode), by each dimension, from the rows the projector computed with the domain's functions.
 */
export async function delayReport(db: Database, filters: PathwayFilters, sites: string[] | undefined, stuckForDays: number): Promise<DelayReport> {
  const params = new Params();
  const where = [...pathwayWhere(filters, sites, stuckForDays, params), '(drd IS NOT NULL OR bed_days_lost > 0)'];
  const tally = `count(*)::int AS pathways, (count(*) FILTER (WHERE days_delayed > 0))::int AS delayed, coalesce(sum(bed_days_lost), 0)::int AS "bedDaysLost"`;
  const { rows } = await db.query<Tally & { dimension: string; key: string }>(
    // Only the columns counted: the CTE is materialised (read seven times), and a row's folded state is kilobytes.
    `WITH chosen AS (SELECT delay_band, reason_codes, reason_agencies, site, local_authority, pathway, days_delayed, bed_days_lost FROM pathways ${whereSql(where)})
     SELECT 'totals' AS dimension, 'all' AS key, ${tally} FROM chosen
     ${dimensions.map((dimension) => `UNION ALL SELECT '${dimension}', k, ${tally} FROM chosen, unnest(${keys[dimension]}) AS k GROUP BY k`).join('\n     ')}`,
    params.values,
  );
  const by = Object.fromEntries(dimensions.map((d) => [d, {}])) as DelayReport['by'];
  let totals: Tally = { pathways: 0, delayed: 0, bedDaysLost: 0 };
  for (const { dimension, key, pathways, delayed, bedDaysLost } of rows) {
    if (dimension === 'totals') totals = { pathways, delayed, bedDaysLost };
    else by[dimension as Dimension][key] = { pathways, delayed, bedDaysLost };
  }
  return { totals, by };
}
