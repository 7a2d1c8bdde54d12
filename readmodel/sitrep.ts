import { delayBands } from '../domain';
import type { Database } from './database';
import { onDay } from './figures';
import { Params } from './pathways/where';

export interface SitrepCounts {
  site: string;
  /** Patients in hospital that day with a discharge ready date. */
  patientsWithDrd: number;
  /** Of those, delayed a day or more (delayed now, on that day: figures.ts). */
  delayed: number;
  /** Beds lost that day (Scotland's allowance days excluded). */
  bedDaysLost: number;
  /** Every band, in the natural order. */
  byBand: Record<string, number>;
  byReason: Record<string, number>;
  byPathway: Record<string, number>;
}

/** One day's SitRep-style counts per site, from the day rows the projector keeps. */
export async function sitrep(db: Database, day: string, sites: string[] | undefined): Promise<SitrepCounts[]> {
  const params = new Params();
  const where = [`day = ${params.add(day)}::date`];
  if (sites) where.push(`site = ANY(${params.add(sites)}::text[])`);
  const { rows } = await db.query<{ site: string; dimension: string; key: string; n: number }>(
    `WITH d AS (SELECT coalesce(site, 'unknown') AS site, days_delayed, bed_day_lost, delay_band, pathway, reason_codes FROM pathway_days WHERE ${where.join(' AND ')})
     SELECT site, 'all' AS dimension, 'drd' AS key, count(*)::int AS n FROM d GROUP BY site
     UNION ALL SELECT site, 'all', 'delayed', count(*)::int FROM d WHERE ${onDay.delayed} GROUP BY site
     UNION ALL SELECT site, 'all', 'lost', count(*)::int FROM d WHERE ${onDay.bedLost} GROUP BY site
     UNION ALL SELECT site, 'band', delay_band, count(*)::int FROM d GROUP BY site, delay_band
     UNION ALL SELECT site, 'pathway', coalesce(pathway, 'none'), count(*)::int FROM d GROUP BY site, pathway
     UNION ALL SELECT site, 'reason', r, count(*)::int FROM d, unnest(reason_codes) AS r GROUP BY site, r`,
    params.values,
  );
  const bySite = new Map<string, SitrepCounts>();
  for (const { site, dimension, key, n } of rows) {
    const counts = bySite.get(site) ?? {
      site,
      patientsWithDrd: 0,
      delayed: 0,
      bedDaysLost: 0,
      byBand: Object.fromEntries(delayBands.map((b) => [b, 0])),
      byReason: {},
      byPathway: {},
    };
    bySite.set(site, counts);
    if (dimension === 'all')
      counts[key === 'drd' ? 'patientsWithDrd' : key === 'delayed' ? 'delayed' : 'bedDaysLost'] = n;
    else if (dimension === 'band') counts.byBand[key] = n;
    else if (dimension === 'pathway') counts.byPathway[key] = n;
    else counts.byReason[key] = n;
  }
  return [...bySite.values()].sort((a, b) => a.site.localeCompare(b.site));
}
