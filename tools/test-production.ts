import { ensureComponents } from './infra/install';
import { exitWith, runVitest, step } from './vitest-run';

/**
 * `npm run test:production`: the production profile's suite (test/production/) on production-like
 * engines its global setup starts: the Temporal server (built once into the cache) on PostgreSQL
 * with mTLS, Kafka and the read model's PostgreSQL. Arguments go to vitest (e.g. one file).
 */
async function main(): Promise<number> {
  const started = performance.now();
  step('Checking infrastructure (Temporal server, Kafka)');
  await ensureComponents(['temporal-server', 'kafka']);
  step('Production profile tests (vitest, vitest.production.config.mts)');
  const code = await runVitest(['--config', 'vitest.production.config.mts', ...process.argv.slice(2)]);
  console.log(`Production profile: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  return code;
}

exitWith(main);
