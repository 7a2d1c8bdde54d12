import type { Database } from './database';

/** How fresh the read model is: the last event it applied, when, and how many events it has still to read. */
export interface Freshness {
  lastEventAt: string | null;
  appliedAt: string | null;
  /** Events on the broker the projector has not applied yet, as of `checkedAt`. */
  lagEvents: number;
  checkedAt: string | null;
}

/** Events of a row of `projector_offsets` (a partition) not applied yet: from its next offset (or its start, before the first) to its end. */
export const partitionLagSql = 'greatest(coalesce(end_offset, 0) - coalesce(next_offset, start_offset, 0), 0)';

export async function freshness(db: Database): Promise<Freshness> {
  const { rows } = await db.query<Freshness>(
    `SELECT max(last_event_at) AS "lastEventAt", max(applied_at) AS "appliedAt", max(checked_at) AS "checkedAt",
       coalesce(sum(${partitionLagSql}), 0)::int AS "lagEvents"
     FROM projector_offsets`,
  );
  return rows[0];
}

/** For /health: the projector is lagging when events wait, stale when it has not looked at the broker lately. */
export function projectorStatus(fresh: Freshness, now = Date.now()): 'ok' | 'lagging' | 'stale' {
  if (!fresh.checkedAt || now - Date.parse(fresh.checkedAt) > 30_000) return 'stale';
  return fresh.lagEvents > 0 ? 'lagging' : 'ok';
}
