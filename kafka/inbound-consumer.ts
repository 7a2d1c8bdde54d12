import { createHash } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { dlqEntries, inboundLag, inboundMessages, reasonCode } from '../health/metrics';
import { forgetHealth, reportHealth } from '../health/registry';
import { consuming } from '../telemetry/kafka-spans';
import { parseLoosely, traceIdOf, traceparentOf } from '../telemetry/trace-context';
import { EventPublisher, type OutboundMessage } from './publisher';
import { topics } from './topics';

/** A dead letter keeps at most this much of the message: anything larger could not be written to the DLQ at all. */
export const deadLetterValueLimit = 64 * 1024;

/** What a handler decided about one inbound message. */
export type Outcome =
  { kind: 'applied'; detail?: string } | { kind: 'duplicate'; detail?: string } | { kind: 'rejected'; reason: string };

export type Handler = (topic: string, message: KafkaMessage) => Promise<Outcome>;

/** Extra messages that tell a rejected message's sender (on a channel only it reads) why it was refused. */
export type RejectionNotice = (letter: DeadLetter) => OutboundMessage[];

export interface DeadLetter {
  reason: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The message as it arrived, so it can be replayed once fixed; only a prefix when it was larger than the DLQ takes. */
  value: string | null;
  /** Present when `value` is a prefix: the original size in bytes and its SHA-256, to find and check the original. */
  truncated?: { size: number; sha256: string };
  headers: Record<string, string>;
  /** The `messageId` of the message, when it had one: what its sender knows it by. */
  messageId?: string;
  /** The trace the message belonged to (its `traceparent`), to find the sender's and Homeward's spans. */
  traceId?: string;
  failedAt: string;
}

/**
 * Reads inbound topics at least once: an offset is committed only after the pathway took the
 * message or the message went to the DLQ. A handler that throws (Temporal unreachable, say)
 * leaves the offset alone, so the message is redelivered; handlers make redelivery harmless.
 */
export class InboundConsumer {
  private consumer?: Consumer;
  /** Dead letters and notices go out as Homeward's events do: one partition per send, nothing lost on a leader change. */
  private readonly producer: EventPublisher;
  private topics: string[] = [];
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  readonly stats = { applied: 0, duplicate: 0, deadLettered: 0, retried: 0, restarts: 0 };

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly handler: Handler,
    private readonly logger: Logger,
    private readonly notice: RejectionNotice = () => [],
  ) {
    this.producer = new EventPublisher(kafka);
  }

  /** Its name in the health registry (/health, the readiness probe). */
  get healthComponent(): string {
    return `consumer:${this.groupId}`;
  }

  async start(subscribe: string[]): Promise<void> {
    this.topics = subscribe;
    await this.run();
  }

  /**
   * kafkajs gives up on a consumer after a non-retriable error (a CRASH with restart: false) and
   * never asks again: this creates a fresh consumer, with backoff, until one runs.
   */
  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      this.logger.error(
        { group: this.groupId, error: payload.error.message },
        'inbound consumer crashed; restarting it',
      );
      this.scheduleRestart(consumer);
    });
    // What is left on a partition when a batch starts and once it is done: while a message is
    // retried (Temporal down), each new fetch shows the lag growing.
    const lag = (topic: string, partition: number, messages: string) =>
      inboundLag.set({ group: this.groupId, topic, partition: String(partition) }, Math.max(0, Number(messages)));
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) =>
      lag(payload.topic, payload.partition, payload.offsetLagLow),
    );
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      lag(payload.topic, payload.partition, payload.offsetLag),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consume(consumer);
    reportHealth(this.healthComponent, { status: 'running', restarts: this.stats.restarts });
  }

  private scheduleRestart(crashed: Consumer, attempt = 1): void {
    this.stats.restarts += 1;
    const delay = Math.min(30_000, 500 * 2 ** (attempt - 1));
    reportHealth(this.healthComponent, {
      status: 'restarting',
      detail: `crashed; restart attempt ${attempt} in ${delay} ms`,
      restarts: this.stats.restarts,
    });
    this.restartTimer = setTimeout(() => {
      void crashed
        .disconnect()
        .catch(() => undefined)
        .then(() => (this.stopping ? undefined : this.run()))
        .catch((error: unknown) => {
          this.logger.warn(
            { group: this.groupId, error: (error as Error).message, attempt },
            'inbound consumer restart failed; will try again',
          );
          this.scheduleRestart(crashed, attempt + 1);
        });
    }, delay);
  }

  private async consume(consumer: Consumer): Promise<void> {
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        let outcome: Outcome;
        try {
          // The command it becomes continues the sender's trace, when the message carries one.
          outcome = await consuming(topic, partition, message, () => this.handler(topic, message));
        } catch (error) {
          this.stats.retried += 1;
          inboundMessages.inc({ topic, outcome: 'retried' });
          // Not the message's fault: do not commit; kafkajs backs off and redelivers it.
          this.logger.warn(
            { topic, partition, offset: message.offset, error: (error as Error).message },
            'inbound message will be retried',
          );
          throw error;
        }
        if (outcome.kind === 'rejected') {
          await this.deadLetter(topic, partition, message, outcome.reason);
        } else {
          this.stats[outcome.kind] += 1;
          inboundMessages.inc({ topic, outcome: outcome.kind });
          this.logger.info(
            { topic, partition, offset: message.offset, outcome: outcome.kind, detail: outcome.detail },
            'inbound message handled',
          );
        }
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        await heartbeat();
      },
    });
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    const value = message.value;
    const oversize = value !== null && value.length > deadLetterValueLimit;
    const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const sent = parseLoosely(value?.toString());
    const messageId = typeof sent?.messageId === 'string' ? sent.messageId.slice(0, 100) : undefined;
    const traceId = traceIdOf(traceparentOf(headers, sent));
    const letter: DeadLetter = {
      reason,
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString().slice(0, 1_000) ?? null,
      value: value === null ? null : value.subarray(0, deadLetterValueLimit).toString(),
      ...(oversize
        ? { truncated: { size: value.length, sha256: createHash('sha256').update(value).digest('hex') } }
        : {}),
      headers,
      ...(messageId ? { messageId } : {}),
      ...(traceId ? { traceId } : {}),
      failedAt: new Date().toISOString(),
    };
    // The DLQ is the trust operators'; the sender also hears of it, on its own topic, as one batch.
    const notices = this.notice(letter);
    await this.producer.publish([
      {
        topic: topics.dlq,
        key: `${topic}/${partition}/${message.offset}`,
        value: JSON.stringify(letter),
        headers: { 'homeward-dlq-reason': reason },
      },
      ...notices,
    ]);
    this.stats.deadLettered += 1;
    inboundMessages.inc({ topic, outcome: 'dead_lettered' });
    dlqEntries.inc({ topic, reason: reasonCode(reason) });
    // The reason names the field or rule, never a value: it may be logged.
    this.logger.warn(
      { topic, partition, offset: message.offset, reason, messageId, traceId },
      'inbound message sent to the DLQ',
    );
  }

  /** Stops within `timeoutMs` even if kafkajs is stuck retrying (a SIGTERM must not wait for it). */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    forgetHealth(this.healthComponent);
    const stopped = Promise.allSettled([this.consumer?.disconnect(), this.producer.close()]);
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
