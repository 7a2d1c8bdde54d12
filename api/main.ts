import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startApi } from './server';

/** `tsx api/main.ts`: the HTTP API process alone (as in docker-compose). */
async function main() {
  const config = loadConfig();
  const logger = createLogger('homeward-api', config.logLevel);
  const api = await startApi(config, logger);
  logger.info({ url: api.url }, 'HTTP API listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void api.close());
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
