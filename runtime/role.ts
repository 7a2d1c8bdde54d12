import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../config/logger';
import { startHealthServer, type Checks, type HealthServer } from '../health/server';
import type { Role } from './node-runtime.cjs';
import { stopTracing } from '../telemetry/tracing';

/** Homeward's processes, each scaled on its own (docs/operations.md, Processes and scaling); runtime/node-runtime.cjs names their entry points. */
export type { Role };

/** How people are told about each role (npm start's lines, a refusal to start). */
export const roleTitles: Record<Role, string> = {
  worker: 'pathway worker',
  bridges: 'inbound Kafka bridges',
  projector: 'read model projector',
  api: 'HTTP API',
};

export interface RunningRole {
  stop(): Promise<void>;
  /** Settles when the role ends by itself (the worker failing): the process then exits 1, for its supervisor to start it again. */
  done?: Promise<void>;
  /** What /health/ready asks, per dependency. */
  checks: Checks;
  /** Where it serves (the API), for npm start's summary. */
  url?: string;
}

/** What a role's process tells its parent over IPC once it runs (npm start waits for it: tools/roles.ts). */
export interface RoleReady {
  type: 'homeward-ready';
  role: Role;
  url?: string;
  healthUrl?: string;
}

/**
 * A SIGTERM ends the process within this long whatever hangs (a broker or Temporal that is down):
 * well inside an orchestrator's grace period (Kubernetes: 30 s) before its SIGKILL.
 */
const stopLimitMs = 9_000;

/**
 * Runs one role as its process: the configuration checked first (a bad value stops it at once,
 * naming the variable), the probe port if HOMEWARD_HEALTH_PORT is set, the role itself, and a
 * clean stop on SIGTERM or SIGINT (or when npm start, its parent, goes away).
 */
export function runRole(role: Role, start: (config: Config, logger: Logger) => Promise<RunningRole>): void {
  void run(role, start);
}

async function run(role: Role, start: (config: Config, logger: Logger) => Promise<RunningRole>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    return refuse(role, error);
  }
  const logger = createLogger(`homeward-${role}`, config.logLevel);
  let health: HealthServer | undefined;
  let running: RunningRole | undefined;
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      logger.error({ role, limitMs: stopLimitMs }, 'did not stop in time; exiting');
      process.exit(1);
    }, stopLimitMs).unref();
    void (async () => {
      await running?.stop();
      await health?.close();
      // The spans of its last requests, exported before it goes; a collector that is down does not make the stop unclean.
      await stopTracing().catch((error: unknown) =>
        logger.warn(
          { error: error instanceof Error ? error.message : String(error) },
          'could not export the last spans',
        ),
      );
    })().then(
      () => process.exit(code),
      (error: unknown) => {
        logger.error({ role, error: error instanceof Error ? error.message : String(error) }, 'did not stop cleanly');
        process.exit(1);
      },
    );
  };
  // Every signal, not once: a second Ctrl-C (or npm start's SIGTERM after the terminal's SIGINT) must not kill it mid-stop.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(0));
  // Started by npm start (an IPC channel): if it dies, its children do not outlive it.
  if (process.send) process.on('disconnect', () => stop(0));

  try {
    if (config.health.port !== undefined) {
      health = await startHealthServer({ role, host: config.http.host, port: config.health.port });
      logger.info({ url: health.url }, 'health probes listening');
    }
    running = await start(config, logger);
  } catch (error) {
    await health?.close();
    return refuse(role, error);
  }
  if (stopping) return;
  health?.ready(running.checks);
  running.done?.then(
    () => {
      if (!stopping) logger.error({ role }, 'stopped by itself');
      stop(1);
    },
    (error: unknown) => {
      logger.error({ role, error: error instanceof Error ? error.message : String(error) }, 'failed; exiting');
      stop(1);
    },
  );
  const ready: RoleReady = { type: 'homeward-ready', role, url: running.url, healthUrl: health?.url };
  process.send?.(ready);
}

/** Before it runs, a plain line saying what is wrong: a bad setting names its variable (config/index.ts). */
function refuse(role: Role, error: unknown): never {
  console.error(
    `The ${roleTitles[role]} (Homeward's ${role} role) did not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
