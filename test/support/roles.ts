import { randomUUID } from 'node:crypto';
import { kafkaEnvironment } from './kafka';
import { afterAll, inject } from 'vitest';
import { signDevToken, startDevIssuer } from '../../config/dev-issuer';
import type { CompiledRun, Role } from '../../runtime/node-runtime.cjs';
import { spawnRole, type RoleProcess } from '../../tools/roles';
import type { RoleReady } from '../../runtime/role';
import { createTestDatabase } from './database';
import { testEnvironment, testSecrets } from './secrets';
import { temporalEnvironment, uniqueTaskQueue } from './temporal';

/** Settings of the test's machine that would change how a role runs (its Node settings, its Temporal, its bundle). */
const notInherited = [
  'MALLOC_ARENA_MAX',
  'HOMEWARD_WORKFLOW_BUNDLE',
  'LOG_FORMAT',
  'HOMEWARD_HEALTH_PORT',
  'DATABASE_URL',
  'KAFKA_BROKERS',
];

/**
 * A role's environment on the run's servers, as npm start gives it: Temporal (over mTLS in the
 * production profile), Kafka, the run's secrets, the suite's pre-built workflow bundle, and a
 * probe port of its own (HOMEWARD_HEALTH_PORT=0: a free one).
 */
export function roleEnvironment(more: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !notInherited.includes(name) && !name.startsWith('TEMPORAL_')),
  );
  return {
    ...inherited,
    ...testEnvironment(),
    ...temporalEnvironment(),
    // The brokers, and in the production profile TLS with its private CA.
    ...kafkaEnvironment(),
    HOMEWARD_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    HOMEWARD_HEALTH_PORT: '0',
    // A bridges process of a test's own: in the shared group it would take other files' ADT and agency messages.
    HOMEWARD_INBOUND_GROUP: `homeward-inbound-test-${randomUUID()}`,
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...more,
  };
}

export interface StartedRole extends RoleProcess {
  pid: number;
  started: RoleReady;
  /** Everything it wrote (stdout and stderr), for a failure's message. */
  output(): string;
}

/** Role processes started side by side; each is stopped (SIGKILL) by `stopAll` if a test has not stopped it. */
export class RoleProcesses {
  private readonly all: StartedRole[] = [];

  async start(specs: { role: Role; env: NodeJS.ProcessEnv; compiled?: CompiledRun }[]): Promise<StartedRole[]> {
    return Promise.all(
      specs.map(async ({ role, env, compiled }) => {
        const process = spawnRole(role, env, 'pipe', compiled);
        let output = '';
        process.child.stdout!.on('data', (d) => (output += d));
        process.child.stderr!.on('data', (d) => (output += d));
        const started: StartedRole = Object.assign(process, {
          pid: process.child.pid!,
          started: undefined as unknown as RoleReady,
          output: () => output,
        });
        this.all.push(started);
        started.started = await process.ready.catch((error: Error) => {
          throw new Error(`${error.message}:\n${output.slice(-3000)}`);
        });
        return started;
      }),
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((role) => role.stop(1_000)));
  }
}

/** GET a probe of a role's health port: status and JSON body. */
export async function probe(
  role: StartedRole,
  path: '/health/live' | '/health/ready',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${role.started.healthUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * A test file's role processes and whatever else it starts, all stopped (processes SIGKILLed if
 * still running) after its tests.
 */
export function roleHarness() {
  const processes = new RoleProcesses();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await processes.stopAll();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  return { processes, cleanup: (undo: () => Promise<unknown>) => cleanups.push(undo) };
}

/**
 * What a worker and API system of the test's own needs: a task queue, a read model and a token
 * issuer of its own (stopped after the file's tests), and a discharge team's token.
 */
export async function systemEnvironment(
  harness: ReturnType<typeof roleHarness>,
  prefix: string,
  more: Record<string, string> = {},
) {
  const taskQueue = uniqueTaskQueue(prefix);
  const issuer = await startDevIssuer(testSecrets(), 0);
  harness.cleanup(issuer.close);
  const env = roleEnvironment({
    TEMPORAL_TASK_QUEUE: taskQueue,
    HOMEWARD_OIDC_ISSUER: issuer.url,
    DATABASE_URL: await createTestDatabase(),
    HTTP_PORT: '0',
    ...more,
  });
  const token = await signDevToken(testSecrets(), {
    issuer: issuer.url,
    audience: 'homeward',
    role: 'discharge-team',
    subject: `test:${prefix}`,
  });
  return { taskQueue, env, token };
}

export type ApiCall = (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** HTTP calls to an API process with a token, JSON both ways. */
export const apiOf =
  (api: StartedRole, token: string): ApiCall =>
  async (method, path, body) => {
    const response = await fetch(`${api.started.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
