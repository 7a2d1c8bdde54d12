import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureChromium } from './infra/chromium';
import { ensureComponents, neededComponents } from './infra/install';
import { MissingToolError } from './infra/process';

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
    step('Type check (tsc --noEmit)');
    if ((await run('npx', ['tsc', '--noEmit'])) !== 0) return fail('type check');
  }
  step('Tests (vitest)');
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-vitest-')), 'report.json');
  const code = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs]);
  if (fs.existsSync(report)) {
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTotalTests: number };
    if (result.numTotalTests === 0) {
      console.error('No tests ran.');
      return 1;
    }
    // The plain closing line CI reads.
    console.log(`Tests: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
  }
  return code;
}

function step(title: string): void {
  console.error(`\n▶ ${title}`);
}

function fail(what: string): number {
  console.error(`✗ ${what} failed`);
  return 1;
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof MissingToolError ? error.message : error);
    process.exit(1);
  },
);
