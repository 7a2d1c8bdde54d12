import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export class MissingToolError extends Error {}

/** Fails with one line naming the tool, what it is for and how to do without it. */
export function requireTool(command: string, args: string[], what: string): void {
  const probe = spawnSync(command, args, { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new MissingToolError(`Missing tool: ${what}`);
  }
}

export function javaCommand(): string {
  return process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
}

/**
 * Spawns a server whose files are its user's alone: under umask 077, whatever it creates
 * (Temporal's SQLite file, Kafka's log segments) is 0600 or 0700. Node cannot set a child's umask,
 * so a shell sets it and execs the command: same pid, and the process list shows only the command.
 */
export function spawnPrivate(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', command, ...args], options);
}

/**
 * Opens a server's log for appending, readable by this user only (a log made 0644 by an older
 * Homeward is made private too). Server logs name users, hosts and failing requests.
 */
export function openLog(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, 'a', 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
}

/** Runs a command to completion, printing a heartbeat so a long first install shows progress. */
export async function runWithProgress(
  label: string,
  command: string,
  args: string[],
  options: SpawnOptions & { logFile: string },
): Promise<void> {
  const started = Date.now();
  const log = fs.openSync(options.logFile, 'w');
  const child = spawn(command, args, { ...options, stdio: ['ignore', log, log] });
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const last = lastLine(options.logFile);
    process.stderr.write(`  … ${label}: ${formatDuration(seconds)} elapsed${last ? ` (${last.slice(0, 100)})` : ''}\n`);
  }, 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) {
      throw new Error(`${label} failed (exit ${code}); see ${options.logFile}:\n${tail(options.logFile, 20)}`);
    }
  } finally {
    clearInterval(heartbeat);
    fs.closeSync(log);
  }
}

function formatDuration(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m ${seconds % 60}s` : `${seconds}s`;
}

function lastLine(file: string): string {
  return tail(file, 1).trim();
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a server on `count` ports found free. A port found free is closed again before the server
 * binds it, so another process can take it in between: when the start fails and one of its ports
 * is now in use, it is tried again on new ones (any other failure is the caller's at once).
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    if (new Set(ports).size < ports.length) continue;
    try {
      return await start(ports);
    } catch (error) {
      const taken = (await Promise.all(ports.map(portInUse))).some(Boolean);
      if (!taken || attempt >= attempts) throw error;
    }
  }
}

export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  options: { timeoutMs: number; child?: ChildProcess; logFile?: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.child && options.child.exitCode !== null) {
      throw new Error(
        `${what} exited with code ${options.child.exitCode} before it was ready` +
          (options.logFile ? `; last log lines:\n${tail(options.logFile, 15)}` : ''),
      );
    }
    try {
      return await probe();
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `${what} was not ready within ${options.timeoutMs / 1000}s: ${String(lastError)}` +
      (options.logFile ? `; last log lines:\n${tail(options.logFile, 15)}` : ''),
  );
}

/** Stops a child politely, then firmly: Kafka flushes its logs on SIGTERM, PostgreSQL shuts down fast on SIGINT. */
export async function stopChild(
  child: ChildProcess,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
