import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { topics } from '../../kafka/topics';
import { TopicReader } from '../support/kafka';
import { PathwayTestEnv } from '../support/pathway-env';
import { eventually } from '../support/system';
import { TcpProxy } from '../support/tcp-proxy';

// The worker reaches the suite's real broker through a proxy: closed, Kafka refuses the worker's
// connections (its client bootstraps there), as a broker that is down would.
const [host, port] = inject('kafkaBrokers').split(',')[0].split(':');
const kafkaGate = new TcpProxy({ host, port: Number(port) });
let t: PathwayTestEnv;
let reader: TopicReader;

beforeAll(async () => {
  await kafkaGate.open();
  await kafkaGate.close();
  // One quick kafkajs retry (an idempotent producer needs one): each try of the publishing fails
  // within a second, as it would once its retries ran out.
  t = await PathwayTestEnv.create({
    kafkaBrokers: `127.0.0.1:${kafkaGate.port}`,
    kafkaRetry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
  });
  reader = await new TopicReader(inject('kafkaBrokers')).start([topics.pathwayEvents]);
});
afterAll(async () => {
  await reader?.stop();
  await t?.endRunning();
  await t?.teardown();
  await kafkaGate.close();
});

it("hands a start's events to the publishing activity when Kafka refuses the local activity's two tries, and each event reaches Kafka once", async () => {
  const type = temporal.api.enums.v1.EventType;
  const pathway = await t.start();
  const history = async () => (await pathway.handle.fetchHistory()).events ?? [];
  // The local activity's tries are over (its marker records the failure) and the activity takes over.
  const refused = await eventually(history, (events) =>
    events.some((e) => e.eventType === type.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  );
  const localActivities = refused.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  expect(localActivities).toHaveLength(1);
  expect(localActivities[0].markerRecordedEventAttributes?.failure).toBeTruthy();
  expect((await pathway.view()).published).toBe(0);

  await kafkaGate.open();
  const view = await eventually(
    () => pathway.view(),
    (v) => v.published > 0 && v.published === v.timeline.length,
    30_000,
  );
  expect((await history()).some((e) => e.eventType === type.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toBe(true);
  const messages = await reader.waitFor(
    (all) => all.filter((m) => m.key === pathway.id).length >= view.timeline.length,
  );
  const ids = messages.filter((m) => m.key === pathway.id).map((m) => m.value.id);
  expect(ids.sort()).toEqual(view.timeline.map((e) => `${pathway.id}/${e.sequence}`).sort());
});
