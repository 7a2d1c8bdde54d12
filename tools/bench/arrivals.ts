import { performance } from 'node:perf_hooks';
import type { Consumer, Kafka } from 'kafkajs';
import { sleep } from './load';

/**
 * A consumer standing in for an agency's system: notes when each message (by its `ce_id` header,
 * the CloudEvent id) arrives, on the harness's clock. It reads from the topic's end as it was
 * when it joined: only what comes after, and none of that is missed.
 */
export class Arrivals {
  private readonly arrived = new Map<string, number>();
  /** The last message's value, as a template of real size for a baseline. */
  lastValue?: string;

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, admin: Kafka, topic: string, groupId: string): Promise<Arrivals> {
    // A fetch still answers as soon as one byte is there (minBytes 1); the short wait only lets
    // disconnect() return without waiting out kafkajs's default 5-second long poll.
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
    });
    const arrivals = new Arrivals(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const at = performance.now();
        const id = message.headers?.ce_id?.toString();
        if (id) arrivals.arrived.set(id, at);
        arrivals.lastValue = message.value?.toString();
      },
    });
    await joined;
    // From the topic's current end, whatever the group's starting position was resolved to:
    // nothing is sent before this returns, so nothing is missed. (Committing the offsets with
    // admin.setOffsets first costs kafkajs seconds.)
    const client = admin.admin();
    await client.connect();
    try {
      for (const { partition, high } of await client.fetchTopicOffsets(topic))
        consumer.seek({ topic, partition, offset: high });
    } finally {
      await client.disconnect();
    }
    return arrivals;
  }

  /** When each id arrived; throws naming how many never did. */
  async waitFor(ids: string[], timeoutMs = 30_000): Promise<number[]> {
    const deadline = performance.now() + timeoutMs;
    while (ids.some((id) => !this.arrived.has(id))) {
      if (performance.now() > deadline) {
        const missing = ids.filter((id) => !this.arrived.has(id)).length;
        throw new Error(`${missing} of ${ids.length} messages did not arrive within ${timeoutMs / 1000} s`);
      }
      await sleep(50);
    }
    return ids.map((id) => this.arrived.get(id)!);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
