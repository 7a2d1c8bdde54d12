import type { Database } from './database';

/**
 * A read model: one table the projector computes from the pathway events, in a folder of its own
 * (its row type and fold, its columns, its queries, its specs) with a name and a version. A
 * version changes when the rows this release would compute differ from those an earlier one
 * computed (a rule, a column, a figure); the version says which rows differ, and
 * `homeward projections rebuild` recomputes only those.
 */
export interface ReadModel {
  name: string;
  table: string;
  /** The migrations (readmodel/migrations) that made and shaped its table. */
  migrations: string[];
  /** Oldest first; the last is what this release computes. */
  versions: ReadModelVersion[];
}

export interface ReadModelVersion {
  version: number;
  /** What changed, for the operator who runs the rebuild. */
  change: string;
  /** The pathways whose rows differ: all of them, or those a condition on their `pathways` row picks. */
  rebuild: 'every pathway' | { where: string };
}

export const versionOf = (model: ReadModel): number => model.versions.at(-1)!.version;

/** The pathways a rebuild recomputes: every one, or those any of `where` picks (none when `where` is empty). */
export type Rebuild = { every: true; why: string[] } | { every: false; where: string[]; why: string[] };

/**
 * What a rebuild recomputes, given the version each read model's stored rows were built by
 * (`built`; none recorded: rows of unknown version, so every pathway): the rows each later
 * version names, for every read model at once, since a pathway's rows are recomputed together.
 */
export function rowsToRebuild(models: readonly ReadModel[], built: ReadonlyMap<string, number>): Rebuild {
  const why: string[] = [];
  const where: string[] = [];
  let every = false;
  for (const model of models) {
    const from = built.get(model.name);
    if (from === undefined) {
      every = true;
      why.push(`${model.name}: no version recorded for its rows; every pathway, to version ${versionOf(model)}`);
      continue;
    }
    for (const step of model.versions.filter((v) => v.version > from)) {
      why.push(`${model.name} ${from} → ${step.version}: ${step.change}`);
      if (step.rebuild === 'every pathway') every = true;
      else where.push(step.rebuild.where);
    }
  }
  return every ? { every, why } : { every, where, why };
}

/** Where a table's rows say which version built them: the table's comment, so it goes with the table into a backup. */
const marker = (model: ReadModel, version: number) => `homeward read model ${model.name} version ${version}`;

/** The version each read model's stored rows were built by, where one was recorded. */
export async function builtVersions(db: Database, models: readonly ReadModel[]): Promise<Map<string, number>> {
  const built = new Map<string, number>();
  for (const model of models) {
    const { rows } = await db.query<{ comment: string | null }>(
      `SELECT obj_description($1::regclass, 'pg_class') AS comment`,
      [model.table],
    );
    const found = rows[0]?.comment?.match(/^homeward read model (\S+) version (\d+)$/);
    if (found && found[1] === model.name) built.set(model.name, Number(found[2]));
  }
  return built;
}

/** Records that every row of these read models is now as this release computes it. */
export async function recordVersions(db: Database, models: readonly ReadModel[]): Promise<void> {
  // COMMENT takes no parameter: the text is the code's own (a name and a number), quoted as a literal.
  for (const model of models)
    await db.query(`COMMENT ON TABLE ${model.table} IS '${marker(model, versionOf(model)).replace(/'/g, "''")}'`);
}
