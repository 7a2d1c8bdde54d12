import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, RetryOptions } from 'kafkajs';
import { inject } from 'vitest';
import { loadKafkaConfig } from '../../config';
import { createKafka } from '../../kafka/client';
import { consumerGroups } from '../../kafka/acls';
import { Agency } from '../../schemas/common';
import { schemaChecked } from './agency-schemas';
import { testSecrets } from './secrets';

/**
 * The KAFKA_* variables, credentials aside, that reach the run's Kafka: its brokers, and in the
 * production profile KAFKA_SSL and KAFKA_SSL_CA_FILE (its private CA).
 */
export function kafkaEnvironment(): Record<string, string> {
  return { KAFKA_BROKERS: inject('kafkaBrokers'), ...(JSON.parse(inject('kafkaEnv')) as Record<string, string>) };
}

/**
 * A client on the suite's Kafka signed in as one of the run's principals: `admin` (super user,
 * reads everything), `homeward`, `adt` or `agency-<agency>`; `null` for no credentials at all.
 * Over TLS when the run's Kafka wants it (the production profile), read as Homeward reads its settings.
 */
export function kafkaAs(
  principal: string | null,
  options: { brokers?: string; clientId?: string; retry?: RetryOptions } = {},
): Kafka {
  const user = principal === null ? undefined : testSecrets().kafka[principal];
  if (principal !== null && !user) throw new Error(`The run's secrets have no Kafka principal ${principal}`);
  const { ssl, sslCaFile } = loadKafkaConfig(kafkaEnvironment());
  return createKafka({
    brokers: (options.brokers ?? inject('kafkaBrokers')).split(','),
    clientId: options.clientId ?? `test-${principal ?? 'anonymous'}`,
    sasl: user && { mechanism: 'scram-sha-512', ...user },
    ssl,
    sslCaFile,
    retry: options.retry,
  });
}

/** A consumer group of its own that `principal` may use (kafka/acls.ts): an agency only its own prefix's, Homeward only `homeward-`'s. */
function readerGroup(principal: string): string {
  const agency = principal.startsWith('agency-') ? Agency.parse(principal.slice('agency-'.length)) : undefined;
  const prefix = agency ? consumerGroups.agency(agency) : principal === 'homeward' ? consumerGroups.homeward : '';
  return `${prefix}test-${randomUUID()}`;
}

export interface ReceivedMessage {
  topic: string;
  key: string | undefined;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Other test files put deliberately broken messages on shared topics: a reader that threw on one
 * would make kafkajs redeliver it for ever and read nothing more.
 */
function parseValue(text: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(text ?? 'null') as Record<string, unknown>;
  } catch {
    return { unparsed: text };
  }
}

/**
 * Reads topics of the real broker from the beginning until `done` says enough has arrived, as
 * `principal` (admin by default; an agency reads only its own topic). A fresh consumer group each
 * time, so tests never steal each other's messages.
 */
export class TopicReader {
  readonly messages: ReceivedMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly brokers: string,
    private readonly principal = 'admin',
  ) {}

  async start(topics: string[]): Promise<this> {
    const kafka = kafkaAs(this.principal, { brokers: this.brokers, clientId: 'homeward-test-reader' });
    this.consumer = kafka.consumer({
      groupId: readerGroup(this.principal),
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.messages.push({
          topic,
          key: message.key?.toString(),
          value: parseValue(message.value?.toString()),
          headers,
        });
      },
    });
    return this;
  }

  /** This key's messages on one topic, in arrival order; from an agency events topic, each checked against its JSON Schema. */
  of(topic: string, key: string): ReceivedMessage[] {
    return schemaChecked(this.messages.filter((m) => m.topic === topic && m.key === key));
  }

  async waitFor(done: (messages: ReceivedMessage[]) => boolean, timeoutMs = 20_000): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages)) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for Kafka messages; got ${this.messages.length}: ${this.messages.map((m) => `${m.topic}:${String(m.value?.type)}`).join(', ')}`,
        );
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
 * One member joins once for every topic (admin.setOffsets joins once per topic: seconds each).
 */
export async function positionGroupAtEnd(brokers: string, groupId: string, topicNames: string[]): Promise<void> {
  const kafka = kafkaAs('admin', { brokers, clientId: 'homeward-test-admin' });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await Promise.all(
    topicNames.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
  ).finally(() => admin.disconnect());
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topicNames, fromBeginning: true });
    // As admin.setOffsets does: seeks are committed on the first fetch, then the member leaves.
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.FETCH, () => consumer.stop().then(resolve, reject));
      consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
      consumer.pause(topicNames.map((topic) => ({ topic })));
      for (const { topic, offsets } of ends)
        for (const { partition, high } of offsets) consumer.seek({ topic, partition, offset: high });
    });
  } finally {
    await consumer.disconnect();
  }
}
