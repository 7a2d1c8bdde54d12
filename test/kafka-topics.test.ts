import { describe, expect, it } from 'vitest';
import { loadConfig, loadKafkaTopicSettings } from '../config';
import { allTopics, fitToCluster, singleBroker, topicClass, topicSpec, topics } from '../kafka/topics';

const day = 86_400_000;
const entry = (spec: ReturnType<typeof topicSpec>, name: string) =>
  spec.configEntries?.find((e) => e.name === name)?.value;

describe('topic settings', () => {
  it('default to three copies, two in sync for a write, and a retention per kind of topic', () => {
    const settings = loadKafkaTopicSettings({});
    expect(settings).toEqual({
      partitions: 3,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      retentionDays: { events: 'forever', agency: 30, adt: 14, dlq: 90, notifications: 7 },
      allowFewerReplicas: true,
    });
    const spec = (topic: string) => topicSpec(topic, settings);
    expect(spec(topics.pathwayEvents)).toMatchObject({ numPartitions: 3, replicationFactor: 3 });
    expect(entry(spec(topics.pathwayEvents), 'min.insync.replicas')).toBe('2');
    expect(entry(spec(topics.pathwayEvents), 'retention.ms')).toBe('-1');
    expect(entry(spec(topics.agencyEvents('social-care')), 'retention.ms')).toBe(String(30 * day));
    expect(entry(spec(topics.agencyResponses('gp')), 'retention.ms')).toBe(String(30 * day));
    expect(entry(spec(topics.adt), 'retention.ms')).toBe(String(14 * day));
    expect(entry(spec(topics.dlq), 'retention.ms')).toBe(String(90 * day));
    expect(entry(spec(topics.notifications), 'retention.ms')).toBe(String(7 * day));
    // Every topic Homeward creates has a retention of its own; any other keeps the broker's.
    for (const topic of allTopics()) expect(topicClass(topic), topic).toBeDefined();
    expect(entry(spec('someone.elses.topic'), 'retention.ms')).toBeUndefined();
  });

  it('are read from the environment, and a contradiction is named', () => {
    const settings = loadKafkaTopicSettings({
      HOMEWARD_KAFKA_PARTITIONS: '12',
      HOMEWARD_KAFKA_REPLICATION_FACTOR: '5',
      HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS: '3',
      HOMEWARD_KAFKA_EVENTS_RETENTION_DAYS: '3650',
      HOMEWARD_KAFKA_DLQ_RETENTION_DAYS: 'forever',
    });
    expect(settings).toMatchObject({
      partitions: 12,
      replicationFactor: 5,
      minInsyncReplicas: 3,
      retentionDays: { events: 3650, agency: 30, adt: 14, dlq: 'forever' },
    });
    expect(entry(topicSpec(topics.pathwayEvents, settings), 'retention.ms')).toBe(String(3650 * day));
    expect(() =>
      loadKafkaTopicSettings({ HOMEWARD_KAFKA_REPLICATION_FACTOR: '2', HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS: '3' }),
    ).toThrow(
      'Invalid configuration: HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS (3) exceeds HOMEWARD_KAFKA_REPLICATION_FACTOR (2): every write would be refused',
    );
    for (const [name, value] of [
      ['HOMEWARD_KAFKA_ADT_RETENTION_DAYS', '0'],
      ['HOMEWARD_KAFKA_AGENCY_RETENTION_DAYS', 'always'],
      ['HOMEWARD_KAFKA_PARTITIONS', '0'],
    ]) {
      expect(() => loadKafkaTopicSettings({ [name]: value }), name).toThrow(name);
    }
    const secrets = {
      HOMEWARD_PATIENT_KEY_SECRET: 'x'.repeat(32),
      HOMEWARD_CODEC_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
      HOMEWARD_COMMAND_KEYS: `c1:${Buffer.alloc(32).toString('base64')}`,
    };
    expect(loadConfig({ ...secrets, HOMEWARD_KAFKA_PARTITIONS: '6' }).kafkaTopics.partitions).toBe(6);
  });

  it('in development, fit a smaller cluster with a warning; in production, refuse it', () => {
    const development = loadKafkaTopicSettings({});
    expect(fitToCluster(development, 3)).toEqual({ settings: development });
    const fitted = fitToCluster(development, 1);
    expect(fitted.settings).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1, partitions: 3 });
    expect(fitted.warning).toBe(
      'HOMEWARD_KAFKA_REPLICATION_FACTOR is 3 but the Kafka cluster has 1 broker running: creating topics with 1 copy (min.insync.replicas 1); production refuses this',
    );
    expect(fitToCluster(development, 2).settings).toMatchObject({ replicationFactor: 2, minInsyncReplicas: 2 });

    const production = loadKafkaTopicSettings({ HOMEWARD_ENV: 'production' });
    expect(production.allowFewerReplicas).toBe(false);
    expect(fitToCluster(production, 5)).toEqual({ settings: production });
    expect(() => fitToCluster(production, 2)).toThrow(
      /^HOMEWARD_KAFKA_REPLICATION_FACTOR is 3 but the Kafka cluster has 2 brokers running: Homeward's topics cannot be created/,
    );
    // The local broker of npm start and npm test is asked for one copy, so it needs no fitting.
    expect(fitToCluster(singleBroker(production), 1)).toEqual({
      settings: { ...production, replicationFactor: 1, minInsyncReplicas: 1 },
    });
  });
});
