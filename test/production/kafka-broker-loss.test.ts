import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishActivities, type PublishRequest } from '../../activities/publish';
import { route } from '../../kafka/envelopes';
import { generateDevSecrets, type DevSecrets } from '../../config/dev-secrets';
import { loadKafkaTopicSettings } from '../../config';
import { createKafka } from '../../kafka/client';
import { byPartition, EventPublisher, type OutboundMessage } from '../../kafka/publisher';
import { allTopics, topics } from '../../kafka/topics';
import { samplePathwayBatches } from '../../tools/bench/sample-events';
import { clusterSize, startKafkaCluster, type KafkaCluster } from '../../tools/infra/kafka-cluster';
import { onFreePorts } from '../../tools/infra/process';

// One broker of three killed (SIGKILL) under a steady stream from Homeward's own publisher, as the
// worker's publishing activity drives it; then every topic read back and counted per pathway.
// Its own cluster on free ports: `npm run test:production` runs it, or alone with its config.

const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dataDir: string;
let cluster: KafkaCluster;
let secrets: DevSecrets;

beforeAll(async () => {
  secrets = await generateDevSecrets();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-kafka-cluster-'));
  const started = performance.now();
  cluster = await onFreePorts(clusterSize * 3, (ports) =>
    startKafkaCluster({
      ports,
      dataDir: path.join(dataDir, 'kafka'),
      credentials: secrets.kafka,
      fastFailover: true,
      say: (line) => console.log(line),
    }),
  );
  console.log(
    `Kafka cluster of ${clusterSize} KRaft nodes (SASL_SSL, mTLS between brokers) up in ${seconds(started)} s: ${cluster.address}`,
  );
  const setUp = performance.now();
  // What a trust gets in production: three copies, two in sync, refused on fewer brokers.
  const { createdTopics, acls } = await cluster.setUpHomeward(loadKafkaTopicSettings({ HOMEWARD_ENV: 'production' }));
  console.log(
    `${createdTopics.length} topics and ${acls} ACLs in place, enforced by every leader, in ${seconds(setUp)} s`,
  );
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the production profile's Kafka cluster", () => {
  it('keeps three copies of every partition, two in sync for a write, and lets in only SCRAM users over verified TLS', async () => {
    const admin = cluster.kafka('admin', 'broker-loss-inspect').admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => b.nodeId).sort()).toEqual(cluster.nodeIds);
      const { topics: described } = await admin.fetchTopicMetadata({ topics: allTopics() });
      for (const topic of described) {
        expect(topic.partitions, topic.name).toHaveLength(3);
        for (const partition of topic.partitions)
          expect(partition.replicas, `${topic.name}/${partition.partitionId}`).toHaveLength(3);
      }
      // Leaders spread over the brokers, so killing one moves some partitions and not others.
      expect(new Set(described.flatMap((t) => t.partitions.map((p) => p.leader))).size).toBe(clusterSize);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [topics.pathwayEvents, topics.dlq].map((name) => ({
          type: 2,
          name,
          configNames: ['min.insync.replicas', 'retention.ms'],
        })),
      });
      const config = Object.fromEntries(
        resources.map((r) => [
          r.resourceName,
          Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])),
        ]),
      );
      expect(config[topics.pathwayEvents]).toEqual({ 'min.insync.replicas': '2', 'retention.ms': '-1' });
      expect(config[topics.dlq]).toEqual({ 'min.insync.replicas': '2', 'retention.ms': String(90 * 86_400_000) });
    } finally {
      await admin.disconnect();
    }

    const attempt = async (options: { ca: boolean; password: string }) => {
      const env = cluster.environment('homeward');
      const probe = createKafka({
        brokers: env.KAFKA_BROKERS.split(','),
        clientId: 'broker-loss-refused',
        ssl: true,
        sslCaFile: options.ca ? env.KAFKA_SSL_CA_FILE : undefined,
        sasl: { mechanism: 'scram-sha-512', username: env.KAFKA_SASL_USERNAME, password: options.password },
        retry: { retries: 0 },
      }).admin();
      try {
        await probe.connect();
        return 'connected';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      } finally {
        await probe.disconnect().catch(() => undefined);
      }
    };
    expect(await attempt({ ca: true, password: secrets.kafka.homeward.password })).toBe('connected');
    expect(await attempt({ ca: true, password: 'not-the-password' })).toMatch(/^KafkaJSSASLAuthenticationError/);
    // Without the private CA the brokers' certificate is not trusted: TLS is verified, not merely on.
    expect(await attempt({ ca: false, password: secrets.kafka.homeward.password })).toMatch(/certificate/i);
  });

  it('loses nothing when a partition leader is killed mid-stream: every event on every topic once, in order, per pathway', async () => {
    const testStarted = performance.now();
    const run = randomUUID().slice(0, 6);
    const sample = samplePathwayBatches();
    const pathways = Array.from({ length: 50 }, (_, n) => `pathway-K${run}n${n}`);
    const requests = new Map(
      pathways.map((pathwayId) => [
        pathwayId,
        sample.map((batch): PublishRequest => ({ pathwayId, events: batch.events, contexts: batch.contexts })),
      ]),
    );
    const expected = expectedIds([...requests.values()].flat());
    const totalCalls = pathways.length * sample.length;
    const eventsPerPathway = sample.reduce((n, batch) => n + batch.events.length, 0);

    // Homeward's publisher as the worker builds it: KAFKA_* settings through config and kafka/client.ts.
    const publisher = new EventPublisher(cluster.kafka('homeward', 'broker-loss-worker'));
    const { publishEvents } = createPublishActivities(publisher);
    const admin = cluster.kafka('admin', 'broker-loss-admin').admin();
    await admin.connect();
    const victimPartition = 0;
    const [pathwayEventsMetadata] = (await admin.fetchTopicMetadata({ topics: [topics.pathwayEvents] })).topics;
    const victim = pathwayEventsMetadata.partitions.find((p) => p.partitionId === victimPartition)!.leader;
    const onVictimPartition = byPartition(
      pathways.map((key) => ({ topic: topics.pathwayEvents, key, value: '' })),
      new Map([[topics.pathwayEvents, pathwayEventsMetadata.partitions]]),
    ).find((batch) => batch.partition === victimPartition)!.messages.length;

    let done = 0;
    let failedCalls = 0;
    let slowest = 0;
    const fault: Record<string, string> = {};
    let killed: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    const streamStarted = performance.now();
    const onProgress = () => {
      // Mid-stream: a fifth of the calls made, the rest still to come.
      if (!killed && done >= totalCalls * 0.2) {
        const after = done;
        killed = cluster
          .kill(victim)
          .then(
            () =>
              void (fault.killed = `node ${victim} (leader of ${topics.pathwayEvents}/${victimPartition}) SIGKILLed at ${seconds(streamStarted)} s, after ${after} of ${totalCalls} calls`),
          );
      }
      if (killed && !restarted && done >= totalCalls * 0.55) {
        const at = performance.now();
        restarted = killed
          .then(() => cluster.restart(victim))
          .then(
            () =>
              void (fault.restarted = `node ${victim} restarted at ${seconds(streamStarted)} s, registered again ${seconds(at)} s after its start`),
          );
      }
    };
    // Each pathway publishes its commands' batches one after another, as its workflow does, and a
    // failed call is retried as Temporal retries the activity.
    await Promise.all(
      pathways.map(async (pathwayId, n) => {
        await sleep(n * 50);
        for (const request of requests.get(pathwayId)!) {
          for (;;) {
            const sent = performance.now();
            try {
              await publishEvents(request);
              slowest = Math.max(slowest, performance.now() - sent);
              break;
            } catch {
              failedCalls += 1;
              await sleep(1_000);
            }
          }
          done += 1;
          onProgress();
          await sleep(1_500);
        }
      }),
    );
    const streamSeconds = seconds(streamStarted);
    await killed;
    await restarted;
    const inSync = performance.now();
    await cluster.waitForInSync();
    const inSyncSeconds = seconds(inSync);
    await publisher.close();

    const stored = await storedCounts(admin, expected);
    await admin.disconnect();
    const received = await readAll(cluster, [...expected.keys()], stored.total);

    console.log(
      [
        `Broker loss under a steady stream: ${pathways.length} pathways × ${eventsPerPathway} events (${sample.length} publishing calls each, ${totalCalls} in all), ${onVictimPartition} pathways on the killed leader's partition of ${topics.pathwayEvents}`,
        `  ${fault.killed}`,
        `  ${fault.restarted}; every replica in sync ${inSyncSeconds} s after the stream ended`,
        `  stream ${streamSeconds} s; slowest publishing call ${(slowest / 1000).toFixed(1)} s (the failover); calls failed and retried: ${failedCalls}`,
        '  topic                                        expected  stored  missing  duplicates  pathways in order',
        ...[...expected].map(([topic, byKey]) => {
          const want = [...byKey.values()].reduce((n, ids) => n + ids.length, 0);
          const got = received.get(topic) ?? new Map<string, string[]>();
          const ids = [...got.values()].flat();
          const missing = [...byKey.values()].flat().filter((id) => !ids.includes(id)).length;
          const inOrder = [...byKey].filter(
            ([key, list]) => JSON.stringify(got.get(key) ?? []) === JSON.stringify(list),
          ).length;
          return `  ${topic.padEnd(44)} ${String(want).padStart(8)} ${String(stored.byTopic.get(topic) ?? 0).padStart(7)} ${String(missing).padStart(8)} ${String(ids.length - new Set(ids).size).padStart(11)}  ${inOrder}/${byKey.size}`;
        }),
        `  total: ${stored.expected} expected, ${stored.total} stored; test ${seconds(testStarted)} s`,
      ].join('\n'),
    );

    expect(fault.killed).toBeDefined();
    expect(fault.restarted).toBeDefined();
    expect(failedCalls).toBe(0);
    // Every message once (idempotence leaves no duplicate), and each pathway's in order, on every topic.
    expect(stored.total).toBe(stored.expected);
    for (const [topic, byKey] of expected) {
      for (const [pathwayId, ids] of byKey)
        expect(received.get(topic)?.get(pathwayId), `${topic} ${pathwayId}`).toEqual(ids);
    }
  }, 600_000);
});

/** CloudEvent ids each topic must carry per pathway, in publishing order. */
function expectedIds(requests: PublishRequest[]): Map<string, Map<string, string[]>> {
  const expected = new Map<string, Map<string, string[]>>();
  const messages: OutboundMessage[] = requests.flatMap((r) =>
    r.events.flatMap((event, i) => route(r.pathwayId, event, r.contexts![i])),
  );
  for (const message of messages) {
    const byKey = expected.get(message.topic) ?? new Map<string, string[]>();
    byKey.set(message.key, [...(byKey.get(message.key) ?? []), message.headers!.ce_id]);
    expected.set(message.topic, byKey);
  }
  return expected;
}

/** Records the brokers hold per topic (end minus start offsets: no transactions, so no gaps). */
async function storedCounts(admin: Admin, expected: Map<string, Map<string, string[]>>) {
  const byTopic = new Map<string, number>();
  for (const topic of expected.keys()) {
    const offsets = await admin.fetchTopicOffsets(topic);
    byTopic.set(
      topic,
      offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
    );
  }
  return {
    byTopic,
    total: [...byTopic.values()].reduce((a, b) => a + b, 0),
    expected: [...expected.values()].flatMap((byKey) => [...byKey.values()]).reduce((n, ids) => n + ids.length, 0),
  };
}

/** Every record of `topicNames`, by a new consumer group: CloudEvent ids per topic and key, in offset order. */
async function readAll(
  cluster: KafkaCluster,
  topicNames: string[],
  total: number,
): Promise<Map<string, Map<string, string[]>>> {
  const received = new Map<string, Map<string, string[]>>();
  let count = 0;
  const consumer = cluster.kafka('admin', 'broker-loss-reader').consumer({ groupId: `broker-loss-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: topicNames, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const byKey = received.get(topic) ?? new Map<string, string[]>();
      const key = message.key?.toString() ?? '';
      byKey.set(key, [...(byKey.get(key) ?? []), String(message.headers?.ce_id)]);
      received.set(topic, byKey);
      count += 1;
    },
  });
  const deadline = Date.now() + 60_000;
  while (count < total && Date.now() < deadline) await sleep(200);
  await consumer.disconnect();
  return received;
}
