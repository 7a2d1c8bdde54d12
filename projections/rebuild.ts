import { inTransaction, type Database } from '../readmodel/database';
import { reproject } from './store';

/**
 * Recomputes every pathway's row and days from `pathway_events` alone, without Kafka: after a
 * rule change, the read model says what the new rules say about every stay ever recorded. Runs
 * beside a live projector safely: both recompute a pathway from its stored events the same way.
 */
export async function rebuildPathways(db: Database, today: string, chunk = 500, progress?: (done: number) => void): Promise<number> {
  let after = '';
  let done = 0;
  for (;;) {
    const { rows } = await db.query<{ pathway_id: string }>(
      'SELECT DISTINCT pathway_id FROM pathway_events WHERE pathway_id > $1 ORDER BY pathway_id LIMIT $2',
      [after, chunk],
    );
    if (rows.length === 0) break;
    const ids = rows.map((row) => row.pathway_id);
    done += await inTransaction(db, (client) => reproject(client, ids, today));
    progress?.(done);
    after = ids.at(-1)!;
  }
  await db.query('DELETE FROM pathways p WHERE NOT EXISTS (SELECT 1 FROM pathway_events e WHERE e.pathway_id = p.pathway_id)');
  return done;
}
