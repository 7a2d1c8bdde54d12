import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Pinned versions: see ../shared/infra.md for why each is the one it is. */
export const versions = {
  // v1.5.1 is the last tag whose go.mod has no `replace` directive, so `go install` works.
  temporalCli: '1.5.1',
  temporalTestServer: '1.32.1',
  // The production profile's server: 1.31.x needs a module the Go proxy refuses; 1.30.4 builds.
  temporalServer: '1.30.4',
  // kafkajs 2.2.4 is untested against Kafka 4.x.
  kafka: '3.9.1',
} as const;

/** Everything downloaded or built lives here, outside the repository, and is reused. */
export const cacheDir = process.env.HOMEWARD_CACHE ?? path.join(os.homedir(), '.cache', 'homeward');

export const paths = {
  temporalCli: path.join(cacheDir, `temporal-cli-${versions.temporalCli}`, 'bin', 'temporal'),
  testServerDir: path.join(cacheDir, `temporal-test-server-${versions.temporalTestServer}`),
  testServerWrapper: path.join(cacheDir, `temporal-test-server-${versions.temporalTestServer}`, 'run.sh'),
  /** The Temporal server binary and its SQL schema tool (production profile). */
  temporalServerDir: path.join(cacheDir, `temporal-server-${versions.temporalServer}`),
  temporalServer: path.join(cacheDir, `temporal-server-${versions.temporalServer}`, 'bin', 'server'),
  temporalSqlTool: path.join(cacheDir, `temporal-server-${versions.temporalServer}`, 'bin', 'sql'),
  kafkaDir: path.join(cacheDir, `kafka-${versions.kafka}`),
  kafkaLibs: path.join(cacheDir, `kafka-${versions.kafka}`, 'libs'),
  /** Data of the long-lived `npm start` system (Temporal SQLite file, Kafka log dirs). */
  dataDir: process.env.HOMEWARD_DATA_DIR ?? path.join(cacheDir, 'data'),
  mavenPoms: path.join(__dirname, 'maven'),
};

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
