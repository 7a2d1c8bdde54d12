import { describe, expect, it, inject } from 'vitest';
import { createActivities } from '../activities';
import { resolvePolicy } from '../domain';
import { EventPublisher } from '../kafka/publisher';
import { topics } from '../kafka/topics';
import { commandUpdate, pathwayViewQuery, pathwayWorkflowId, type PathwayInput } from '../workflows/definitions';
import { admission, jointAssessment } from './support/fixtures';
import { kafkaAs, TopicReader } from './support/kafka';
import { eventually } from './support/system';
import { connectDevServer, createWorker, proofFor, uniqueTaskQueue } from './support/temporal';

// A worker process dies mid-pathway: a deadline falls and a command arrives while none runs.
// A new worker picks the pathway up and every event still reaches Kafka exactly as recorded.
describe('worker stopped mid-pathway and restarted', () => {
  it('loses no event and no command', async () => {
    const temporal = await connectDevServer();
    const taskQueue = uniqueTaskQueue('restart');
    const reader = await new TopicReader(inject('kafkaBrokers')).start([topics.pathwayEvents]);
    const startWorker = async () => {
      const publisher = new EventPublisher(kafkaAs('homeward', { clientId: 'restart-test' }));
      const worker = await createWorker({
        connection: temporal.nativeConnection,
        taskQueue,
        activities: createActivities({ publisher }),
      });
      const running = worker.run();
      return {
        async stop() {
          worker.shutdown();
          await running;
          await publisher.close();
        },
      };
    };

    const start = admission();
    const workflowId = pathwayWorkflowId(start.admissionId);
    // Equipment must accept within ~7 seconds: time enough to stop the worker first, so the deadline falls while none runs.
    const policy = resolvePolicy('england', { sla: { equipment: { acceptWithinHours: 0.002 } } });
    const input: PathwayInput = {
      start: { ...start, type: 'start', at: new Date().toISOString() },
      policy,
      patientKey: 'restart',
    };

    const first = await startWorker();
    const handle = await temporal.client.workflow.start('dischargePathway', {
      taskQueue,
      workflowId,
      args: [input, proofFor('start', workflowId)],
    });
    await handle.executeUpdate(commandUpdate('assessment'), {
      args: [
        { ...jointAssessment, pathway: 'P1', needs: ['equipment', 'reablement'] },
        undefined,
        proofFor('assessment', workflowId),
      ],
    });
    const acceptBy = Date.parse(
      (await handle.query(pathwayViewQuery)).state.referrals.find((r) => r.referralId === 'ref-1')!.acceptBy!,
    );
    await first.stop();
    const stoppedAt = Date.now();

    // While no worker runs: equipment's acceptance deadline passes and another agency answers.
    const answered = handle.executeUpdate(commandUpdate('referral-response'), {
      args: [
        { referralId: 'ref-2', agency: 'intermediate-care', response: 'ready' },
        undefined,
        proofFor('referral-response', workflowId),
      ],
    });
    await eventually(
      async () => Date.now(),
      (now) => now > acceptBy,
      30_000,
    );

    const restartedAt = Date.now();
    expect(stoppedAt).toBeLessThan(acceptBy);
    expect(acceptBy).toBeLessThan(restartedAt);
    const second = await startWorker();
    try {
      const outcome = await answered;
      expect(outcome.events.map((e) => e.type)).toEqual(['referral.accepted', 'referral.ready']);
      const view = await eventually(
        () => handle.query(pathwayViewQuery),
        (v) => v.published === v.timeline.length && v.timeline.some((e) => e.event.type === 'referral.escalated'),
      );
      expect(view.timeline.filter((e) => e.event.type === 'referral.escalated').map((e) => e.event)).toMatchObject([
        { referralId: 'ref-1', agency: 'equipment', kind: 'acceptance', level: 1 },
      ]);
      const expected = view.timeline.map((e) => `${workflowId}/${e.sequence}`);
      const messages = await reader.waitFor(
        (all) => new Set(all.filter((m) => m.key === workflowId).map((m) => m.value.id)).size === expected.length,
      );
      expect([...new Set(messages.filter((m) => m.key === workflowId).map((m) => m.value.id))].sort()).toEqual(
        expected.sort(),
      );
      await handle.terminate('test over');
    } finally {
      await reader.stop();
      await second.stop();
      await temporal.close();
    }
  });
});
