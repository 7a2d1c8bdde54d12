import { spawn, type ChildProcess } from 'node:child_process';
import type { RoleReady } from '../runtime/role';
import { roleCommand, type CompiledRun, type Role } from '../runtime/node-runtime.cjs';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RoleProcess {
  role: Role;
  child: ChildProcess;
  /** What the process says once it runs (runtime/role.ts); rejects if it exits first. */
  ready: Promise<RoleReady>;
  exited: Promise<Exit>;
  /** SIGTERM, then its exit (SIGKILL after `graceMs`, longer than the role's own 9 s limit). */
  stop(graceMs?: number): Promise<Exit>;
}

/**
 * A role's process as Homeward runs it (runtime/node-runtime.cjs), with an IPC channel: it says
 * when it is ready, and stops if its parent goes away. npm start runs each role so; so do the
 * tests that run them side by side.
 */
export function spawnRole(
  role: Role,
  env: NodeJS.ProcessEnv,
  output: 'inherit' | 'pipe' = 'inherit',
  compiled?: CompiledRun,
): RoleProcess {
  const [node, args, childEnv] = roleCommand(role, { env, compiled });
  const child = spawn(node, args, { env: childEnv, stdio: ['ignore', output, output, 'ipc'] });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<RoleReady>((resolve, reject) => {
    child.on('message', (message: RoleReady) => {
      if (message?.type === 'homeward-ready') resolve(message);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`the ${role} process exited (${signal ?? `code ${code}`}) before it was ready`)),
    );
  });
  // A caller that never asks (it stops the process first) must not leave a rejection unhandled.
  ready.catch(() => undefined);
  return {
    role,
    child,
    ready,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
