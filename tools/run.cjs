#!/usr/bin/env node
// Entry point for `npm start` / `npm test` on a fresh clone: installs the npm dependencies when
// they are missing or stale, then runs the TypeScript script (runtime/node-runtime.cjs says how).
// Plain JS: it must run before any dependency exists.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { nodeCommand } = require('../runtime/node-runtime.cjs');

const root = path.resolve(__dirname, '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Homeward needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

const lockFile = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.homeward-lock-hash');
const lockHash = createHash('sha256').update(fs.readFileSync(lockFile)).digest('hex');
const installed = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
if (installed !== lockHash) {
  console.error('Installing npm dependencies (npm ci)…');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (npm.status !== 0) {
    console.error('npm ci failed: see the output above.');
    process.exit(npm.status ?? 1);
  }
  fs.writeFileSync(stamp, lockHash);
}

const [script, ...args] = process.argv.slice(2);
// None of these runs a pathway worker itself: `npm start` runs each role in a process of its own
// (tools/roles.ts, the worker's with its memory settings), the benchmark its children (tools/bench/children.ts).
const [node, nodeArgs, env] = nodeCommand(path.join(root, 'tools', `${script}.ts`), args);
const child = spawn(node, nodeArgs, { cwd: root, stdio: 'inherit', env });
// Ctrl-C reaches the child through the process group; we wait for it to shut down cleanly.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
