import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The local system `npm start` runs, as the product finds it: where its data lives and on which
 * ports its servers listen. The CLI reads its development secrets and its token there; the tools
 * (tools/infra) install and start those servers in the same places.
 */

/** Everything downloaded or built lives here, outside the repository, and is reused. */
export const cacheDir = process.env.HOMEWARD_CACHE ?? path.join(os.homedir(), '.cache', 'homeward');

/** Data of the long-lived `npm start` system (Temporal SQLite file, Kafka log dirs, development secrets). */
export const dataDir = process.env.HOMEWARD_DATA_DIR ?? path.join(cacheDir, 'data');

/** The long-lived local servers of `npm start` and `npm run infra`: one place for their ports. */
export const local = {
  temporalPort: Number(process.env.TEMPORAL_PORT ?? 7233),
  kafkaPort: Number(process.env.KAFKA_PORT ?? 9092),
  /** Not 5432, so a PostgreSQL already installed on the machine is left alone. */
  postgresPort: Number(process.env.POSTGRES_PORT ?? 5433),
  /** The development token issuer (discovery + JWKS) that npm start runs on loopback. */
  devIssuerPort: Number(process.env.HOMEWARD_DEV_ISSUER_PORT ?? 8090),
};

/** The read model's user and database on a local PostgreSQL. */
export const databaseUser = 'homeward';
export const databaseName = 'homeward';

export const localDatabaseUrl = (port: number, password: string, database = databaseName) =>
  `postgres://${databaseUser}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/** The read model's local PostgreSQL; its password is the data dir's development secret. */
export const localPostgresUrl = (password: string) => localDatabaseUrl(local.postgresPort, password);

/**
 * Makes `dir` a data dir that no other user can list or write: 0700, or 0711 as root, whose
 * PostgreSQL runs as an OS user of its own that must pass through to its cluster inside (every
 * file there is 0600 and every directory 0700, so passing through reads nothing else).
 */
export function ensureDataDir(dir: string): string {
  const mode = os.userInfo().uid === 0 ? 0o711 : 0o700;
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chmodSync(dir, mode);
  return dir;
}
