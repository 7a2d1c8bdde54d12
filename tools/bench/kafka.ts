import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { Config } from '../../config';
import type { DevSecrets } from '../../config/dev-secrets';
import { createKafka, kafkaTls } from '../../kafka/client';

/** Homeward's own clients in the harness (the publish path): the product's factory, so credentials follow config.kafka. */
export const productKafka = (config: Config, clientId: string): Kafka => createKafka({ ...config.kafka, clientId });

/** For creating topics: the broker's `admin` principal when it has SASL. */
export const adminKafka = (config: Config, secrets: DevSecrets, clientId: string): Kafka =>
  createKafka({
    ...config.kafka,
    clientId,
    ...(config.kafka.sasl ? { sasl: { ...config.kafka.sasl, ...secrets.kafka.admin } } : {}),
  });

/**
 * The raw kafkajs baselines: a plain client as an agency's own system would have, signed in over
 * the same SASL and TLS as Homeward's clients (as `admin`, so one client may both write and read
 * the topics a baseline uses; the ACL check is the only difference, and it is cheap).
 */
export const rawKafka = (config: Config, secrets: DevSecrets, clientId: string): Kafka =>
  new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
    ssl: kafkaTls(config.kafka),
    ...(config.kafka.sasl ? { sasl: { ...config.kafka.sasl, ...secrets.kafka.admin } as SASLOptions } : {}),
  });
