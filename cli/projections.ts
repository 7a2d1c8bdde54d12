import { readDevSecrets } from '../config/dev-secrets';
import { rebuildPathways } from '../projections/rebuild';
import { connectDatabase } from '../readmodel/database';
import { migrate } from '../readmodel/migrate';
import { localPostgresUrl } from '../scripts/infra/local';
import { paths } from '../scripts/infra/paths';
import { UsageError } from './args';

/** The read model's database: DATABASE_URL, else the local one npm start runs (its password from the data dir). */
function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const secrets = readDevSecrets(paths.dataDir);
  if (!secrets?.postgresPassword) throw new Error(`No DATABASE_URL and no local PostgreSQL password in ${paths.dataDir}: set DATABASE_URL, or run \`npm start\` once first`);
  return localPostgresUrl(secrets.postgresPassword);
}

/**
 * `homeward projections rebuild`: recomputes every pathway's row and days from pathway_events,
 * straight against PostgreSQL (no Kafka, no API): after a rule change, every stay ever recorded
 * is read by the new rules. Safe while the projector runs.
 */
export async function projections(action: string | undefined, say: (line: string) => void): Promise<number> {
  if (action !== 'rebuild') throw new UsageError('Only `homeward projections rebuild` exists');
  const db = connectDatabase(databaseUrl(), { application: 'homeward-rebuild', max: 2 });
  try {
    await migrate(db);
    const started = Date.now();
    const count = await rebuildPathways(db, new Date().toISOString().slice(0, 10), 500, (done) => say(`  … ${done} pathways`));
    say(`Rebuilt ${count} pathways from pathway_events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await db.end();
  }
}
