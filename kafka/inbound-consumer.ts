import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { topics } from './topics';

/** What a handler decided about one inbound message. */
export type Outcome =
  | { kind: 'applied'; detail?: string }
  | { kind: 'duplicate'; detail?: string }
  | { kind: 'rejected'; reason: string };

export type Handler = (topic: string, message: KafkaMessage) => Promise<Outcome>;

export interface DeadLetter {
  reason: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The message as it arrived, so nothing is lost and it can be replayed once fixed. */
  value: string | null;
  headers: Record<string, string>;
  failedAt: string;
}

/**
 * Reads inbound topics at least once: an offset is committed only after the pathway took the
 * message or the message went to the DLQ. A handler that throws (Temporal unreachable, say)
 * leaves the offset alone, so the message is redelivered; handlers make redelivery harmless.
 */
export class InboundConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  readonly stats = { applied: 0, duplicate: 0, deadLettered: 0, retried: 0 };

  constructor(
    kafka: Kafka,
    private readonly groupId: string,
    private readonly handler: Handler,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async start(subscribe: string[]): Promise<void> {
    await Promise.all([this.consumer.connect(), this.producer.connect()]);
    await this.consumer.subscribe({ topics: subscribe, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        let outcome: Outcome;
        try {
          outcome = await this.handler(topic, message);
        } catch (error) {
          this.stats.retried += 1;
          // Not the message's fault: do not commit; kafkajs backs off and redelivers it.
          this.logger.warn({ topic, partition, offset: message.offset, error: (error as Error).message }, 'inbound message will be retried');
          throw error;
        }
        if (outcome.kind === 'rejected') {
          await this.deadLetter(topic, partition, message, outcome.reason);
        } else {
          this.stats[outcome.kind] += 1;
          this.logger.info({ topic, partition, offset: message.offset, outcome: outcome.kind, detail: outcome.detail }, 'inbound message handled');
        }
        await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        await heartbeat();
      },
    });
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    const letter: DeadLetter = {
      reason,
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? null,
      headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      failedAt: new Date().toISOString(),
    };
    await this.producer.send({
      topic: topics.dlq,
      acks: -1,
      messages: [{ key: `${topic}/${partition}/${message.offset}`, value: JSON.stringify(letter), headers: { 'homeward-dlq-reason': reason } }],
    });
    this.stats.deadLettered += 1;
    // The reason names the field or rule, never a value: it may be logged.
    this.logger.warn({ topic, partition, offset: message.offset, reason }, 'inbound message sent to the DLQ');
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
