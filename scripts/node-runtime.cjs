// How Homeward's own processes run Node, in one place: scripts/run.cjs (npm start, test, bench…),
// bin/homeward and the tests that start a process use it; Dockerfile and docker-compose.yml repeat
// it in their own syntax, and test/node-runtime.test.ts checks that they still agree. Plain JS: it
// runs before any dependency is installed.
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/**
 * Node's arguments to run a TypeScript file: tsx's CommonJS hook. The `tsx` command also registers
 * an ESM loader, which Node runs on a thread with a V8 isolate of its own, about 25 MiB of RSS in
 * every process for nothing: Homeward is CommonJS, and Node ≥ 20.19 requires the ESM-only
 * packages (jose) itself.
 */
const typescriptHook = 'tsx/cjs';

function typescriptArgs() {
  return ['--require', require.resolve(typescriptHook, { paths: [root] })];
}

/**
 * What a process that runs the pathway worker adds (npm start, the worker, the benchmark's
 * workers), measured by `npm run bench -- --phases memory` (README's Performance section):
 * - V8's young generation in semispaces of 8 MiB rather than 16. A worker has two isolates (the
 *   main thread's and the workflow thread's), each young generation committed at its largest
 *   after a burst of work and, short-lived garbage being all it holds, of no use at rest.
 * - Two glibc malloc arenas rather than up to eight per core: the Temporal core's Rust threads and
 *   Node's each otherwise grow an arena of their own and return little of it.
 */
const worker = {
  nodeArgs: ['--max-semi-space-size=8'],
  env: { MALLOC_ARENA_MAX: '2' },
};

/**
 * The command that runs `script` (a .ts file) as a Homeward process: [executable, args, env].
 * `runsWorker` adds the worker's memory settings; an operator's own MALLOC_ARENA_MAX wins.
 */
function nodeCommand(script, scriptArgs = [], { runsWorker = false, env = process.env } = {}) {
  const args = [...typescriptArgs(), ...(runsWorker ? worker.nodeArgs : []), script, ...scriptArgs];
  return [process.execPath, args, runsWorker ? { ...worker.env, ...env } : env];
}

module.exports = { typescriptHook, typescriptArgs, worker, nodeCommand };
