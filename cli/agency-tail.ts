import { randomUUID } from 'node:crypto';
import type { KafkaConfig } from '../config';
import { createKafka } from '../kafka/client';
import { consumerGroups } from '../kafka/acls';
import { CloudEvent, unprefixedType } from '../schemas/cloudevent';
import type { Agency } from '../schemas/common';
import { topics } from '../kafka/topics';
import { explainKafkaError, refused } from './agency-kafka';

export interface TailOptions {
  /** Brokers and the agency's own credentials (see agencyKafkaConfig). */
  kafka: KafkaConfig;
  agency: Agency;
  /** Start from the topic's first message rather than from now. */
  fromBeginning: boolean;
  /** A named consumer group resumes where it stopped; the default reads as a fresh observer. */
  groupId?: string;
  onEvent(event: CloudEvent): void;
  onInvalid?(reason: string): void;
  signal: AbortSignal;
}

/**
 * The reference consumer for agency engineers: reads an agency's topic and hands each event to
 * `onEvent` once, even when Kafka or an activity retry delivers it twice (same CloudEvent id).
 */
export async function tailAgency(options: TailOptions): Promise<{ seen: number; duplicates: number }> {
  const kafka = createKafka({ ...options.kafka, clientId: `homeward-tail-${options.agency}`, retry: { retries: 2 } });
  const groupId = options.groupId ?? `${consumerGroups.agency(options.agency)}tail-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  const seen = new Set<string>();
  let duplicates = 0;
  // A refusal after subscribing (the consumer group) arrives as a crash, not as a thrown error.
  let crashed: Error | undefined;
  const stopped = new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts after a passing failure (a broker restarting); a refusal would only repeat.
      if (payload.restart && !refused(payload.error)) return;
      crashed = explainKafkaError(payload.error, { ...options, groupId });
      resolve();
    });
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: topics.agencyEvents(options.agency), fromBeginning: options.fromBeginning });
    await consumer.run({
      eachMessage: async ({ message }) => {
        let parsed;
        try {
          parsed = CloudEvent.safeParse(JSON.parse(message.value?.toString() ?? ''));
        } catch {
          options.onInvalid?.(`offset ${message.offset}: not JSON`);
          return;
        }
        if (!parsed.success) {
          options.onInvalid?.(
            `offset ${message.offset}: not a Homeward CloudEvent (${parsed.error.issues[0]?.path.join('.')})`,
          );
          return;
        }
        if (seen.has(parsed.data.id)) {
          duplicates += 1;
          return;
        }
        seen.add(parsed.data.id);
        // Keep memory bounded on a long tail: the oldest ids are the least likely to repeat.
        if (seen.size > 100_000) seen.delete(seen.values().next().value as string);
        options.onEvent(parsed.data);
      },
    });
    await stopped;
  } catch (error) {
    throw explainKafkaError(error, { ...options, groupId });
  } finally {
    await consumer.disconnect();
  }
  if (crashed) throw crashed;
  return { seen: seen.size, duplicates };
}

export function formatEvent(event: CloudEvent): string {
  const type = unprefixedType(event.type);
  return `${event.time}  ${type.padEnd(36)} ${event.subject} #${event.sequence}  ${JSON.stringify(event.data)}`;
}
