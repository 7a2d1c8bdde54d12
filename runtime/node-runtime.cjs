// How Homeward's own processes run Node, in one place: tools/run.cjs (npm start, test, bench…),
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
 * workers), measured by `npm run bench -- --phases memory` (docs/performance.md):
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
 * Node's arguments and the environment for a Homeward process. `runsWorker` adds the worker's
 * memory settings; an operator's own MALLOC_ARENA_MAX wins.
 */
function nodeRuntime({ runsWorker = false, env = process.env } = {}) {
  return {
    execArgv: [...typescriptArgs(), ...(runsWorker ? worker.nodeArgs : [])],
    env: runsWorker ? { ...worker.env, ...env } : env,
  };
}

/** The command that runs `script` (a .ts file) as a Homeward process: [executable, args, env]. */
function nodeCommand(script, scriptArgs = [], options = {}) {
  const { execArgv, env } = nodeRuntime(options);
  return [process.execPath, [...execArgv, script, ...scriptArgs], env];
}

/**
 * Homeward's processes, each scaled on its own (docs/operations.md, Processes and scaling), by their entry points: npm
 * start runs one of each, docker-compose.yml and the image a service each (test/compose.test.ts).
 */
const roles = {
  api: 'api/main.ts',
  worker: 'worker/main.ts',
  projector: 'projections/main.ts',
  bridges: 'bridges/main.ts',
};

/**
 * The image's entry points: each role compiled ahead (`npm run build` → dist/), run by plain Node,
 * no TypeScript hook; and `migrate`, the step before a release's roles start (the chart's Job).
 * Dockerfile, docker-compose.yml and the Helm chart say them in their own syntax;
 * test/image.test.ts, test/compose.test.ts and test/helm-chart.test.ts check they agree.
 */
const compiled = {
  api: ['dist/api/main.js'],
  worker: ['dist/worker/main.js'],
  projector: ['dist/projections/main.js'],
  bridges: ['dist/bridges/main.js'],
  migrate: ['dist/cli/run.js', 'migrate'],
  // Homeward's topics and ACLs on a cluster, as its admin (compose's kafka-setup; a Job where no operator manages them).
  'kafka-setup': ['dist/kafka/setup-main.js'],
};

/** A compiled entry point's command in the image (relative to its working directory): the worker's with its memory settings. */
function imageCommand(entry) {
  if (!(entry in compiled))
    throw new Error(`Unknown entry point ${entry}; entry points: ${Object.keys(compiled).join(', ')}`);
  return ['node', ...(entry === 'worker' ? worker.nodeArgs : []), ...compiled[entry]];
}

/**
 * The command that runs a role's process: the worker's with the worker's memory settings. With
 * `compiled`, its compiled entry point under `compiled.root` (a built tree) and `compiled.node`.
 */
function roleCommand(role, options = {}) {
  if (!(role in roles)) throw new Error(`Unknown role ${role}; roles: ${Object.keys(roles).join(', ')}`);
  const runsWorker = role === 'worker';
  if (options.compiled) {
    const [, ...args] = imageCommand(role);
    const env = runsWorker ? { ...worker.env, ...(options.env ?? process.env) } : (options.env ?? process.env);
    return [
      options.compiled.node,
      args.map((arg) => (arg.startsWith('dist/') ? path.join(options.compiled.root, arg) : arg)),
      env,
    ];
  }
  return nodeCommand(path.join(root, roles[role]), [], { ...options, runsWorker });
}

module.exports = {
  typescriptHook,
  typescriptArgs,
  worker,
  nodeRuntime,
  nodeCommand,
  roles,
  roleCommand,
  compiled,
  imageCommand,
};
