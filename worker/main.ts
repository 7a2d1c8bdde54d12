// First: instrumentations patch only the modules loaded after tracing starts.
import '../telemetry/start';
import { createKafka } from '../kafka/client';
import { ensureTopics } from '../kafka/topics';
import { runRole } from '../runtime/role';
import { startPathwayWorker } from './pathway-worker';

/**
 * `node … worker/main.ts`: the `worker` role, the pathway workflows and their publishing activity,
 * nothing else (the projector, the bridges and the API are processes of their own). Run as many as
 * the load needs on one task queue: Temporal shares the pathways between them.
 */
runRole('worker', async (config, logger) => {
  // Compose's broker does not auto-create topics; creating ours is idempotent. The admin stays
  // connected for the readiness probe's question to the cluster.
  const admin = createKafka({ ...config.kafka, logger }).admin();
  await admin.connect();
  await ensureTopics(admin, config.kafkaTopics, { warn: (warning) => logger.warn(warning) });
  const worker = await startPathwayWorker(config, logger);
  return {
    done: worker.done,
    checks: { temporal: worker.temporalAnswers, kafka: () => admin.describeCluster() },
    async stop() {
      await worker.shutdown();
      await admin.disconnect();
    },
  };
});
