import { randomUUID } from 'node:crypto';
import { admission } from '../../fixtures';
import type { HttpClient } from '../http';
import { closedLoop } from '../load';
import { loadDetails, loadRows, type Phase, type Row } from '../phase';
import { warmUp } from './starts';

/** Each lane its own workflows, so no two lanes queue behind one another on the same workflow. */

/** `count` pathways opened through `http`'s API, ten at a time; their admission ids start with `prefix`. */
export async function openPathways(what: string, http: HttpClient, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  await closedLoop(what, count, 10, async (i) => {
    ids[i] = (
      await http.post<{ pathwayId: string }>('/pathways', admission({ admissionId: `${prefix}n${i}` }))
    ).pathwayId;
  });
  return ids;
}

export function laneTargets<T>(targets: T[], concurrency: number): (lane: number) => T {
  const lanes = Array.from({ length: concurrency }, (_, lane) => targets.filter((_, i) => i % concurrency === lane));
  const turns = new Array<number>(concurrency).fill(0);
  return (lane) => lanes[lane][turns[lane]++ % lanes[lane].length];
}

/** An expected discharge date 1–28 days ahead: always allowed before discharge, always an event. */
export const eddBody = (i: number) => ({
  date: new Date(Date.now() + ((i % 28) + 1) * 86_400_000).toISOString().slice(0, 10),
});

export const commandsPhase: Phase = {
  name: 'commands',
  title: 'Commands: POST /pathways/{id}/expected-discharge-date (a workflow Update)',
  baseline:
    'a bare Update (plain Temporal client, a workflow whose handler counts) on the same server; and the fair floor, the same Update whose workflow then publishes one Kafka message from an activity, as the outbox must',
  async run({ system, sizes, cpu }) {
    const { http, worker } = await system.running();
    const bare = await system.temporalClient('plain');
    const run = randomUUID().slice(0, 6);
    // Spread over many workflows, as real traffic is: a pathway gets tens of commands, not thousands.
    const workflows = Math.max(Math.min(50, sizes.commands), ...sizes.concurrency);
    const bareIds: string[] = [];
    const publishingIds: string[] = [];
    const pathwayIds = await openPathways('opening pathways', http, workflows, `C${run}`);
    await closedLoop('opening bare workflows', workflows, 10, async (i) => {
      bareIds[i] = `bare-commands-${run}-${i}`;
      await bare.workflow.start('bareWorkflow', { taskQueue: system.queues.bare, workflowId: bareIds[i] });
      publishingIds[i] = `bare-publishing-${run}-${i}`;
      await bare.workflow.start('barePublishingWorkflow', {
        taskQueue: system.queues.bare,
        workflowId: publishingIds[i],
      });
    });
    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    for (const concurrency of sizes.concurrency) {
      const pathwayFor = laneTargets(pathwayIds, concurrency);
      const bareFor = laneTargets(bareIds, concurrency);
      const command = (i: number, lane: number) =>
        http.post(`/pathways/${pathwayFor(lane)}/expected-discharge-date`, eddBody(i));
      const update = (i: number, lane: number) =>
        bare.workflow.getHandle(bareFor(lane)).executeUpdate('touch', { args: [eddBody(i)] });
      const publishingFor = laneTargets(publishingIds, concurrency);
      const publishing = (i: number, lane: number) =>
        bare.workflow.getHandle(publishingFor(lane)).executeUpdate('touch', { args: [eddBody(i)] });
      const warm = warmUp(concurrency, sizes.commands);
      await closedLoop('warm-up', warm, concurrency, command);
      await closedLoop('warm-up', warm, concurrency, update);
      await closedLoop('warm-up', warm, concurrency, publishing);
      await system.settle([worker.pid]);
      const homeward = await cpu.around('homeward', () =>
        closedLoop(`commands, concurrency ${concurrency}`, sizes.commands, concurrency, command),
      );
      await system.settle([worker.pid]);
      const baseline = await cpu.around('baseline', () =>
        closedLoop(`bare Updates, concurrency ${concurrency}`, sizes.commands, concurrency, update),
      );
      await system.settle([worker.pid]);
      // Outside the CPU meter: the phase's baseline CPU stays the bare Update's alone.
      const publishingBaseline = await closedLoop(
        `bare publishing Updates, concurrency ${concurrency}`,
        sizes.commands,
        concurrency,
        publishing,
      );
      rows.push(...loadRows('commands', concurrency, homeward, baseline, [50, 95, 99]));
      rows.push(...loadRows('commands against a publishing Update', concurrency, homeward, publishingBaseline, [50]));
      details[`concurrency ${concurrency}`] = {
        ...loadDetails(homeward, baseline),
        publishingBaseline: loadDetails(homeward, publishingBaseline).baseline,
      };
    }
    return {
      rows,
      details,
      notes: [
        `Spread over ${workflows} pathways and ${workflows} bare workflows of each kind. A command answers when the workflow has accepted and applied it; its events reach Kafka afterwards (event-lag phase).`,
      ],
    };
  },
};
