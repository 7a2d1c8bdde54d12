import type { Producer } from 'kafkajs';
import { kafkaAs } from './kafka';

/**
 * A plain producer standing in for an agency's or the PAS's system on the real broker, signed in
 * as `principal` (`agency-<agency>`, `adt` …), so the broker's ACLs apply to it.
 */
export async function externalProducer(
  principal: string,
): Promise<{
  send(
    topic: string,
    key: string,
    value: unknown,
    headers?: Record<string, string>,
  ): Promise<{ partition: number; offset: string }>;
  close(): Promise<void>;
}> {
  const producer: Producer = kafkaAs(principal, { clientId: `external-${principal}` }).producer();
  await producer.connect();
  return {
    async send(topic, key, value, headers) {
      const [written] = await producer.send({
        topic,
        messages: [
          { key, value: typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value), headers },
        ],
      });
      // Where it landed, so a test can check a consumer group's committed offset against it.
      return { partition: written.partition, offset: written.baseOffset ?? '' };
    },
    close: () => producer.disconnect(),
  };
}
