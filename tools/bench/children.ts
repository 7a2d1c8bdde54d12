import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tail } from '../infra/process';
import { nodeRuntime } from '../../runtime/node-runtime.cjs';
import type { ChildReady, ChildReply } from './child-protocol';
import type { ProcessRegistry } from './processes';

/**
 * A benchmark child process (API or worker) as the harness sees it: run as Homeward runs that
 * process (runtime/node-runtime.cjs; both workers, Homeward's and the bare one, with the worker's
 * memory settings), its output in a log file, requests and replies over IPC. Its pid is the Node
 * process itself (no wrapper), so /proc figures for it are its own.
 */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly logFile: string,
    private readonly processes: ProcessRegistry,
    readonly ready: unknown,
  ) {
    child.on('message', (message: ChildReply) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(`${name}: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiting of this.pending.values()) waiting.reject(this.exitError(code, signal));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: {
    name: string;
    script: string;
    env: NodeJS.ProcessEnv;
    logDir: string;
    processes: ProcessRegistry;
  }): Promise<BenchChild> {
    const logFile = path.join(options.logDir, `${options.name.replace(/\W+/g, '-')}.log`);
    const log = fs.openSync(logFile, 'a');
    const { execArgv, env } = nodeRuntime({ runsWorker: options.script === 'worker.ts', env: options.env });
    const child = fork(path.join(__dirname, 'processes', options.script), [], {
      env,
      // --expose-gc lets a worker measure its heap after a full GC.
      execArgv: [...execArgv, '--expose-gc'],
      stdio: ['ignore', log, log, 'ipc'],
    });
    fs.closeSync(log);
    const ready = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} did not start within 180 s; last log lines:\n${tail(logFile, 15)}`)),
        180_000,
      );
      child.on('message', (message: ChildReady) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message.value);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`${options.name} exited (code ${code}) before it was ready; last log lines:\n${tail(logFile, 15)}`),
        );
      });
    });
    options.processes.add(options.name, child.pid);
    return new BenchChild(options.name, child, logFile, options.processes, ready);
  }

  request<T>(type: string, timeoutMs = 180_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} did not answer ${type} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, type });
    });
  }

  /** Asks it to stop, then insists: a benchmark never leaves a process behind. */
  async stop(): Promise<void> {
    this.processes.retire(this.name);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ id: 0, type: 'stop' });
    else this.child.kill('SIGTERM');
    const term = setTimeout(() => this.child.kill('SIGTERM'), 15_000);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 25_000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }

  private exitError(code: number | null, signal: NodeJS.Signals | null): Error {
    return new Error(`${this.name} exited (${signal ?? `code ${code}`}); last log lines:\n${tail(this.logFile, 15)}`);
  }
}
