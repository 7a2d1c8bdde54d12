import { inject } from 'vitest';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../config';
import { testEnvironment } from './secrets';
import { startApi, type RunningApi } from '../../api/server';
import { createActivities } from '../../activities';
import { createKafka } from '../../kafka/client';
import { EventPublisher } from '../../kafka/publisher';
import type { Worker } from '@temporalio/worker';
import { connectDevServer, createWorker, uniqueTaskQueue } from './temporal';

/**
 * The real system on the suite's dev server and broker: a pathway worker on its own task queue
 * and the HTTP API on a free port.
 */
export async function startSystem(overrides: Partial<Record<string, string>> = {}, logger: Logger = pino({ level: 'silent' })) {
  const taskQueue = uniqueTaskQueue('system');
  const config: Config = loadConfig({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    KAFKA_BROKERS: inject('kafkaBrokers'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...testEnvironment(),
    ...overrides,
  });
  const temporal = await connectDevServer();
  const publisher = new EventPublisher(createKafka({ ...config.kafka, clientId: 'system-test' }));
  const worker: Worker = await createWorker({ connection: temporal.nativeConnection, taskQueue, activities: createActivities({ publisher }) });
  const running = worker.run();
  const api: RunningApi = await startApi(config, logger);
  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  return {
    config,
    client: temporal.client,
    api,
    call,
    async stop() {
      await api.close();
      worker.shutdown();
      await running;
      await publisher.close();
      await temporal.close();
    },
  };
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}
