import { connectDatabase } from '../readmodel/database';
import { checkSchema, migrate, migrations } from '../readmodel/migrate';
import { databaseUrl } from './projections';

/**
 * `homeward migrate`: the read model's migrations as a step of their own, before a release's
 * processes start (npm start's first step, the chart's pre-install/pre-upgrade Job); the processes
 * only check that the schema is theirs. `--check` changes nothing: exit 0 when the schema is this
 * release's, 1 naming what differs.
 */
export async function migrateReadModel(checkOnly: boolean, say: (line: string) => void): Promise<number> {
  const db = connectDatabase(databaseUrl(), { application: 'homeward-migrate', max: 1 });
  try {
    const known = migrations();
    if (!checkOnly) {
      const started = Date.now();
      const applied = await migrate(db, known);
      for (const name of applied) say(`  applied ${name}`);
      say(
        `${applied.length === 0 ? 'Nothing to apply' : `Applied ${applied.length} migrations`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    const { version } = await checkSchema(db, known);
    say(`The read model's schema is at version ${version} (${known.at(-1)?.name}), this release's`);
    return 0;
  } finally {
    await db.end();
  }
}
