import { Partitioners, type Kafka, type PartitionMetadata, type Producer, type RetryOptions } from 'kafkajs';
import { durableProducer, producerAcks } from './client';
import { TopicPartitions } from './partitions';

export interface OutboundMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** Messages for one partition of one topic, in the order they were given. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: OutboundMessage[];
}

// Keyed messages never touch the partitioner's round-robin state, so one instance serves every topic.
const defaultPartitioner = Partitioners.DefaultPartitioner();

/**
 * Splits messages by the partition kafkajs would choose for their key (its default partitioner,
 * which the producer is given too), keeping each partition's messages in order: a pathway's
 * messages share a key, so its order on every topic is kept.
 */
export function byPartition(
  messages: OutboundMessage[],
  partitionsOf: ReadonlyMap<string, PartitionMetadata[]>,
): PartitionBatch[] {
  const batches = new Map<string, PartitionBatch>();
  for (const message of messages) {
    const partitionMetadata = partitionsOf.get(message.topic);
    if (!partitionMetadata?.length) throw new Error(`No partitions known for Kafka topic ${message.topic}`);
    const partition = defaultPartitioner({
      topic: message.topic,
      partitionMetadata,
      message: { key: message.key, value: message.value },
    });
    const id = `${message.topic}\u0000${partition}`;
    const batch = batches.get(id) ?? { topic: message.topic, partition, messages: [] };
    batch.messages.push(message);
    batches.set(id, batch);
  }
  return [...batches.values()];
}

/**
 * One idempotent producer per worker process, shared by every publishing activity, closed on
 * shutdown. acks=all and idempotence make a broker-side retry never duplicate a message; an
 * activity retry may re-send, and consumers drop that by the CloudEvent id.
 *
 * Two kafkajs 2.2.4 faults lose messages silently when a partition's leader dies, and the
 * publisher sends so that neither can happen:
 * - One send() covers one partition of one topic. kafkajs remembers, across the retries of one
 *   send, which brokers have answered; when a partition's leader moves to one of them, that
 *   partition's messages are never sent and send() still succeeds (tulios/kafkajs#1798).
 * - One send() at a time per partition. When a request fails without an answer, kafkajs hands its
 *   sequence numbers back; a second send to the same partition then goes out with them, and if
 *   the first was written after all, the broker takes the second for a duplicate of it and drops
 *   it (or refuses it as out of order). Alone on its partition, a send retried reuses its numbers
 *   for the same messages, which is what idempotence is for.
 */
export class EventPublisher {
  private current: Producing;
  private readonly partitions: TopicPartitions;
  /** The last send to each partition: the next one waits for it. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly retry?: RetryOptions,
  ) {
    this.current = this.create();
    this.partitions = new TopicPartitions(kafka);
  }

  private create(): Producing {
    return { producer: durableProducer(this.kafka, this.retry), sending: 0, retired: false };
  }

  /**
   * After a long broker outage a kafkajs producer can stay on a dead connection (kafkajs issues
   * 979, 1783), and after a failed send its sequence numbers are not to be trusted: on any
   * failure the producer is retired, no further send goes through it, and the activity's retry
   * gets a new one.
   */
  async publish(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const used = this.current;
    try {
      used.connected ??= used.producer.connect();
      await used.connected;
      const batches = byPartition(messages, await this.partitions.of(new Set(messages.map((m) => m.topic))));
      // Different partitions go side by side; each waits only for its own partition's last send.
      const sent = await Promise.allSettled(
        batches.map((batch) => this.inTurn(`${batch.topic}\u0000${batch.partition}`, () => this.send(used, batch))),
      );
      const failed = sent.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (error) {
      this.retire(used);
      throw error;
    }
  }

  private async send(used: Producing, { topic, partition, messages }: PartitionBatch): Promise<void> {
    // Retired while this send waited its turn, perhaps after a failure on this very partition.
    if (used.retired) throw new Error(`Kafka producer retired after a failed send; ${topic}/${partition} not sent`);
    used.sending += 1;
    try {
      await used.producer.send({
        topic,
        acks: producerAcks,
        messages: messages.map(({ key, value, headers }) => ({ key, value, headers, partition })),
      });
    } catch (error) {
      // Before the partition's next send takes its turn.
      this.retire(used);
      throw error;
    } finally {
      used.sending -= 1;
      if (used.retired && used.sending === 0) void used.producer.disconnect().catch(() => undefined);
    }
  }

  /** Sends in flight on a retired producer finish; it disconnects after the last. */
  private retire(used: Producing): void {
    if (used.retired) return;
    used.retired = true;
    if (this.current === used) {
      this.current = this.create();
      this.partitions.forget();
    }
    if (used.sending === 0) void used.producer.disconnect().catch(() => undefined);
  }

  private async inTurn<T>(queue: string, send: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(queue) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(send);
    this.queues.set(queue, turn);
    try {
      return await turn;
    } finally {
      if (this.queues.get(queue) === turn) this.queues.delete(queue);
    }
  }

  async close(): Promise<void> {
    await this.partitions.close();
    if (this.current.connected) await this.current.producer.disconnect();
  }
}

interface Producing {
  producer: Producer;
  connected?: Promise<void>;
  /** Sends in flight through it. */
  sending: number;
  /** No send starts through it any more. */
  retired: boolean;
}
