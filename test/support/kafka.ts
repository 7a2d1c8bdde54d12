import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface ReceivedMessage {
  topic: string;
  key: string | undefined;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Reads topics of the real broker from the beginning until `done` says enough has arrived.
 * A fresh consumer group each time, so tests never steal each other's messages.
 */
export class TopicReader {
  readonly messages: ReceivedMessage[] = [];
  private consumer?: Consumer;

  constructor(private readonly brokers: string) {}

  async start(topics: string[]): Promise<this> {
    const kafka = new Kafka({ clientId: 'homeward-test-reader', brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        let value: Record<string, unknown>;
        try {
          value = JSON.parse(message.value?.toString() ?? 'null');
        } catch {
          // Other test files put junk on shared topics on purpose; a throw here would stall this reader on it for ever.
          return;
        }
        this.messages.push({ topic, key: message.key?.toString(), value, headers });
      },
    });
    return this;
  }

  async waitFor(done: (messages: ReceivedMessage[]) => boolean, timeoutMs = 20_000): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages)) {
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for Kafka messages; got ${this.messages.length}: ${this.messages.map((m) => `${m.topic}:${String(m.value?.type)}`).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * Commits a new consumer group's offsets at the current end of the topics, so a bridge started
 * with it handles only this test's messages, not those other test files left on shared topics.
 */
export async function positionGroupAtEnd(brokers: string, groupId: string, topicNames: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'homeward-test-admin', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of topicNames) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })) });
    }
  } finally {
    await admin.disconnect();
  }
}
