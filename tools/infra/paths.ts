import path from 'node:path';
import { cacheDir, dataDir } from '../../runtime/local';

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

export { cacheDir } from '../../runtime/local';

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
  dataDir,
  mavenPoms: path.join(__dirname, 'maven'),
};
