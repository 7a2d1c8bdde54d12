import { loadConfig } from '../config';
import { createKafka } from '../kafka/client';
import { ensureTopics } from '../kafka/topics';
import { createLogger } from '../config/logger';
import { startInboundBridges } from './inbound';
import { startPathwayWorker } from './pathway-worker';
import { startProjector } from '../projections/projector';

/** `tsx workers/main.ts`: the worker process alone (as in docker-compose). */
async function main() {
  const config = loadConfig();
  const logger = createLogger('homeward-worker', config.logLevel);
  // Compose's broker does not auto-create topics; creating ours is idempotent.
  const admin = createKafka({ ...config.kafka, logger }).admin();
  await admin.connect();
  await ensureTopics(admin, config.kafkaTopics, { warn: (warning) => logger.warn(warning) });
  await admin.disconnect();
  const worker = await startPathwayWorker(config, logger);
  // The inbound bridges run beside the worker: replies reach pathways whenever the worker runs.
  const bridges = await startInboundBridges(config, logger);
  // The read model's projector: its own consumer group, its own PostgreSQL transactions.
  const projector = await startProjector(config, logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Bridges first: their in-flight messages need the worker to finish.
    process.once(signal, () => {
      // Whatever hangs (a broker or Temporal that is down), the process is gone within 10 s.
      setTimeout(() => process.exit(1), 9_000).unref();
      void Promise.all([projector.stop(), bridges.stop()]).finally(() => worker.shutdown());
    });
  }
  await worker.done;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
