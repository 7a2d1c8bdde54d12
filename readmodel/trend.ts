import type { Database } from './database';
import { forReason, onDay, waitingOn } from './figures';
import { Params } from './pathways/where';

export interface TrendDay {
  day: string;
  patientsWithDrd: number;
  delayed: number;
  bedDaysLost: number;
}

/**
 * Per day over the last `days` days (today included), from the day rows; days with nobody count
 * zero. A reason or agency selects the days a stay stood held up for it (figures.ts, as the list).
 */
export async function delayTrend(
  db: Database,
  query: { days: number; site?: string; localAuthority?: string; reason?: string; agency?: string; sites?: string[] },
): Promise<TrendDay[]> {
  const params = new Params();
  const on = ['d.day = g.day'];
  if (query.site) on.push(`d.site = ${params.add(query.site)}`);
  if (query.localAuthority) on.push(`d.local_authority = ${params.add(query.localAuthority)}`);
  if (query.sites) on.push(`d.site = ANY(${params.add(query.sites)}::text[])`);
  if (query.reason) on.push(forReason.sql(params.add(query.reason)));
  if (query.agency) on.push(waitingOn.sql(params.add(query.agency)));
  const { rows } = await db.query<TrendDay>(
    `SELECT to_char(g.day, 'YYYY-MM-DD') AS day, count(d.day)::int AS "patientsWithDrd",
       (count(d.day) FILTER (WHERE ${onDay.delayed}))::int AS delayed, (count(d.day) FILTER (WHERE ${onDay.bedLost}))::int AS "bedDaysLost"
     FROM generate_series(current_date - (${params.add(query.days - 1)}::int), current_date, interval '1 day') AS g(day)
     LEFT JOIN pathway_days d ON ${on.join(' AND ')}
     GROUP BY g.day ORDER BY g.day`,
    params.values,
  );
  return rows;
}
