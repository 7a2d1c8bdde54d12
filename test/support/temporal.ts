import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { createDataConverter, type TemporalKeys } from '../../codec/data-converter';
import { testSecrets } from './secrets';
import { commandProofRequest } from '../../codec/command-proof.cjs';

/** The data converter Homeward's processes use, with the run's development keys unless given others. */
export const testDataConverter = (keys: Partial<TemporalKeys> = {}): DataConverter => createDataConverter({ ...testSecrets(), ...keys });

/**
 * A client and a native connection to the suite's real Temporal dev server. The client encrypts
 * as Homeward does; `codecKeys: false` gives a plain client that sees payloads as Temporal stores them.
 */
export async function connectDevServer(options: { codecKeys?: string | false } = {}) {
  const address = inject('temporalAddress');
  if (!address) throw new Error('No Temporal server: this test needs the servers global setup starts (unset HOMEWARD_SKIP_SERVERS)');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const dataConverter = options.codecKeys === false ? undefined : testDataConverter(options.codecKeys ? { codecKeys: options.codecKeys } : {});
  return {
    client: new Client({ connection, dataConverter }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** A command's proof as the application makes it (signed by the test data converter's codec on the way out). */
export const proofFor = (command: string, workflowId: string, at = new Date()) => commandProofRequest(command, workflowId, at.toISOString());

/** Pre-built workflow bundle from global setup: bundling once saves seconds per test file. */
export function workflowBundle(): WorkerOptions['workflowBundle'] {
  return { codePath: inject('workflowBundlePath') };
}

export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A worker with Homeward's data converter (the run's keys) unless the options give another. */
export async function createWorker(options: Omit<WorkerOptions, 'workflowBundle' | 'workflowsPath'> & { workflowsPath?: string }): Promise<Worker> {
  return Worker.create({
    dataConverter: testDataConverter(),
    ...(options.workflowsPath ? {} : { workflowBundle: workflowBundle() }),
    ...options,
  } as WorkerOptions);
}
