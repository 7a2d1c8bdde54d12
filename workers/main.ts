import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startPathwayWorker } from './pathway-worker';

/** `tsx workers/main.ts`: the worker process alone (as in docker-compose). */
async function main() {
  const config = loadConfig();
  const logger = createLogger('homeward-worker', config.logLevel);
  const worker = await startPathwayWorker(config, logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void worker.shutdown());
  }
  await worker.done;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
