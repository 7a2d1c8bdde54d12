import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { createPublishActivities, type PublishRequest } from '../../../activities/publish';
import { route } from '../../../kafka/envelopes';
import { pathwayIdOf } from '../../../domain';
import { EventPublisher, type OutboundMessage } from '../../../kafka/publisher';
import { productKafka, rawKafka } from '../kafka';
import { closedLoop } from '../load';
import { loadDetails, loadRows, type Phase, type Row } from '../phase';
import { samplePathwayBatches } from '../sample-events';
import { warmUp } from './starts';

/** The requests the workflows would make for `events` pathway events: sample pathways, one batch per command. */
function publishRequests(events: number, run: string): PublishRequest[] {
  const sample = samplePathwayBatches();
  const requests: PublishRequest[] = [];
  let count = 0;
  for (let pathway = 0; count < events; pathway++) {
    for (const batch of sample) {
      if (count >= events) break;
      requests.push({ pathwayId: pathwayIdOf(`P${run}n${pathway}`), events: batch.events, contexts: batch.contexts });
      count += batch.events.length;
    }
  }
  return requests;
}

const byTopic = (messages: OutboundMessage[]) => {
  const topics = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of messages)
    topics.set(topic, [...(topics.get(topic) ?? []), { key, value, headers }]);
  return [...topics].map(([topic, list]) => ({ topic, messages: list }));
};

export const publishPhase: Phase = {
  name: 'publish',
  title: 'Publish: pathway events through the publishing activity to Kafka',
  baseline:
    "raw kafkajs: the same messages (same sizes and count, same batches, acks=all) from kafkajs's default producer",
  async run({ system, sizes, cpu }) {
    const run = randomUUID().slice(0, 6);
    const requests = publishRequests(sizes.publishEvents, run);
    const events = requests.reduce((n, r) => n + r.events.length, 0);
    // What the publish path sends, worked out before the clock starts, for the raw producer.
    const batches = requests.map((r) => byTopic(r.events.flatMap((e, i) => route(r.pathwayId, e, r.contexts![i]))));
    const messages = batches.reduce((n, b) => n + b.reduce((m, t) => m + t.messages.length, 0), 0);
    const publisher = new EventPublisher(productKafka(system.config, 'bench-publish'));
    const { publishEvents } = createPublishActivities(publisher);
    const producer = rawKafka(system.config, system.secrets, 'bench-raw-publish').producer();
    await producer.connect();
    const rows: Row[] = [];
    const details: Record<string, unknown> = { events, messages, calls: requests.length };
    try {
      for (const concurrency of sizes.concurrency) {
        const path = (i: number) => publishEvents(requests[i]);
        const raw = (i: number) => producer.sendBatch({ acks: -1, topicMessages: batches[i] });
        const warm = warmUp(concurrency, requests.length);
        await closedLoop('warm-up', warm, concurrency, path);
        await closedLoop('warm-up', warm, concurrency, raw);
        const homeward = await cpu.around('homeward', () =>
          closedLoop(`publish path, concurrency ${concurrency}`, requests.length, concurrency, path),
        );
        const baseline = await cpu.around('baseline', () =>
          closedLoop(`raw kafkajs, concurrency ${concurrency}`, requests.length, concurrency, raw),
        );
        const perEvent = (load: typeof homeward) => ({ ...load, perSecond: events / load.seconds });
        rows.push(...loadRows('events', concurrency, perEvent(homeward), perEvent(baseline), [50]));
        details[`concurrency ${concurrency}`] = loadDetails(perEvent(homeward), perEvent(baseline));
      }
    } finally {
      await publisher.close();
      await producer.disconnect();
    }
    return {
      rows,
      details,
      notes: [
        `${events} events of sample P1 pathways in ${requests.length} activity calls (one per command), ${messages} Kafka messages (${(messages / events).toFixed(1)} per event: the audit topic, the trust's topic and each agency concerned). p50 is per call.`,
        'The publish path routes and minimises each event and sends with an idempotent producer with one request in flight (order and no duplicates); the raw producer has kafkajs defaults (several in flight, not idempotent).',
      ],
    };
  },
};
