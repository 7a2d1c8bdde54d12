import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../scripts/infra/process';
import { nodeCommand } from '../scripts/node-runtime.cjs';

// `npm start` as a newcomer runs it (on free ports and a fresh data dir, so nothing else is disturbed):
// a short summary, and not one warning or error on a normal start and Ctrl-C.
describe('npm start', () => {
  it('starts quietly, says where everything is, and stops cleanly on Ctrl-C', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    const ports = { TEMPORAL_PORT: 0, TEMPORAL_UI_PORT: 0, KAFKA_PORT: 0, KAFKA_CONTROLLER_PORT: 0, HTTP_PORT: 0, HOMEWARD_DEV_ISSUER_PORT: 0 };
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), HOMEWARD_DATA_DIR: dataDir };
    for (const inherited of ['TEMPORAL_ADDRESS', 'KAFKA_BROKERS', 'HOMEWARD_OIDC_ISSUER', 'LOG_FORMAT']) delete env[inherited];
    // Straight to the start script, as `npm start` runs it (scripts/run.cjs), so Ctrl-C reaches it as from a terminal.
    const [node, args, childEnv] = nodeCommand(path.join(__dirname, '..', 'scripts', 'start.ts'), [], { runsWorker: true, env });
    const child = spawn(node, args, { env: childEnv });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      const deadline = Date.now() + 150_000;
      while (!output.includes('Press Ctrl-C to stop.') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
      expect(output).toContain('Homeward is running');
      expect(output).toContain(`HTTP API        http://127.0.0.1:${ports.HTTP_PORT}`);
      expect(output).toContain('npx homeward login --role discharge-team');
      expect(output).not.toMatch(/first run only/);
      const health = await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/health`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    expect(output).toContain('stopped Temporal dev server');
    // Not a TTY, so logs are JSON lines: none at warn (40) or above, and no stray error text.
    const levels = output.split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { level: number; msg: string }));
    expect(levels.filter((line) => line.level >= 40)).toEqual([]);
    expect(output).not.toMatch(/ECONNREFUSED|Error:|did not stop cleanly/);
  }, 200_000);
});
