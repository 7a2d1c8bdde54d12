import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { createDataConverter, type TemporalKeys } from '../../codec/data-converter';
import { workerTracing } from '../../telemetry/temporal';
import { testSecrets } from './secrets';
import { commandProofRequest } from '../../codec/command-proof.cjs';
import { connectionOptions, loadTemporalConnection, nativeConnectionOptions } from '../../config/temporal-connection';

/** The data converter Homeward's processes use, with the run's development keys unless given others. */
export const testDataConverter = (keys: Partial<TemporalKeys> = {}): DataConverter =>
  createDataConverter({ ...testSecrets(), ...keys });

/** The TEMPORAL_* variables that reach the run's Temporal: its address, and in the production profile its TLS material. */
export function temporalEnvironment(): Record<string, string> {
  const address = inject('temporalAddress');
  if (!address)
    throw new Error(
      'No Temporal server: this test needs the servers global setup starts (unset HOMEWARD_SKIP_SERVERS)',
    );
  return { TEMPORAL_ADDRESS: address, ...(JSON.parse(inject('temporalEnv')) as Record<string, string>) };
}

/** The run's Temporal connection (or that of `env`), read as Homeward's processes read theirs. */
export const temporalConnection = (env = temporalEnvironment()) =>
  loadTemporalConnection(env, { production: false, defaults: { address: '', namespace: 'default' } });

/**
 * A client and a native connection to the suite's real Temporal server (the dev server; the
 * production profile's over mTLS). The client encrypts as Homeward does; `codecKeys: false` gives
 * a plain client that sees payloads as Temporal stores them.
 */
export async function connectDevServer(
  options: { codecKeys?: string | false; temporalEnv?: Record<string, string> } = {},
) {
  const settings = temporalConnection(options.temporalEnv);
  const connection = await Connection.connect(connectionOptions(settings));
  const nativeConnection = await NativeConnection.connect(nativeConnectionOptions(settings));
  const dataConverter =
    options.codecKeys === false
      ? undefined
      : testDataConverter(options.codecKeys ? { codecKeys: options.codecKeys } : {});
  return {
    client: new Client({ connection, namespace: settings.namespace, dataConverter }),
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** A command's proof as the application makes it (signed by the test data converter's codec on the way out). */
export const proofFor = (command: string, workflowId: string, at = new Date()) =>
  commandProofRequest(command, workflowId, at.toISOString());

/** Pre-built workflow bundle from global setup: bundling once saves seconds per test file. */
export function workflowBundle(): WorkerOptions['workflowBundle'] {
  return { codePath: inject('workflowBundlePath') };
}

export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A worker with Homeward's data converter (the run's keys) unless the options give another. */
export async function createWorker(
  options: Omit<WorkerOptions, 'workflowBundle' | 'workflowsPath'> & { workflowsPath?: string },
): Promise<Worker> {
  return Worker.create({
    dataConverter: testDataConverter(),
    ...(options.workflowsPath ? {} : { workflowBundle: workflowBundle() }),
    // The bundle's tracing interceptors export the workflow's spans through this sink (to this process's tracing, when on).
    ...workerTracing('homeward-test-worker'),
    ...options,
  } as WorkerOptions);
}
