import { randomUUID } from 'node:crypto';
import type { KafkaConfig } from '../config';
import { readDevSecrets } from '../config/dev-secrets';
import { createKafka } from '../kafka/client';
import { consumerGroups, principals } from '../kafka/acls';
import { CloudEvent } from '../schemas/cloudevent';
import type { Agency } from '../schemas/common';
import { topics } from '../kafka/topics';

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
 * An agency's Kafka settings: KAFKA_BROKERS, KAFKA_SASL_* and KAFKA_SSL* from the environment (the
 * SCRAM user the trust created for the agency); without KAFKA_SASL_*, in local development, the
 * `agency-<agency>` user of the data dir's secrets, which `npm start` created on its broker.
 */
export function agencyKafkaConfig(agency: Agency, kafka: KafkaConfig, dataDir: string, env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  if (kafka.sasl || env.HOMEWARD_ENV === 'production') return kafka;
  const user = readDevSecrets(dataDir)?.kafka[principals.agency(agency)];
  return user ? { ...kafka, sasl: { mechanism: 'scram-sha-512', ...user } } : kafka;
}

/** What the broker's refusal means for the person at the terminal. */
export function explainKafkaError(error: unknown, options: Pick<TailOptions, 'kafka' | 'agency'> & { groupId: string }): Error {
  const { name, message, type: ownType, cause } = error as Error & { type?: string; cause?: { type?: string } };
  const type = ownType ?? cause?.type;
  const who = options.kafka.sasl ? `Kafka user ${options.kafka.sasl.username}` : 'a client without credentials';
  if (name === 'KafkaJSSASLAuthenticationError') return new Error(`Kafka refused the sign-in of ${who}: wrong user name or password`);
  if (name === 'KafkaJSConnectionClosedError' && !options.kafka.sasl) {
    return new Error('Kafka closed the connection: it needs credentials (set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)');
  }
  if (type === 'TOPIC_AUTHORIZATION_FAILED') return new Error(`Kafka refused ${who} on ${topics.agencyEvents(options.agency)}: that user may not read ${options.agency}'s events`);
  // kafkajs reports a refused consumer group as a coordinator it cannot find.
  if (type === 'GROUP_AUTHORIZATION_FAILED' || name === 'KafkaJSGroupCoordinatorNotFound') {
    return new Error(`Kafka refused ${who} the consumer group ${options.groupId}: ${options.agency}'s groups start with ${consumerGroups.agency(options.agency)}`);
  }
  return new Error(`Kafka: ${message}`);
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
  const type = event.type.replace(/^uk\.nhs\.discharge\./, '');
  return `${event.time}  ${type.padEnd(36)} ${event.subject} #${event.sequence}  ${JSON.stringify(event.data)}`;
}
