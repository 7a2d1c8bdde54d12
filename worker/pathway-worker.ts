import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { workerTracing } from '../telemetry/temporal';
import { createDataConverter } from '../codec/data-converter';
import type { Config } from '../config';
import { describeConnection, nativeConnectionOptions } from '../config/temporal-connection';
import { createKafka } from '../kafka/client';
import { EventPublisher } from '../kafka/publisher';
import { installTemporalRuntime } from './temporal-runtime';
import { bundleApart } from './bundle-apart';

/** The bundle `npm run build` writes beside the compiled worker (dist/); none beside the TypeScript sources. */
function compiledBundle(): { codePath: string } | undefined {
  const codePath = path.join(__dirname, '..', 'workflow-bundle.js');
  return __filename.endsWith('.js') && fs.existsSync(codePath) ? { codePath } : undefined;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped; rejects if it failed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
  /** Resolves while the worker runs and Temporal's frontend answers it (the readiness probe). */
  temporalAnswers(): Promise<void>;
}

/**
 * Wires the pathway workflow and its activities to Temporal and Kafka; nothing else. The workflow
 * code comes pre-built (the benchmark's, once for all its workers; HOMEWARD_WORKFLOW_BUNDLE, as the
 * compiled build's, dist/workflow-bundle.js, which `npm run build` writes beside the compiled code
 * and the image carries) or is bundled in a process of its own at start.
 */
export async function startPathwayWorker(
  config: Config,
  logger: Logger,
  options: { workflowBundle?: { codePath: string } } = {},
): Promise<RunningWorker> {
  await installTemporalRuntime(logger);
  // First: a malformed HOMEWARD_CODEC_KEYS stops the process before it connects to anything.
  const dataConverter = createDataConverter(config);
  const kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-worker`, logger });
  const publisher = new EventPublisher(kafka);
  const prebuilt =
    options.workflowBundle ??
    (config.worker.workflowBundle ? { codePath: config.worker.workflowBundle } : compiledBundle());
  const workflowBundle = prebuilt ?? { code: await bundleApart(logger) };
  const connection = await NativeConnection.connect(nativeConnectionOptions(config.temporal));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter,
    workflowBundle,
    // Bounded, not the SDK's default that grows with the heap: a sleeping pathway evicted from
    // the cache costs nothing until its timer or a command replays it (a short history).
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    // A SIGTERM must stop the worker promptly: in-flight activities (a publish retrying against a
    // broker that is down) get this long, then are cancelled and retried by whichever worker runs next.
    shutdownGraceTime: '5 seconds',
    activities: createActivities({ publisher }),
    ...workerTracing('homeward-worker'),
  });
  const done = worker.run().finally(async () => {
    await publisher.close();
    await connection.close();
  });
  logger.info(
    { taskQueue: config.temporal.taskQueue, temporal: describeConnection(config.temporal) },
    'pathway worker running',
  );
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
    async temporalAnswers() {
      if (worker.getState() !== 'RUNNING') throw new Error(`worker ${worker.getState().toLowerCase()}`);
      await connection.workflowService.getSystemInfo({});
    },
  };
}
