import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exposition } from './metrics';
import { healthReport } from './registry';

/** Readiness per dependency: each check resolves while that dependency is usable and throws saying why when it is not. */
export type Checks = Record<string, () => Promise<unknown>>;

export interface HealthServer {
  url: string;
  /** From now on /health/ready asks these (until then it answers 503 `starting`). */
  ready(checks: Checks): void;
  close(): Promise<void>;
}

/** A dependency that does not answer within this long counts as down: a probe must not hang. */
const checkTimeoutMs = 2_000;

/**
 * The probe port of a role's process (HOMEWARD_HEALTH_PORT), for an orchestrator: `/health/live`
 * answers 200 while the process runs (restart it when it does not); `/health/ready` answers 200
 * when every dependency check passes and every long-running part of the process (the health
 * registry: a consumer restarting, a projector stopped) reports running, else 503 naming what is
 * not (send it no work, or in a rolling update, wait); `/metrics` is the process's metrics for
 * Prometheus (health/metrics.ts). Nothing personal is in any answer.
 */
export async function startHealthServer(options: { role: string; host: string; port: number }): Promise<HealthServer> {
  let checks: Checks | undefined;
  const server = http.createServer((request, response) => {
    const answer = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ role: options.role, ...body }));
    };
    if (request.method !== 'GET') return answer(405, { error: 'method_not_allowed' });
    if (request.url === '/health/live') return answer(200, { status: 'live' });
    if (request.url === '/metrics') {
      return void exposition().then(
        ({ contentType, body }) => {
          response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          response.end(body);
        },
        (error: unknown) =>
          answer(500, { error: 'metrics_failed', message: error instanceof Error ? error.message : String(error) }),
      );
    }
    if (request.url !== '/health/ready')
      return answer(404, { error: 'not_found', paths: ['/health/live', '/health/ready', '/metrics'] });
    if (!checks) return answer(503, { status: 'starting' });
    void readiness(checks).then(({ ready, ...body }) => answer(ready ? 200 : 503, body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `HOMEWARD_HEALTH_PORT ${options.port} on ${options.host}: ${error.code === 'EADDRINUSE' ? 'already in use' : error.message}`,
        ),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    ready(given) {
      checks = given;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readiness(checks: Checks) {
  const dependencies = Object.fromEntries(
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>(
          (_resolve, reject) =>
            (timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs)),
        );
        const outcome = await Promise.race([check(), late]).then(
          () => 'ok',
          (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 200),
        );
        clearTimeout(timer);
        return [name, outcome] as const;
      }),
    ),
  );
  const { components } = healthReport();
  const ready =
    Object.values(dependencies).every((outcome) => outcome === 'ok') &&
    Object.values(components).every((c) => c.status === 'running');
  return { ready, status: ready ? 'ready' : 'not ready', dependencies, components };
}

/** A check that a long-running part of the process (as it reports itself to the health registry) has started and runs. */
export const reportsRunning = (component: string) => async () => {
  const health = healthReport().components[component];
  if (health?.status !== 'running')
    throw new Error(
      health
        ? `${component} ${health.status}${health.detail ? `: ${health.detail}` : ''}`
        : `${component} not running yet`,
    );
};
