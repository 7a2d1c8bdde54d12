import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';

/** A client and a native connection to the suite's real Temporal dev server. */
export async function connectDevServer() {
  const address = inject('temporalAddress');
  if (!address) throw new Error('No Temporal server: this test needs the servers global setup starts (unset HOMEWARD_SKIP_SERVERS)');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** Pre-built workflow bundle from global setup: bundling once saves seconds per test file. */
export function workflowBundle(): WorkerOptions['workflowBundle'] {
  return { codePath: inject('workflowBundlePath') };
}

export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export async function createWorker(options: Omit<WorkerOptions, 'workflowBundle' | 'workflowsPath'> & { workflowsPath?: string }): Promise<Worker> {
  return Worker.create({
    ...(options.workflowsPath ? {} : { workflowBundle: workflowBundle() }),
    ...options,
  } as WorkerOptions);
}
