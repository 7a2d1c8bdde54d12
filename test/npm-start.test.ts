import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onFreePorts } from '../tools/infra/process';
import { nodeCommand, roleCommand, roles, type Role } from '../runtime/node-runtime.cjs';
import { exposedToOthers } from './support/file-modes';

const portNames = [
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'KAFKA_PORT',
  'KAFKA_CONTROLLER_PORT',
  'POSTGRES_PORT',
  'HTTP_PORT',
  'HOMEWARD_DEV_ISSUER_PORT',
] as const;
const exited = (child: ChildProcess) =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
  );

/**
 * `npm start` on ports found free and a fresh data dir, so nothing else is disturbed: straight to
 * the start script, as `npm start` runs it (tools/run.cjs), so Ctrl-C reaches it as from a
 * terminal. A port taken by another process between finding and binding starts it again on new ones.
 */
function startOnFreePorts() {
  return onFreePorts(portNames.length, async (found) => {
    const ports = Object.fromEntries(portNames.map((name, i) => [name, found[i]])) as Record<
      (typeof portNames)[number],
      number
    >;
    // A data dir npm start creates itself, as on a first run.
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-')), 'data');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      HOMEWARD_DATA_DIR: dataDir,
    };
    for (const inherited of ['TEMPORAL_ADDRESS', 'KAFKA_BROKERS', 'HOMEWARD_OIDC_ISSUER', 'LOG_FORMAT'])
      delete env[inherited];
    const [node, args, childEnv] = nodeCommand(path.join(__dirname, '..', 'tools', 'start.ts'), [], { env });
    const child = spawn(node, args, { env: childEnv });
    const run = { child, ports, dataDir, output: '' };
    child.stdout.on('data', (d) => (run.output += d));
    child.stderr.on('data', (d) => (run.output += d));
    const deadline = Date.now() + 150_000;
    while (!run.output.includes('Press Ctrl-C to stop.') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 250));
    if (!run.output.includes('Press Ctrl-C to stop.')) {
      child.kill('SIGINT');
      await exited(child);
      throw new Error(`npm start did not come up:\n${run.output.slice(-3000)}`);
    }
    return run;
  });
}

// `npm start` as a newcomer runs it: a short summary, and not one warning or error on a normal start and Ctrl-C.
describe('npm start', () => {
  it('starts quietly, says where everything is, and stops cleanly on Ctrl-C', async () => {
    const run = await startOnFreePorts();
    try {
      expect(run.output).toContain('Homeward is running');
      expect(run.output).toContain(`HTTP API        http://127.0.0.1:${run.ports.HTTP_PORT}`);
      expect(run.output).toContain('npx homeward login --role discharge-team');
      expect(run.output).not.toMatch(/first run only/);
      const health = await fetch(`http://127.0.0.1:${run.ports.HTTP_PORT}/health`);
      expect(health.status).toBe(200);
      // Loopback only: from this machine's other addresses (what the network reaches) the API's port is closed.
      const elsewhere = Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a && a.family === 'IPv4' && !a.internal)
        .map((a) => a!.address);
      for (const address of elsewhere) {
        const outcome = await fetch(`http://${address}:${run.ports.HTTP_PORT}/health`, {
          signal: AbortSignal.timeout(3_000),
        }).then(
          (r) => `HTTP ${r.status}`,
          (e: Error) => (e.cause ? String((e.cause as { code?: string }).code) : e.name),
        );
        expect(outcome, address).toBe('ECONNREFUSED');
      }
      // One process per role, each run as a deployment runs it (the worker with its memory settings).
      const children = fs
        .readFileSync(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .map(Number);
      // Its other children are the servers (Temporal, Kafka, PostgreSQL): not Node.
      const commands = children
        .map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean))
        .filter(([executable]) => executable === process.execPath);
      const expected = (Object.keys(roles) as Role[]).map((role) => {
        const [node, args] = roleCommand(role);
        return [node, ...args];
      });
      expect(commands.sort()).toEqual(expected.sort());
      expect(exposedToOthers(run.dataDir)).toEqual([]);
    } finally {
      run.child.kill('SIGINT');
      await exited(run.child);
    }
    expect(run.output).toContain('stopped Temporal dev server');
    // Not a TTY, so logs are JSON lines: none at warn (40) or above, and no stray error text.
    const levels = run.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(levels.filter((line) => line.level >= 40)).toEqual([]);
    expect(run.output).not.toMatch(/ECONNREFUSED|Error:|did not stop cleanly/);
    // The audit found temporal.sqlite and the logs readable by every local user.
    expect(fs.readdirSync(run.dataDir)).toEqual(
      expect.arrayContaining(['secrets.json', 'temporal.sqlite', 'temporal.log', 'kafka', 'kafka.log', 'postgres.log']),
    );
    expect(exposedToOthers(run.dataDir)).toEqual([]);
    fs.rmSync(path.dirname(run.dataDir), { recursive: true, force: true });
  }, 200_000);
});
