import { Kafka, logLevel, type Producer } from 'kafkajs';
import { inject } from 'vitest';

/** A plain producer standing in for an agency's or the PAS's system, on the real broker. */
export async function externalProducer(): Promise<{ send(topic: string, key: string, value: unknown): Promise<void>; close(): Promise<void> }> {
  const kafka = new Kafka({ clientId: 'external-system', brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING });
  const producer: Producer = kafka.producer();
  await producer.connect();
  return {
    async send(topic, key, value) {
      await producer.send({ topic, messages: [{ key, value: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value) }] });
    },
    close: () => producer.disconnect(),
  };
}
