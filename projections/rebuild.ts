import { inTransaction, type Database } from '../readmodel/database';
import { pathwayDaysReadModel } from '../readmodel/pathway-days';
import { pathwaysReadModel } from '../readmodel/pathways';
import { builtVersions, recordVersions, rowsToRebuild, versionOf, type ReadModel } from '../readmodel/read-model';
import { reproject } from './store';

/** The read models the projector computes, each from a pathway's events: a rebuild recomputes a pathway's rows in all of them together. */
export const readModels: readonly ReadModel[] = [pathwaysReadModel, pathwayDaysReadModel];

/**
 * Recomputes pathways' rows and days from `pathway_events` alone, without Kafka: every pathway, or
 * (`where`, a condition on `pathways`) those whose row it picks. Runs beside a live projector
 * safely: both recompute a pathway from its stored events the same way.
 */
export async function rebuildPathways(
  db: Database,
  today: string,
  chunk = 500,
  progress?: (done: number) => void,
  where?: string,
): Promise<number> {
  const pick = where
    ? `SELECT pathway_id FROM pathways WHERE pathway_id > $1 AND (${where}) ORDER BY pathway_id LIMIT $2`
    : 'SELECT DISTINCT pathway_id FROM pathway_events WHERE pathway_id > $1 ORDER BY pathway_id LIMIT $2';
  let after = '';
  let done = 0;
  for (;;) {
    const { rows } = await db.query<{ pathway_id: string }>(pick, [after, chunk]);
    if (rows.length === 0) break;
    const ids = rows.map((row) => row.pathway_id);
    done += await inTransaction(db, (client) => reproject(client, ids, today));
    progress?.(done);
    after = ids.at(-1)!;
  }
  if (!where)
    await db.query(
      'DELETE FROM pathways p WHERE NOT EXISTS (SELECT 1 FROM pathway_events e WHERE e.pathway_id = p.pathway_id)',
    );
  return done;
}

/**
 * `homeward projections rebuild`: brings every read model's rows to this release's version,
 * recomputing only the pathways the versions since their recorded one name (every pathway when
 * none is recorded, or with `every`), then records the versions.
 */
export async function rebuildReadModels(
  db: Database,
  today: string,
  options: {
    every?: boolean;
    progress?: (done: number) => void;
    say?: (line: string) => void;
    models?: readonly ReadModel[];
  } = {},
): Promise<number> {
  const models = options.models ?? readModels;
  const plan = options.every
    ? { every: true as const, why: ['every pathway, as asked'] }
    : rowsToRebuild(models, await builtVersions(db, models));
  for (const line of plan.why) options.say?.(line);
  const rebuilt = plan.every
    ? await rebuildPathways(db, today, 500, options.progress)
    : plan.where.length > 0
      ? await rebuildPathways(
          db,
          today,
          500,
          options.progress,
          plan.where.map((condition) => `(${condition})`).join(' OR '),
        )
      : 0;
  await recordVersions(db, models);
  options.say?.(`Read models at ${models.map((model) => `${model.name} version ${versionOf(model)}`).join(', ')}`);
  return rebuilt;
}
