import type { PathwayFilters } from '../app/filters';
import { delayBands } from '../domain';
import type { Database } from './database';
import { band, bedDaysLost, delayedNow, reported } from './figures';
import { Params, pathwayWhere, whereSql } from './pathways/where';

export interface Tally {
  pathways: number;
  /** Of those, delayed now: still in hospital and delayed a day or more (figures.ts). */
  delayed: number;
  /** Bed-days lost across every DRD episode of those stays. */
  bedDaysLost: number;
}

export const dimensions = ['band', 'reason', 'agency', 'site', 'localAuthority', 'pathway'] as const;
export type Dimension = (typeof dimensions)[number];

export interface DelayReport {
  totals: Tally;
  /** Each dimension's keys in order: bands in their natural order (every band, then `none`), the others alphabetical. */
  by: Record<Dimension, Record<string, Tally>>;
}

/** The single-valued dimensions, each never NULL; reasons and agencies are lists, so a stay counts once under each of its own. */
const singleKeys = {
  band: `coalesce(${band.sql}, 'none')`,
  site: "coalesce(site, 'unknown')",
  localAuthority: "coalesce(local_authority, 'unknown')",
  pathway: "coalesce(pathway, 'none')",
} satisfies Partial<Record<Dimension, string>>;
const singles = Object.keys(singleKeys) as (keyof typeof singleKeys)[];
const single = singles.map((d) => `${singleKeys[d]} AS "${d}",`).join(' ');

const zero = (): Tally => ({ pathways: 0, delayed: 0, bedDaysLost: 0 });

/** A dimension's tallies in its order: every band in the natural order (zeros too) and then `none`; other keys alphabetical. */
function ordered(dimension: Dimension, tallies: Map<string, Tally>): Record<string, Tally> {
  if (dimension === 'band') {
    const none = tallies.get('none');
    return { ...Object.fromEntries(delayBands.map((b) => [b, tallies.get(b) ?? zero()])), ...(none ? { none } : {}) };
  }
  return Object.fromEntries([...tallies].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Counts and bed-days lost of the stays with a discharge ready date (now or in an earlier
 * episode), by each dimension, from the rows the projector computed with the domain's functions.
 */
export async function delayReport(
  db: Database,
  filters: PathwayFilters,
  sites: string[] | undefined,
  stuckForDays: number,
): Promise<DelayReport> {
  const params = new Params();
  const where = [...pathwayWhere(filters, sites, stuckForDays, params), reported.sql];
  const tally = `count(*)::int AS pathways, (count(*) FILTER (WHERE delayed_now))::int AS delayed, coalesce(sum(bed_days_lost), 0)::int AS "bedDaysLost"`;
  const { rows } = await db.query<Tally & { dimension: string; key: string }>(
    // Only the columns counted: the CTE is materialised and read twice, and a row's folded state is
    // kilobytes. The single-valued dimensions share one pass (grouping sets), the lists another.
    `WITH chosen AS MATERIALIZED (SELECT ${single} ${delayedNow.sql} AS delayed_now, ${bedDaysLost.sql} AS bed_days_lost, reason_codes, reason_agencies
       FROM pathways ${whereSql(where)})
     SELECT CASE ${singles.map((d) => `WHEN grouping("${d}") = 0 THEN '${d}'`).join(' ')} ELSE 'totals' END AS dimension,
       coalesce(${singles.map((d) => `"${d}"`).join(', ')}, 'all') AS key, ${tally}
     FROM chosen GROUP BY GROUPING SETS ((), ${singles.map((d) => `("${d}")`).join(', ')})
     UNION ALL SELECT dimension, key, ${tally} FROM chosen,
       LATERAL (SELECT 'reason', unnest(reason_codes) UNION ALL SELECT 'agency', unnest(reason_agencies)) AS listed(dimension, key)
     GROUP BY dimension, key`,
    params.values,
  );
  const found = new Map(dimensions.map((d) => [d, new Map<string, Tally>()]));
  let totals = zero();
  for (const { dimension, key, pathways, delayed, bedDaysLost: lost } of rows) {
    if (dimension === 'totals') totals = { pathways, delayed, bedDaysLost: lost };
    else found.get(dimension as Dimension)!.set(key, { pathways, delayed, bedDaysLost: lost });
  }
  const by = Object.fromEntries(dimensions.map((d) => [d, ordered(d, found.get(d)!)])) as DelayReport['by'];
  return { totals, by };
}
