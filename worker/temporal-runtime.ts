import net from 'node:net';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { serveTemporalMetricsFrom } from '../health/metrics';

/**
 * Sends the Temporal SDK's own logs through pino at warn and above, and has its Rust core serve
 * its metrics on a free loopback port that this process's /metrics appends (health/metrics.ts),
 * once per process. Counters end in `_total` and durations are histograms in seconds, named with
 * their unit, as Prometheus' conventions have them.
 */
export async function installTemporalRuntime(logger: Logger): Promise<void> {
  if (installed) return;
  installed = true;
  const sdk = logger.child({ component: 'temporal-sdk' });
  const port = await freeLoopbackPort();
  try {
    Runtime.install({
      logger: new DefaultLogger(
        'WARN',
        ({ level, message, meta }: { level: LogLevel; message: string; meta?: Record<string, unknown> }) => {
          const fields = { sdkComponent: meta?.sdkComponent, taskQueue: meta?.taskQueue };
          if (level === 'ERROR') sdk.error(fields, message);
          else sdk.warn(fields, message);
        },
      ),
      telemetryOptions: {
        metrics: {
          prometheus: {
            bindAddress: `127.0.0.1:${port}`,
            countersTotalSuffix: true,
            unitSuffix: true,
            useSecondsForDurations: true,
          },
        },
      },
    });
    serveTemporalMetricsFrom(`http://127.0.0.1:${port}/metrics`);
  } catch {
    // Already installed (tests, or a second worker in the same process).
  }
}

let installed = false;

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
