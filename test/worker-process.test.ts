import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { nodeCommand, typescriptArgs, worker } from '../runtime/node-runtime.cjs';
import { testEnvironment } from './support/secrets';
import { runCommand } from './support/spawn';

// The worker's process as npm start runs it: Node with the worker's memory settings, and the
// workflow code bundled in a process of its own (webpack left in the worker's heap held ~80 MiB).
describe('the worker process', () => {
  it.each([
    ['a bundle built apart at start', {}],
    // The suite's bundle, built as the image builds its own.
    ['the bundle HOMEWARD_WORKFLOW_BUNDLE names', { HOMEWARD_WORKFLOW_BUNDLE: inject('workflowBundlePath') }],
  ])(
    'runs pathways from %s, with the worker’s Node settings and without webpack loaded',
    async (_name, bundle: Record<string, string>) => {
      const env = {
        ...bundle,
        ...testEnvironment(),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        KAFKA_BROKERS: inject('kafkaBrokers'),
        TEMPORAL_TASK_QUEUE: `worker-process-${Date.now()}`,
        LOG_LEVEL: 'warn',
      };
      const inherited = { ...process.env };
      delete inherited.MALLOC_ARENA_MAX;
      delete inherited.HOMEWARD_WORKFLOW_BUNDLE;
      const [node, args, childEnv] = nodeCommand(path.join(__dirname, 'support', 'worker-probe.ts'), [], {
        runsWorker: true,
        env: { ...inherited, ...env },
      });
      const { code, stdout, stderr } = await runCommand(node, args, childEnv as Record<string, string>);
      expect(code, stderr).toBe(0);
      const probe = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(probe).toEqual({
        stage: 'admitted',
        webpackCompilerLoaded: false,
        execArgv: [...typescriptArgs(), ...worker.nodeArgs],
        mallocArenaMax: worker.env.MALLOC_ARENA_MAX,
      });
    },
    90_000,
  );
});
