import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTestServer } from '../../scripts/infra/install';
import { startKafka, type KafkaCredentials } from '../../scripts/infra/kafka';
import { setUpLocalKafka } from '../../scripts/infra/local';
import { paths } from '../../scripts/infra/paths';
import { onFreePorts } from '../../scripts/infra/process';
import { startPostgres } from '../../scripts/infra/postgres';
import { startTemporalDev, type RunningServer } from '../../scripts/infra/temporal';
import { generateDevSecrets, readDevSecrets, type DevSecrets } from '../../config/dev-secrets';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    kafkaBrokers: string;
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
  const running: RunningServer[] = [];
  const secrets = process.env.KAFKA_BROKERS && process.env.HOMEWARD_SKIP_SERVERS !== '1' ? existingBrokerSecrets() : await generateDevSecrets();
  project.provide('devSecrets', JSON.stringify(secrets));
  if (process.env.HOMEWARD_SKIP_SERVERS === '1') {
    project.provide('temporalAddress', '');
    project.provide('kafkaBrokers', '');
    project.provide('testServerPath', '');
    project.provide('workflowBundlePath', '');
    project.provide('databaseUrl', '');
    return async () => {};
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-test-'));
  // Enterable (not listable) by the OS user PostgreSQL runs as when the tests run as root.
  fs.chmodSync(workDir, 0o711);
  // allSettled: if one server fails to start, the others are stopped rather than leaked.
  const settled = await Promise.allSettled([
    process.env.TEMPORAL_ADDRESS
      ? Promise.resolve({ address: process.env.TEMPORAL_ADDRESS, stop: async () => {} })
      : onFreePorts(1, ([port]) => startTemporalDev({ port, uiPort: 0, logFile: path.join(workDir, 'temporal.log') })),
    process.env.KAFKA_BROKERS
      ? Promise.resolve({ address: process.env.KAFKA_BROKERS, stop: async () => {} })
      : onFreePorts(2, ([port, controllerPort]) =>
          startKafka({ port, controllerPort, dataDir: path.join(workDir, 'kafka'), logFile: path.join(workDir, 'kafka.log'), credentials: secrets.kafka }),
        ),
    process.env.DATABASE_URL
      ? Promise.resolve({ address: process.env.DATABASE_URL, stop: async () => {} })
      : onFreePorts(1, ([port]) =>
          startPostgres({ port, dataDir: path.join(workDir, 'postgres'), logFile: path.join(workDir, 'postgres.log'), password: crypto.randomBytes(18).toString('base64url') }),
        ),
  ]);
  for (const result of settled) if (result.status === 'fulfilled') running.push(result.value);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((server) => server.stop()));
    throw failed.reason;
  }
  const [temporal, kafka, postgres] = running;
  project.provide('databaseUrl', postgres.address);
  const stopAll = async () => {
    await Promise.all(running.map((server) => server.stop()));
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await prepare(project, temporal.address, kafka.address, await ensureTestServer(), workDir, secrets.kafka);
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
  if (!secrets) throw new Error(`KAFKA_BROKERS is set, but ${paths.dataDir}/secrets.json (its SCRAM users' passwords) is missing: run \`npm start\` once, or unset KAFKA_BROKERS`);
  return secrets;
}

async function prepare(project: TestProject, temporalAddress: string, kafkaBrokers: string, testServerPath: string, workDir: string, credentials: KafkaCredentials) {
  // As a worker's is built (scripts/bundle-workflows.ts).
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);
  project.provide('workflowBundlePath', bundlePath);
  await setUpLocalKafka(kafkaBrokers, credentials);
  project.provide('temporalAddress', temporalAddress);
  project.provide('kafkaBrokers', kafkaBrokers);
  project.provide('testServerPath', testServerPath);
}
