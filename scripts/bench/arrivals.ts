import { performance } from 'node:perf_hooks';
import type { Consumer, Kafka } from 'kafkajs';
import { sleep } from './load';

/**
 * A consumer standing in for an agency's system: notes when each message (by its `ce_id` header,
 * the CloudEvent id) arrives, on the harness's clock. Its group is committed at the topic's end
 * before it joins, so it reads only what comes after, and misses none of it.
 */
export class Arrivals {
  private readonly arrived = new Map<string, number>();
  /** The last message's value, as a template of real size for a baseline. */
  lastValue?: string;

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, admin: Kafka, topic: string, groupId: string): Promise<Arrivals> {
    const client = admin.admin();
    await client.connect();
    try {
      const offsets = await client.fetchTopicOffsets(topic);
      await client.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })) });
    } finally {
      await client.disconnect();
    }
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
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
