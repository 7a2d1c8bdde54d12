import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MissingToolError } from './infra/process';

/** What `npm test` and `npm run test:production` share: their steps' headings, child commands and vitest's closing line. */
export function step(title: string): void {
  console.error(`\n▶ ${title}`);
}

export function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** vitest with `args`; fails when no test ran, and ends with the plain line CI reads. */
export async function runVitest(args: string[]): Promise<number> {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-vitest-')), 'report.json');
  const code = await run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...args,
  ]);
  if (fs.existsSync(report)) {
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTotalTests: number;
    };
    if (result.numTotalTests === 0) {
      console.error('No tests ran.');
      return 1;
    }
    console.log(`Tests: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
  }
  return code;
}

/** Runs a test command's main and exits with its code; a missing tool is one line naming it. */
export function exitWith(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof MissingToolError ? error.message : error);
      process.exit(1);
    },
  );
}
