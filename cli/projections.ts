import { PersonalDataCipher } from '../codec/personal-data-cipher';
import { readDevSecrets } from '../config/dev-secrets';
import { withSecretFiles } from '../config/secret-files';
import { queueForResealing, sealQueuedEvents } from '../projections/personal-data';
import { rebuildReadModels } from '../projections/rebuild';
import { connectDatabase, type Database } from '../readmodel/database';
import { checkSchema } from '../readmodel/migrate';
import { dataDir, localPostgresUrl } from '../runtime/local';
import { UsageError } from './args';

/** A setting from the environment, else from the data dir npm start runs with. */
function setting(
  name: string,
  fromDevSecrets: (secrets: NonNullable<ReturnType<typeof readDevSecrets>>) => string | undefined,
): string {
  const secrets = readDevSecrets(dataDir);
  const value = secrets && fromDevSecrets(secrets);
  if (!value) throw new Error(`No ${name} and none in ${dataDir}: set ${name}, or run \`npm start\` once first`);
  return value;
}

/** The read model's database: DATABASE_URL, else the local one npm start runs (its password from the data dir). */
export const databaseUrl = (): string =>
  withSecretFiles(process.env).DATABASE_URL ??
  localPostgresUrl(setting('DATABASE_URL', (secrets) => secrets.postgresPassword));

/** The codec keys: HOMEWARD_CODEC_KEYS, else npm start's. */
const codecKeys = (): string =>
  withSecretFiles(process.env).HOMEWARD_CODEC_KEYS ?? setting('HOMEWARD_CODEC_KEYS', (secrets) => secrets.codecKeys);

/**
 * `homeward projections rebuild [--all]`: recomputes pathways' rows and days from pathway_events,
 * straight against PostgreSQL (no Kafka, no API): after a rule change, the stays whose rows it
 * changes (each read model's version says which: readmodel/<read model>/index.ts) are read by the new rules;
 * `--all`, every stay ever recorded. Safe while the projector runs; needs no key (rows hold no personal data).
 *
 * `homeward projections reseal`: after a new key is put first in HOMEWARD_CODEC_KEYS, seals every
 * event's personal data again under it, so the older keys are no longer needed to read the read
 * model. Safe while the projector runs.
 */
export async function projections(
  action: string | undefined,
  say: (line: string) => void,
  args: string[] = [],
): Promise<number> {
  if (action !== 'rebuild' && action !== 'reseal')
    throw new UsageError('Only `homeward projections rebuild` and `homeward projections reseal` exist');
  // A malformed key setting is refused before connecting to anything.
  const every = args.includes('--all');
  const unknown = args.filter((arg) => arg !== '--all' || action !== 'rebuild');
  if (unknown.length > 0)
    throw new UsageError(
      `Unknown argument ${unknown[0]}: \`homeward projections rebuild\` takes only --all, \`reseal\` none`,
    );
  const cipher = action === 'reseal' ? PersonalDataCipher.fromSetting(codecKeys()) : undefined;
  const db = connectDatabase(databaseUrl(), { application: `homeward-${action}`, max: 2 });
  try {
    await checkSchema(db);
    return cipher ? await reseal(db, cipher, say) : await rebuild(db, say, every);
  } finally {
    await db.end();
  }
}

async function rebuild(db: Database, say: (line: string) => void, every: boolean): Promise<number> {
  const started = Date.now();
  const count = await rebuildReadModels(db, new Date().toISOString().slice(0, 10), {
    every,
    say,
    progress: (done) => say(`  … ${done} pathways`),
  });
  say(`Rebuilt ${count} pathways from pathway_events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

async function reseal(db: Database, cipher: PersonalDataCipher, say: (line: string) => void): Promise<number> {
  const queued = await queueForResealing(db, cipher);
  const { sealed, unopened, reason } = await sealQueuedEvents(db, cipher);
  say(`Sealed ${sealed} events under key id "${cipher.sealingKeyId}" (${queued} were under older keys)`);
  if (unopened === 0) return 0;
  say(`${unopened} events could not be opened and stay queued: ${reason}`);
  return 1;
}
