import fs from 'node:fs';
import {
  Kafka,
  logLevel as kafkaLogLevel,
  Partitioners,
  type logCreator,
  type Producer,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../config';

export interface KafkaClientOptions extends Partial<Omit<KafkaConfig, 'brokers' | 'clientId'>> {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  retry?: RetryOptions;
}

/**
 * A kafkajs client with the deployment's SASL credentials and TLS settings, whose own logging goes
 * through pino, so one log stream covers the process. Every Kafka client in Homeward comes from here.
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  const toPino: logCreator =
    () =>
    ({ level, log }) => {
      if (!options.logger) return;
      const { message, ...extra } = log;
      const fields = { component: 'kafkajs', broker: extra.broker, error: extra.error };
      if (expected(message, String(extra.error ?? ''))) options.logger.debug(fields, message);
      else if (level === kafkaLogLevel.ERROR) options.logger.error(fields, message);
      else if (level === kafkaLogLevel.WARN) options.logger.warn(fields, message);
    };
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    sasl: options.sasl as SASLOptions | undefined,
    ssl: kafkaTls(options),
    logLevel: kafkaLogLevel.WARN,
    logCreator: toPino,
    retry: options.retry ?? { retries: 8, initialRetryTime: 200 },
  });
}

/** Every Homeward send waits for all in-sync replicas (at least the topic's min.insync.replicas). */
export const producerAcks = -1;

/**
 * Retries of one send: 0.25, 0.5, 1, 2, 4, then 5 s, about 23 s in all. A partition's leader
 * moves within about 12 s of its broker dying (broker.session.timeout.ms 9 s, then the
 * election), so a send outlasts a failover; and it gives up before the publishing activity's
 * 30 s timeout, so Temporal's retry, not a second concurrent send, takes over when Kafka is away.
 */
export const producerRetry: RetryOptions = { initialRetryTime: 250, maxRetryTime: 5_000, retries: 8 };

/**
 * How every Homeward producer writes (the publisher and the bridges' DLQ): idempotent with one
 * request in flight, so a retry neither duplicates nor reorders a partition's messages; the
 * partitioner kafkajs and the Java client use by default (murmur2 of the key), named rather
 * than assumed, since kafka/publisher.ts computes partitions with it; no topic auto-created.
 */
export function durableProducer(kafka: Kafka, retry: RetryOptions = producerRetry): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry,
  });
}

/**
 * What kafkajs reports loudly but is normal here: a group coordinator still loading on a fresh
 * broker (retried by kafkajs itself), the partitioner notice, and the idempotent producer's retry
 * limit, which is deliberate (a failed publish is retried by the workflow with the same event ids).
 */
function expected(message: string, error: string): boolean {
  return (
    /coordinator is (loading|not available)/i.test(error) ||
    /switched default partitioner|Limiting retries for the idempotent producer/.test(message)
  );
}

/** kafkajs's `ssl` for the deployment's KAFKA_SSL and KAFKA_SSL_CA_FILE (a private CA trusted beside the system's). */
export function kafkaTls(options: Pick<KafkaClientOptions, 'ssl' | 'sslCaFile'>): boolean | { ca: string[] } {
  if (!options.ssl) return false;
  if (!options.sslCaFile) return true;
  try {
    return { ca: [fs.readFileSync(options.sslCaFile, 'utf8')] };
  } catch (error) {
    throw new Error(`Cannot read KAFKA_SSL_CA_FILE ${options.sslCaFile}: ${(error as Error).message}`);
  }
}
