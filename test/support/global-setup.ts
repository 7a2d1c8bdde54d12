import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTestServer } from '../../tools/infra/install';
import { startKafka, type KafkaCredentials } from '../../tools/infra/kafka';
import { setUpLocalKafka } from '../../tools/infra/local';
import { paths } from '../../tools/infra/paths';
import { onFreePorts } from '../../tools/infra/process';
import { startPostgres } from '../../tools/infra/postgres';
import { startTemporalDev, type RunningServer } from '../../tools/infra/temporal';
import { generateDevSecrets, readDevSecrets, type DevSecrets } from '../../config/dev-secrets';
import { writeWorkflowBundle } from '../../worker/workflow-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /**
     * JSON of the TEMPORAL_* variables, besides the address, that reach the run's Temporal (TLS
     * material's files in the production profile); `{}` for the dev server.
     */
    temporalEnv: string;
    kafkaBrokers: string;
    /**
     * JSON of the KAFKA_* variables, besides the brokers and the credentials, that reach the run's
     * Kafka (KAFKA_SSL and KAFKA_SSL_CA_FILE in the production profile); `{}` for the single broker.
     */
    kafkaEnv: string;
    testServerPath: string;
    workflowBundlePath: string;
    /** JSON of the run's DevSecrets: generated per run, like npm start's, never committed. */
    devSecrets: string;
    /** The run's PostgreSQL (database `homeward`); each system under test creates a database of its own. */
    databaseUrl: string;
  }
}

/**
 * One real Temporal dev server, one real Kafka broker and one real PostgreSQL for the whole run,
 * on free ports so a running `npm start` is never disturbed. TEMPORAL_ADDRESS / KAFKA_BROKERS /
 * DATABASE_URL reuse existing servers.
 * HOMEWARD_SKIP_SERVERS=1 starts nothing (pure domain specs only).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const secrets =
    process.env.KAFKA_BROKERS && process.env.HOMEWARD_SKIP_SERVERS !== '1'
      ? existingBrokerSecrets()
      : await generateDevSecrets();
  project.provide('devSecrets', JSON.stringify(secrets));
  if (process.env.HOMEWARD_SKIP_SERVERS === '1') {
    project.provide('temporalAddress', '');
    project.provide('temporalEnv', '{}');
    project.provide('kafkaBrokers', '');
    project.provide('kafkaEnv', '{}');
    project.provide('testServerPath', '');
    project.provide('workflowBundlePath', '');
    project.provide('databaseUrl', '');
    return async () => {};
  }
  const workDir = runDir('homeward-test-');
  const existing = (address: string) => Promise.resolve({ address, stop: async () => {} });
  const [temporal, kafka, postgres] = await startTogether(workDir, [
    process.env.TEMPORAL_ADDRESS
      ? existing(process.env.TEMPORAL_ADDRESS)
      : onFreePorts(1, ([port]) => startTemporalDev({ port, uiPort: 0, logFile: path.join(workDir, 'temporal.log') })),
    process.env.KAFKA_BROKERS ? existing(process.env.KAFKA_BROKERS) : startRunKafka(workDir, secrets.kafka),
    process.env.DATABASE_URL ? existing(process.env.DATABASE_URL) : startRunPostgres(workDir),
  ]);
  return provideServers(project, workDir, [temporal, kafka, postgres], {
    temporalAddress: temporal.address,
    kafkaBrokers: kafka.address,
    setUpKafka: () => setUpLocalKafka(kafka.address, secrets.kafka),
    databaseUrl: postgres.address,
    testServerPath: () => ensureTestServer(),
  });
}

/** A directory for the run's servers; enterable (not listable) by the OS user PostgreSQL runs as when the tests run as root. */
export function runDir(prefix: string): string {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(workDir, 0o711);
  return workDir;
}

/** The run's single Kafka broker (SASL/SCRAM, ACLs) on free ports. */
export const startRunKafka = (workDir: string, credentials: KafkaCredentials) =>
  onFreePorts(2, ([port, controllerPort]) =>
    startKafka({
      port,
      controllerPort,
      dataDir: path.join(workDir, 'kafka'),
      logFile: path.join(workDir, 'kafka.log'),
      credentials,
    }),
  );

/** The run's read model PostgreSQL on a free port; each system under test creates a database of its own. */
export const startRunPostgres = (workDir: string) =>
  onFreePorts(1, ([port]) =>
    startPostgres({
      port,
      dataDir: path.join(workDir, 'postgres'),
      logFile: path.join(workDir, 'postgres.log'),
      password: crypto.randomBytes(18).toString('base64url'),
    }),
  );

/**
 * Starts servers side by side. allSettled: if one fails to start, the others are stopped (and the
 * directory removed) rather than leaked.
 */
export async function startTogether<const T extends readonly Promise<RunningServer>[]>(
  workDir: string,
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    fs.rmSync(workDir, { recursive: true, force: true });
    throw failed.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<RunningServer>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** Provides what tests inject; returns the teardown, or stops everything if that fails. */
export async function provideServers(
  project: TestProject,
  workDir: string,
  running: RunningServer[],
  servers: Omit<Parameters<typeof prepare>[1], 'workDir' | 'testServerPath'> & {
    databaseUrl: string;
    testServerPath: () => Promise<string>;
  },
): Promise<() => Promise<void>> {
  const stopAll = async () => {
    await Promise.all(running.map((server) => server.stop()));
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    project.provide('databaseUrl', servers.databaseUrl);
    await prepare(project, { ...servers, workDir, testServerPath: await servers.testServerPath() });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/**
 * An existing broker (KAFKA_BROKERS) must know the run's SCRAM users: those of the data dir's
 * secrets, as the broker `npm start` runs has them.
 */
function existingBrokerSecrets(): DevSecrets {
  const secrets = readDevSecrets(paths.dataDir);
  if (!secrets)
    throw new Error(
      `KAFKA_BROKERS is set, but ${paths.dataDir}/secrets.json (its SCRAM users' passwords) is missing: run \`npm start\` once, or unset KAFKA_BROKERS`,
    );
  return secrets;
}

/**
 * The workflow bundle, Kafka's topics and ACLs (`setUpKafka`), and what tests inject to reach the
 * servers. `temporalEnv` and `kafkaEnv`: TEMPORAL_* and KAFKA_* variables beside the address and
 * the brokers (the production profile's TLS material).
 */
async function prepare(
  project: TestProject,
  servers: {
    temporalAddress: string;
    temporalEnv?: Record<string, string>;
    kafkaBrokers: string;
    kafkaEnv?: Record<string, string>;
    setUpKafka: () => Promise<unknown>;
    testServerPath: string;
    workDir: string;
  },
) {
  // As a worker's is built (runtime/bundle-workflows.ts).
  const bundlePath = path.join(servers.workDir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);
  project.provide('workflowBundlePath', bundlePath);
  await servers.setUpKafka();
  project.provide('temporalAddress', servers.temporalAddress);
  project.provide('temporalEnv', JSON.stringify(servers.temporalEnv ?? {}));
  project.provide('kafkaBrokers', servers.kafkaBrokers);
  project.provide('kafkaEnv', JSON.stringify(servers.kafkaEnv ?? {}));
  project.provide('testServerPath', servers.testServerPath);
}
