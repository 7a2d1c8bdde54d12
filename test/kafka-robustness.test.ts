import { randomBytes, randomUUID } from 'node:crypto';
import { KafkaJSNonRetriableError, type KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { healthReport } from '../health/registry';
import { createKafka } from '../kafka/client';
import { deadLetterValueLimit, InboundConsumer } from '../kafka/inbound-consumer';
import { inboundTopics, topics } from '../kafka/topics';
import { startInboundBridges, type RunningBridges } from '../bridges/inbound';
import { admission } from './support/fixtures';
import { positionGroupAtEnd, TopicReader } from './support/kafka';
import { externalProducer } from './support/produce';
import { exclusive } from './support/exclusive';
import { eventually, startSystem } from './support/system';

// Poison messages and crashes on the real broker: every message ends processed or dead-lettered,
// and the consumer keeps going.
let system: Awaited<ReturnType<typeof startSystem>>;
let bridges: RunningBridges;
// Files whose bridges consume the inbound topics take turns, so none handles another's messages.
let release: () => void;
let producer: Awaited<ReturnType<typeof externalProducer>>;
let reader: TopicReader;
beforeAll(async () => {
  release = await exclusive('inbound-bridges');
  system = await startSystem();
  // The bridges sign in as homeward, whose consumer groups start homeward-.
  const groupId = `homeward-robustness-${randomUUID()}`;
  await positionGroupAtEnd(inject('kafkaBrokers'), groupId, inboundTopics());
  bridges = await startInboundBridges(system.config, pino({ level: 'silent' }), groupId);
  producer = await externalProducer('adt');
  reader = await new TopicReader(inject('kafkaBrokers')).start([topics.dlq]);
});
afterAll(async () => {
  await reader?.stop();
  await producer?.close();
  // Given back even if stopping fails, or the other files would wait for ever.
  await Promise.resolve(bridges?.stop()).finally(() => release?.());
  await system?.stop();
});

const admissionMessage = () => {
  const body = admission();
  const {
    consents: _consents,
    expectedDischargeDate: _edd,
    region: _region,
    previousPathwayId: _previous,
    ...adt
  } = body;
  return {
    id: `pathway-${body.admissionId}`,
    message: { type: 'admission', messageId: randomUUID(), emergency: false, ...adt },
  };
};

describe('poison messages', () => {
  it('each kind is dead-lettered with its reason, an oversize one as a prefix with size and hash, and the next good message is processed', async () => {
    const key = `poison-${randomUUID()}`;
    // Random bytes read as text grow about threefold: written whole, this letter would exceed the broker's 1 MiB limit.
    const huge = randomBytes(600 * 1024);
    const poisons: [string, string | Buffer][] = [
      ['oversize random bytes', huge],
      ['not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x80])],
      ['a JSON array', '[1,2,3]'],
      ['deeply nested', `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
      ['empty', ''],
    ];
    for (const [, value] of poisons) await producer.send(topics.adt, key, value);
    const good = admissionMessage();
    await producer.send(topics.adt, key, good.message);

    await eventually(
      () => system.call('GET', `/pathways/${good.id}`),
      (r) => r.status === 200,
      30_000,
    );
    const letters = (
      await reader.waitFor((all) => all.filter((m) => m.value.key === key).length >= poisons.length, 30_000)
    ).filter((m) => m.value.key === key);
    expect(letters).toHaveLength(poisons.length);
    expect(letters.every((m) => String(m.value.reason).startsWith('invalid'))).toBe(true);
    const oversize = letters.find((m) => m.value.truncated);
    expect(oversize?.value.truncated).toEqual({ size: huge.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Buffer.byteLength(String(oversize?.value.value))).toBeLessThanOrEqual(3 * deadLetterValueLimit);
    expect(oversize?.value).toMatchObject({
      topic: topics.adt,
      partition: expect.any(Number),
      offset: expect.any(String),
    });
  });
});

describe('a consumer that crashes', () => {
  it('is restarted with backoff, shows in health meanwhile, and loses no message', async () => {
    const groupId = `homeward-crash-${randomUUID()}`;
    const brokers = inject('kafkaBrokers');
    await positionGroupAtEnd(brokers, groupId, [topics.adt]);
    const key = `crash-${randomUUID()}`;
    let crashed = false;
    const seen: string[] = [];
    const states: string[] = [];
    const handler = async (_topic: string, message: KafkaMessage) => {
      if (message.key?.toString() !== key) return { kind: 'duplicate' as const };
      const body = message.value?.toString() ?? '';
      if (body === 'first' && !crashed) {
        crashed = true;
        // What kafkajs itself treats as fatal: a CRASH with restart: false.
        throw new KafkaJSNonRetriableError('simulated fatal error');
      }
      seen.push(body);
      return { kind: 'applied' as const };
    };
    const consumer = new InboundConsumer(
      createKafka({ ...system.config.kafka, clientId: 'crash-test' }),
      groupId,
      handler,
      pino({ level: 'silent' }),
    );
    await consumer.start([topics.adt]);
    const watch = setInterval(
      () => states.push(healthReport().components[`consumer:${groupId}`]?.status ?? 'none'),
      50,
    );
    try {
      await producer.send(topics.adt, key, 'first');
      await producer.send(topics.adt, key, 'second');
      await eventually(
        async () => [...seen],
        (s) => s.length === 2,
        45_000,
      );
      expect(seen).toEqual(['first', 'second']);
      expect(consumer.stats.restarts).toBeGreaterThanOrEqual(1);
      expect(states).toContain('restarting');
      expect(healthReport().components[`consumer:${groupId}`]?.status).toBe('running');
    } finally {
      clearInterval(watch);
      await consumer.stop();
    }
  });
});
