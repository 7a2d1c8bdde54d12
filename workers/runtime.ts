import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

/** Sends the Temporal SDK's own logs through pino at warn and above, once per process. */
export function installTemporalRuntime(logger: Logger): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', ({ level, message, meta }: { level: LogLevel; message: string; meta?: Record<string, unknown> }) => {
        const fields = { sdkComponent: meta?.sdkComponent, taskQueue: meta?.taskQueue };
        if (level === 'ERROR') sdk.error(fields, message);
        else sdk.warn(fields, message);
      }),
    });
  } catch {
    // Already installed (tests, or a second worker in the same process).
  }
}
