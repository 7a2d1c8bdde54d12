import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';

/**
 * Lets test files that share something (the inbound topics their bridges consume) take turns
 * instead of handling each other's messages: a lock file per run (the broker's address names the
 * run), taken in beforeAll and given back in afterAll. A lock left by a dead process is taken over.
 */
export async function exclusive(resource: string, timeoutMs = 240_000): Promise<() => void> {
  const file = path.join(os.tmpdir(), `homeward-${resource}-${inject('kafkaBrokers').replace(/[^\w]/g, '_')}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch {
      const holder = Number(fs.readFileSync(file, 'utf8') || 0);
      if (holder && !alive(holder)) fs.rmSync(file, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`Waited ${timeoutMs} ms for ${resource}, held by process ${holder}`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
