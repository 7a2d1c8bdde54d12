import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CloudEvent } from '../schemas/cloudevent';
import type { Agency } from '../schemas/common';
import { topics } from '../kafka/topics';

export interface TailOptions {
  brokers: string[];
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
  const kafka = new Kafka({ clientId: `homeward-tail-${options.agency}`, brokers: options.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: options.groupId ?? `homeward-tail-${options.agency}-${randomUUID()}` });
  const seen = new Set<string>();
  let duplicates = 0;
  await consumer.connect();
  try {
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
          options.onInvalid?.(`offset ${message.offset}: not a Homeward CloudEvent (${parsed.error.issues[0]?.path.join('.')})`);
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
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await consumer.disconnect();
  }
  return { seen: seen.size, duplicates };
}

export function formatEvent(event: CloudEvent): string {
  const type = event.type.replace(/^uk\.nhs\.discharge\./, '');
  return `${event.time}  ${type.padEnd(36)} ${event.subject} #${event.sequence}  ${JSON.stringify(event.data)}`;
}
