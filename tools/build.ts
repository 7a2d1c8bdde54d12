import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeWorkflowBundle } from '../worker/workflow-bundle';

/**
 * `npm run build`: Homeward compiled ahead into dist/, as the image runs it (no TypeScript, no tsx
 * at run time): tsc's CommonJS output of the entry points and what they import, the files they read
 * beside their code, and the pathway workflow's bundle, which the compiled worker loads when present.
 */
const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

/** Read at run time from beside the code (`__dirname`), so they go where the compiled code looks. */
const assets = [
  'codec/failure-converter.cjs',
  'codec/command-proof.cjs',
  'runtime/node-runtime.cjs',
  'readmodel/migrations',
  'pages',
  'docs/examples',
];

async function main() {
  const started = Date.now();
  fs.rmSync(dist, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
    { stdio: 'inherit' },
  );
  for (const asset of assets) fs.cpSync(path.join(root, asset), path.join(dist, asset), { recursive: true });
  await writeWorkflowBundle(path.join(dist, 'workflow-bundle.js'));
  console.error(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
