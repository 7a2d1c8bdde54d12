import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { resolvePolicy } from '../domain';
import { EventPublisher } from '../kafka/publisher';
import { topics } from '../kafka/topics';
import { pathwayViewQuery, pathwayWorkflowId, type PathwayInput } from '../workflows/definitions';
import { admission } from './support/fixtures';
import { kafkaAs, TopicReader } from './support/kafka';
import { connectDevServer, createWorker, proofFor, uniqueTaskQueue } from './support/temporal';

// The foundation end to end: a pathway workflow on the real Temporal dev server publishes its
// first event to the real Kafka broker.
describe('smoke: Temporal → activity → Kafka', () => {
  let temporal: Awaited<ReturnType<typeof connectDevServer>>;
  let publisher: EventPublisher;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('smoke');

  beforeAll(async () => {
    temporal = await connectDevServer();
    publisher = new EventPublisher(kafkaAs('homeward', { clientId: 'smoke' }));
    worker = await createWorker({
      connection: temporal.nativeConnection,
      taskQueue,
      activities: createActivities({ publisher }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await publisher?.close();
    await temporal?.close();
  });

  it('starts a pathway and reads its pathway.started CloudEvent back from Kafka', async () => {
    const start = admission();
    const pathwayId = pathwayWorkflowId(start.admissionId);
    const reader = await new TopicReader(inject('kafkaBrokers')).start([topics.pathwayEvents]);
    const input: PathwayInput = {
      start: { ...start, type: 'start', at: new Date().toISOString() },
      policy: resolvePolicy('england'),
      patientKey: 'test-key',
    };
    const handle = await temporal.client.workflow.start('dischargePathway', {
      taskQueue,
      workflowId: pathwayId,
      args: [input, proofFor('start', pathwayId)],
    });

    const [message] = (await reader.waitFor((all) => all.some((m) => m.key === pathwayId))).filter(
      (m) => m.key === pathwayId,
    );
    await reader.stop();
    expect(message.value).toMatchObject({
      specversion: '1.0',
      id: `${pathwayId}/1`,
      type: 'uk.nhs.discharge.pathway.started.v1',
      subject: pathwayId,
      sequence: 1,
      data: { admissionId: start.admissionId, site: 'LEEDS-GEN' },
    });
    const view = await handle.query(pathwayViewQuery);
    expect(view.stage).toBe('admitted');
    expect(view.published).toBe(1);
    await handle.terminate('test over');
  });
});
