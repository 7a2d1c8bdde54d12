import type { Kafka, Producer } from 'kafkajs';

export interface OutboundMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/**
 * One idempotent producer per worker process, shared by every publishing activity, closed on
 * shutdown. acks=all and idempotence make a broker-side retry never duplicate a message; an
 * activity retry may re-send, and consumers drop that by the CloudEvent id.
 */
export class EventPublisher {
  private producer: Producer;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {
    this.producer = this.create();
  }

  private create(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  /**
   * After a long broker outage a kafkajs producer can stay on a dead connection (kafkajs issues
   * 979, 1783): on any failure the producer is dropped, and the activity's retry gets a new one.
   */
  async publish(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.send(messages);
    } catch (error) {
      const stale = this.producer;
      this.producer = this.create();
      this.connected = undefined;
      void stale.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async send(messages: OutboundMessage[]): Promise<void> {
    this.connected ??= this.producer.connect();
    await this.connected;
    const byTopic = new Map<string, OutboundMessage[]>();
    for (const message of messages) {
      byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}
