import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { route } from '../kafka/envelopes';
import { byPartition, type OutboundMessage } from '../kafka/publisher';
import { samplePathwayBatches } from '../tools/bench/sample-events';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: partitionId % 3,
    replicas: [0, 1, 2],
    isr: [0, 1, 2],
    offlineReplicas: [],
  }));

const message = (topic: string, key: string, n: number): OutboundMessage => ({
  topic,
  key,
  value: JSON.stringify({ n }),
});

describe('the publisher sends each partition on its own', () => {
  it('puts every message on the partition kafkajs would choose for its key, so a pathway stays where it was', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ topic: fc.constantFrom('a', 'b', 'c'), key: fc.string({ maxLength: 40 }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.record({
          a: fc.integer({ min: 1, max: 24 }),
          b: fc.integer({ min: 1, max: 24 }),
          c: fc.integer({ min: 1, max: 24 }),
        }),
        (picked, counts) => {
          const partitionsOf = new Map(Object.entries(counts).map(([topic, count]) => [topic, metadata(count)]));
          // A fresh partitioner, as the old sendBatch's producer used without an explicit partition.
          const kafkajs = Partitioners.DefaultPartitioner();
          const messages = picked.map(({ topic, key }, n) => message(topic, key, n));
          const batches = byPartition(messages, partitionsOf);
          for (const batch of batches) {
            for (const sent of batch.messages) {
              expect(sent.topic).toBe(batch.topic);
              expect(batch.partition).toBe(
                kafkajs({
                  topic: sent.topic,
                  partitionMetadata: partitionsOf.get(sent.topic)!,
                  message: { key: sent.key, value: sent.value },
                }),
              );
            }
          }
          // Every message exactly once, and each key's messages on a topic in the order given.
          const sent = batches.flatMap((batch) => batch.messages);
          expect([...sent].sort((x, y) => x.value.localeCompare(y.value))).toEqual(
            [...messages].sort((x, y) => x.value.localeCompare(y.value)),
          );
          const order = (list: OutboundMessage[], topic: string, key: string) =>
            list.filter((m) => m.topic === topic && m.key === key).map((m) => m.value);
          for (const { topic, key } of messages) expect(order(sent, topic, key)).toEqual(order(messages, topic, key));
          // One batch per partition: none is split, so a partition's messages go in one send.
          expect(new Set(batches.map((b) => `${b.topic}/${b.partition}`)).size).toBe(batches.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the Java client (Utils.toPositive(Utils.murmur2(key)) % partitions, kafka-clients 3.9.1)', () => {
    // Computed with kafka-clients-3.9.1.jar: the partition a Java producer would pick for the same key.
    const java: [string, number, number][] = [
      ['pathway-A1', 3, 2],
      ['pathway-A2', 3, 0],
      ['pathway-A3', 3, 0],
      ['pathway-A6', 3, 1],
      ['pathway-A101', 12, 7],
      ['pathway-P1n42', 6, 4],
      ['ü-straße', 12, 8],
      ['', 6, 3],
    ];
    for (const [key, count, partition] of java) {
      const [batch] = byPartition([message('t', key, 0)], new Map([['t', metadata(count)]]));
      expect({ key, count, partition: batch.partition }).toEqual({ key, count, partition });
    }
  });

  it('sends one publishing activity call as one send per topic: its pathway is one partition of each', () => {
    const sample = samplePathwayBatches();
    const events = sample.flatMap((batch) => batch.events);
    const contexts = sample.flatMap((batch) => batch.contexts);
    const messages = events.flatMap((event, i) => route('pathway-A7', event, contexts[i]));
    const topics = new Set(messages.map((m) => m.topic));
    const batches = byPartition(messages, new Map([...topics].map((topic) => [topic, metadata(3)])));
    expect(batches.map((b) => b.topic).sort()).toEqual([...topics].sort());
    expect(new Set(batches.map((b) => b.partition))).toEqual(new Set([0]));
    // The audit topic carries every event, in sequence order.
    const audit = batches.find((b) => b.topic === 'homeward.pathway.events')!;
    expect(audit.messages.map((m) => (JSON.parse(m.value) as { sequence: number }).sequence)).toEqual(
      events.map((e) => e.sequence),
    );
  });

  it('refuses a topic whose partitions it does not know, rather than guess', () => {
    expect(() => byPartition([message('unknown', 'k', 0)], new Map())).toThrow(
      'No partitions known for Kafka topic unknown',
    );
  });
});
