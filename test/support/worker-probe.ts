import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApplication } from '../../app';
import { createDataConverter } from '../../codec/data-converter';
import { loadConfig } from '../../config';
import { connectionOptions } from '../../config/temporal-connection';
import { createLogger } from '../../config/logger';
import { startPathwayWorker } from '../../worker/pathway-worker';
import { admission } from './fixtures';

/**
 * Run as a process of its own by test/worker-process.test.ts, as npm start runs its worker (no
 * pre-built bundle): starts the pathway worker, opens one pathway and reads it back, then prints
 * what the process loaded as one JSON line.
 */
async function main() {
  const config = loadConfig();
  const worker = await startPathwayWorker(config, createLogger('worker-probe', 'warn'));
  const connection = await Connection.connect(connectionOptions(config.temporal));
  try {
    const app = createApplication(
      new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config) }),
      config,
    );
    const actor = { subject: 'worker-probe', role: 'discharge-team' } as const;
    const { pathwayId } = await app.pathways.start(
      actor,
      admission({ admissionId: `probe-${process.pid}-${Date.now()}` }),
    );
    const read = await app.pathways.read(actor, pathwayId);
    const loaded = Object.keys(require.cache);
    const compiler = path.join('node_modules', 'webpack', 'lib', 'Compiler.js');
    console.log(
      JSON.stringify({
        stage: 'stage' in read ? read.stage : undefined,
        webpackCompilerLoaded: loaded.some((file) => file.endsWith(compiler)),
        execArgv: process.execArgv,
        mallocArenaMax: process.env.MALLOC_ARENA_MAX,
      }),
    );
  } finally {
    await connection.close();
    await worker.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
