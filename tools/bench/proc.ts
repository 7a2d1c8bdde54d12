import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on every common Linux). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds the process has used so far (all its threads); undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of the stat line, 11 and 12 after the name.
  return fields ? (Number(fields[11]) + Number(fields[12])) / ticksPerSecond : undefined;
}

/**
 * CPU seconds of a server that works in child processes (PostgreSQL: a backend per connection):
 * its own, its live descendants', and those of children it has already reaped (cutime, cstime).
 */
export function treeCpuSeconds(root: number): number | undefined {
  const fields = statFields(root);
  if (!fields) return undefined;
  const own = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
  return own + descendants(root).reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
}

function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields) parents.set(Number(entry), Number(fields[1]));
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  return [...parents.keys()].filter(isDescendant);
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A descendant of `root` whose command line matches (servers that libraries spawn and do not name). */
export function findDescendant(root: number, pattern: RegExp): number | undefined {
  for (const pid of descendants(root)) {
    try {
      if (pattern.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) return pid;
    } catch {
      // Exited while we looked.
    }
  }
  return undefined;
}

/**
 * Waits until the process has been quiet (under `busy` CPU seconds per second) for `quietMs`, e.g.
 * a worker that has run every task it was given. Returns its CPU seconds when the quiet began,
 * so the idle wait itself is not counted in what the work cost.
 */
export async function waitUntilIdle(
  pid: number,
  options: { quietMs?: number; busy?: number; timeoutMs?: number } = {},
): Promise<number> {
  const { quietMs = 2_000, busy = 0.05, timeoutMs = 600_000 } = options;
  const intervalMs = 250;
  const started = Date.now();
  let last = cpuSeconds(pid) ?? 0;
  let quietSince = Date.now();
  let cpuAtQuiet = last;
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = cpuSeconds(pid);
    if (now === undefined) throw new Error(`process ${pid} exited while the benchmark waited for it to be idle`);
    if ((now - last) / (intervalMs / 1000) > busy) {
      quietSince = Date.now();
      cpuAtQuiet = now;
    }
    last = now;
    if (Date.now() - quietSince >= quietMs) return cpuAtQuiet;
    if (Date.now() - started > timeoutMs) throw new Error(`process ${pid} was still busy after ${timeoutMs / 1000} s`);
  }
}
