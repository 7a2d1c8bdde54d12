// First, as each role's entry point: tracing starts here when the OTEL_* environment asks (the tracing phase's children).
import '../../../telemetry/start';
import path from 'node:path';
import v8 from 'node:v8';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../config';
import { nativeConnectionOptions } from '../../../config/temporal-connection';
import { createLogger } from '../../../config/logger';
import { startPathwayWorker, type RunningWorker } from '../../../worker/pathway-worker';
import { installTemporalRuntime } from '../../../worker/temporal-runtime';
import { createKafka } from '../../../kafka/client';
import { EventPublisher } from '../../../kafka/publisher';
import { topics } from '../../../kafka/topics';
import type { ChildMemory } from '../child-protocol';
import type { BarePublishing } from '../workflows/bare';
import { failed, serve } from './serve';

/**
 * A benchmark worker in a process of its own, so its RSS and CPU are its own. BENCH_WORKERS says
 * which: `pathway` (Homeward's worker exactly as `npm start` wires it, on TEMPORAL_TASK_QUEUE),
 * `bare` (the baseline workflow on BENCH_BARE_TASK_QUEUE), or both. `restart` replaces the workers
 * in the same process, so their workflow caches start empty: the next Update to each workflow
 * replays its history, as after a deployment or an eviction. BENCH_PATHWAY_BUNDLE and
 * BENCH_BARE_BUNDLE name pre-built workflow bundles (bundling is otherwise done at each start).
 */
const config = loadConfig();
const logger = createLogger('bench-worker', config.logLevel);
const kinds = (process.env.BENCH_WORKERS ?? 'pathway').split(',');
type BenchWorker = Pick<RunningWorker, 'done' | 'shutdown'>;

async function startBareWorker(): Promise<BenchWorker> {
  const connection = await NativeConnection.connect(nativeConnectionOptions(config.temporal));
  const publisher = new EventPublisher(createKafka({ ...config.kafka, clientId: 'bench-bare-publishing' }));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: process.env.BENCH_BARE_TASK_QUEUE ?? 'bench-bare',
    activities: barePublishing(publisher),
    ...(process.env.BENCH_BARE_BUNDLE
      ? { workflowBundle: { codePath: process.env.BENCH_BARE_BUNDLE } }
      : { workflowsPath: path.join(__dirname, '..', 'workflows', 'bare.ts') }),
  });
  const done = worker.run().finally(() => Promise.all([connection.close(), publisher.close()]));
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** One small message per call, on the DLQ topic (which nothing in a benchmark reads), by the product's publisher. */
const barePublishing = (publisher: EventPublisher): BarePublishing => ({
  async publishTouch(workflowId, touches) {
    await publisher.publish([
      { topic: topics.dlq, key: workflowId, value: JSON.stringify({ bench: 'touch', workflowId, touches }) },
    ]);
  },
});

async function startAll(): Promise<BenchWorker[]> {
  await installTemporalRuntime(logger);
  const workers: BenchWorker[] = [];
  const bundle = process.env.BENCH_PATHWAY_BUNDLE;
  if (kinds.includes('pathway'))
    workers.push(await startPathwayWorker(config, logger, bundle ? { workflowBundle: { codePath: bundle } } : {}));
  if (kinds.includes('bare')) workers.push(await startBareWorker());
  for (const worker of workers) {
    worker.done.catch((error: unknown) => {
      logger.error({ err: error }, 'benchmark worker failed');
      process.exit(1);
    });
  }
  return workers;
}

const shutdown = (workers: BenchWorker[]) => Promise.all(workers.map((w) => w.shutdown())).then(() => undefined);

async function memory(): Promise<ChildMemory> {
  // Run with --expose-gc: a full collection first, so the heap figure is what is really held.
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    external: usage.external,
    heapLimit: v8.getHeapStatistics().heap_size_limit,
  };
}

async function main() {
  let workers = await startAll();
  serve(
    {
      memory,
      async restart() {
        await shutdown(workers);
        workers = await startAll();
      },
    },
    () => shutdown(workers),
  );
}

main().catch(failed);
