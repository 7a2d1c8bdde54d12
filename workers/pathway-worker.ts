import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { createDataConverter } from '../codec/data-converter';
import type { Config } from '../config';
import { createKafka } from '../kafka/client';
import { EventPublisher } from '../kafka/publisher';
import { installTemporalRuntime } from './runtime';
import { workflowBundle } from './workflow-bundle';

export interface RunningWorker {
  /** Resolves when the worker has stopped; rejects if it failed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Wires the pathway workflow and its activities to Temporal and Kafka; nothing else. The workflow
 * code is bundled here unless given pre-built (`bundleWorkflowCode` with the codec's
 * failureConverterPath), as the benchmark does once for all its workers.
 */
export async function startPathwayWorker(config: Config, logger: Logger, options: { workflowBundle?: { codePath: string } } = {}): Promise<RunningWorker> {
  installTemporalRuntime(logger);
  // First: a malformed HOMEWARD_CODEC_KEYS stops the process before it connects to anything.
  const dataConverter = createDataConverter(config.codecKeys);
  const kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-worker`, logger });
  const publisher = new EventPublisher(kafka);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: workflowBundle.workflowsPath, bundlerOptions: { preloadModules: workflowBundle.preloadModules } }),
    // Bounded, not the SDK's default that grows with the heap: a sleeping pathway evicted from
    // the cache costs nothing until its timer or a command replays it (a short history).
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    // A SIGTERM must stop the worker promptly: in-flight activities (a publish retrying against a
    // broker that is down) get this long, then are cancelled and retried by whichever worker runs next.
    shutdownGraceTime: '5 seconds',
    activities: createActivities({ publisher }),
  });
  const done = worker.run().finally(async () => {
    await publisher.close();
    await connection.close();
  });
  logger.info({ taskQueue: config.temporal.taskQueue }, 'pathway worker running');
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
