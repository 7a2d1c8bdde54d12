import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../config';
import { startDevIssuer, signDevToken, type DevTokenRequest } from '../../config/dev-issuer';
import { testEnvironment, testSecrets } from './secrets';
import { startApi, type RunningApi } from '../../api/server';
import { createActivities } from '../../activities';
import { createKafka } from '../../kafka/client';
import { EventPublisher } from '../../kafka/publisher';
import type { Worker } from '@temporalio/worker';
import { connectDevServer, createWorker, temporalEnvironment, testDataConverter, uniqueTaskQueue } from './temporal';
import { createTestDatabase } from './database';
import { kafkaEnvironment } from './kafka';
import { startProjector } from '../../projections/projector';
import { connectDatabase } from '../../readmodel/database';
import { migrate } from '../../readmodel/migrate';
import { topics } from '../../kafka/topics';

/**
 * Puts a new read model's stored positions at the topic's current end, so its projector reads only
 * what is published from now on. The suite's topic holds every earlier test's events (tens of
 * thousands after the benchmark's), and a projector starting from the beginning spends minutes
 * folding them before it reaches the events its test is waiting for.
 */
export async function readModelFromNow(config: Config): Promise<void> {
  const db = connectDatabase(config.database.url, { max: 1 });
  const admin = createKafka({ ...config.kafka, clientId: 'system-test-admin' }).admin();
  try {
    await migrate(db);
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.pathwayEvents);
    for (const { partition, high } of offsets) {
      await db.query(
        'INSERT INTO projector_offsets (topic, partition, next_offset) VALUES ($1, $2, $3) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset',
        [topics.pathwayEvents, partition, high],
      );
    }
  } finally {
    await admin.disconnect();
    await db.end();
  }
}

/**
 * The real system on the suite's Temporal, Kafka and PostgreSQL (the production profile's over
 * TLS): a pathway worker on its own task queue (or TEMPORAL_TASK_QUEUE's), a projector in its own
 * consumer group filling a database of its own, and the HTTP API on a free port. The worker and the client use the codec keys of the
 * configuration, so overriding HOMEWARD_CODEC_KEYS changes all of them. `temporalEnv`: another
 * Temporal for all of it (the TEMPORAL_* variables of a server a test runs itself); an override of
 * TEMPORAL_ADDRESS alone moves only the API, the worker staying on the suite's.
 */
export async function startSystem(
  overrides: Partial<Record<string, string>> = {},
  logger: Logger = pino({ level: 'silent' }),
  { temporalEnv = temporalEnvironment() }: { temporalEnv?: Record<string, string> } = {},
) {
  const taskQueue = uniqueTaskQueue('system');
  // The real verification path: a local issuer serving discovery and JWKS, tokens signed with the run's key.
  const issuer = await startDevIssuer(testSecrets(), 0);
  const config: Config = loadConfig({
    HOMEWARD_OIDC_ISSUER: issuer.url,
    ...temporalEnv,
    ...kafkaEnvironment(),
    DATABASE_URL: await createTestDatabase(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...testEnvironment(),
    ...overrides,
  });
  const temporal = await connectDevServer({ codecKeys: config.codecKeys, temporalEnv });
  const publisher = new EventPublisher(createKafka({ ...config.kafka, clientId: 'system-test' }));
  const worker: Worker = await createWorker({
    connection: temporal.nativeConnection,
    taskQueue: config.temporal.taskQueue,
    dataConverter: testDataConverter(config),
    activities: createActivities({ publisher }),
  });
  const running = worker.run();
  const api: RunningApi = await startApi(config, logger);
  await readModelFromNow(config);
  const projector = await startProjector(config, logger, {
    groupId: `homeward-projector-${taskQueue}`,
    housekeepingMs: 1_000,
  });
  /** A token from the run's issuer; `role` is discharge-team, manager or agency:<agency>. */
  const token = (role: string, more: Partial<DevTokenRequest> = {}) =>
    signDevToken(testSecrets(), {
      issuer: issuer.url,
      audience: config.oidc.audience,
      role,
      subject: `test:${role}`,
      ...more,
    });
  const teamToken = await token('discharge-team');
  /** An HTTP call with a token (`null`: none at all); a JSON body parsed, any other as text; headers as given. */
  const callWith = async (bearer: string | null, method: string, path: string, body?: unknown, raw?: string) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const json = /json/.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      headers: response.headers,
      body: (json ? await response.json() : await response.text()) as Record<string, any>,
    }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  /** As the discharge team, who may do everything. */
  const call = (method: string, path: string, body?: unknown, raw?: string) =>
    callWith(teamToken, method, path, body, raw);
  return {
    config,
    client: temporal.client,
    api,
    call,
    callWith,
    token,
    issuer: issuer.url,
    projector,
    async stop() {
      await projector.stop();
      await api.close();
      await issuer.close();
      worker.shutdown();
      await running;
      await publisher.close();
      await temporal.close();
    },
  };
}

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}
