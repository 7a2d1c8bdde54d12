import { ensureChromium } from './infra/chromium';
import { ensureComponents, neededComponents } from './infra/install';
import { exitWith, run, runVitest, step } from './vitest-run';

/**
 * `npm test`: installs the servers the suite needs (cached), then lint, type check and vitest
 * (whose global setup starts a real Temporal dev server, a real Kafka broker and a real PostgreSQL).
 */
async function main(): Promise<number> {
  const extraArgs = process.argv.slice(2);
  step('Checking infrastructure (Temporal CLI, Temporal test server, Kafka, Chromium)');
  await ensureComponents(neededComponents({ testServer: true }));
  ensureChromium();
  if (extraArgs.length === 0) {
    step('Lint (eslint)');
    if ((await run('npx', ['eslint', '.'])) !== 0) return fail('lint');
    step('Format (prettier --check; npm run format writes it)');
    if ((await run('npx', ['prettier', '--check', '.'])) !== 0) return fail('format check');
    step('Type check (tsc --noEmit)');
    if ((await run('npx', ['tsc', '--noEmit'])) !== 0) return fail('type check');
  }
  step('Tests (vitest)');
  return runVitest(extraArgs);
}

function fail(what: string): number {
  console.error(`✗ ${what} failed`);
  return 1;
}

exitWith(main);
