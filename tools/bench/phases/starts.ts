import { randomUUID } from 'node:crypto';
import { admission } from '../../fixtures';
import { closedLoop } from '../load';
import { loadDetails, loadRows, type Phase, type Row } from '../phase';

/** A few untimed operations first: connections open, code is compiled, the worker has polled. */
export const warmUp = (concurrency: number, count: number) => Math.min(count, Math.max(5, concurrency));

export const startsPhase: Phase = {
  name: 'starts',
  title: 'Starts: POST /pathways',
  baseline:
    'a bare workflow start (plain Temporal client: no HTTP, token, codec or search attributes) on the same server',
  async run({ system, sizes, cpu }) {
    const { http, worker } = await system.running();
    const bare = await system.temporalClient('plain');
    const run = randomUUID().slice(0, 6);
    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    for (const concurrency of sizes.concurrency) {
      // Bodies made before the clock starts: the harness's own work is not the API's.
      const bodies = Array.from({ length: sizes.starts + warmUp(concurrency, sizes.starts) }, (_, i) =>
        admission({ admissionId: `S${run}c${concurrency}n${i}` }),
      );
      const startPathway = (i: number) => http.post('/pathways', bodies[i]);
      const startBare = (i: number) =>
        bare.workflow.start('bareWorkflow', {
          taskQueue: system.queues.bare,
          workflowId: `bare-start-${run}-c${concurrency}-${i}`,
        });
      const warm = warmUp(concurrency, sizes.starts);
      await closedLoop('warm-up', warm, concurrency, (i) => startPathway(sizes.starts + i));
      await closedLoop('warm-up', warm, concurrency, (i) => startBare(sizes.starts + i));
      await system.settle([worker.pid]);
      const homeward = await cpu.around('homeward', () =>
        closedLoop(`POST /pathways, concurrency ${concurrency}`, sizes.starts, concurrency, startPathway),
      );
      await system.settle([worker.pid]);
      const baseline = await cpu.around('baseline', () =>
        closedLoop(`bare starts, concurrency ${concurrency}`, sizes.starts, concurrency, startBare),
      );
      rows.push(...loadRows('starts', concurrency, homeward, baseline, [50, 95]));
      details[`concurrency ${concurrency}`] = loadDetails(homeward, baseline);
    }
    return {
      rows,
      details,
      notes: [
        'POST /pathways answers once Temporal has recorded the start; the workflows then run on the worker, during both sides alike.',
      ],
    };
  },
};
