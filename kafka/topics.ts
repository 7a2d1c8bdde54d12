import { Agency } from '../schemas/common';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { KafkaTopicSettings } from '../config';

/** Every agency gets topics of its own; the list has one source, the Agency schema. */
export const agencies = Agency.options;

export const topics = {
  pathwayEvents: 'homeward.pathway.events',
  agencyEvents: (agency: Agency) => `homeward.agency.${agency}.events`,
  adt: 'homeward.adt',
  /** Only that agency's principal may write here, so the topic says who answered. */
  agencyResponses: (agency: Agency) => `homeward.agency.${agency}.responses`,
  dlq: 'homeward.dlq',
  /** What the patient is told when their plan changes (schemas/notifications.ts): read by the trust's NHS Notify / NHS App adapter. */
  notifications: 'homeward.notifications',
} as const;

/** The agency whose responses topic this is, or undefined for any other topic. */
export function agencyOfResponses(topic: string): Agency | undefined {
  return agencies.find((agency) => topics.agencyResponses(agency) === topic);
}

/** What the inbound bridges read: every agency's responses and the ADT feed. */
export const inboundTopics = (): string[] => [...agencies.map((agency) => topics.agencyResponses(agency)), topics.adt];

export function allTopics(): string[] {
  return [
    topics.pathwayEvents,
    ...agencies.map((agency) => topics.agencyEvents(agency)),
    topics.adt,
    ...agencies.map((agency) => topics.agencyResponses(agency)),
    topics.dlq,
    topics.notifications,
  ];
}

export type TopicClass = keyof KafkaTopicSettings['retentionDays'];

/** Which retention a topic of Homeward's gets; undefined for any other topic (the broker's default). */
export function topicClass(topic: string): TopicClass | undefined {
  if (topic === topics.pathwayEvents) return 'events';
  if (topic === topics.adt) return 'adt';
  if (topic === topics.dlq) return 'dlq';
  if (topic === topics.notifications) return 'notifications';
  if (agencies.some((agency) => topic === topics.agencyEvents(agency) || topic === topics.agencyResponses(agency)))
    return 'agency';
  return undefined;
}

const dayMs = 86_400_000;

/** What the broker is asked for when a topic is created. */
export function topicSpec(topic: string, settings: KafkaTopicSettings): ITopicConfig {
  const kind = topicClass(topic);
  const retention = kind && settings.retentionDays[kind];
  return {
    topic,
    numPartitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    configEntries: [
      { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
      ...(retention
        ? [{ name: 'retention.ms', value: retention === 'forever' ? '-1' : String(retention * dayMs) }]
        : []),
    ],
  };
}

/**
 * The settings a cluster of `brokers` can take. More replicas than brokers cannot be created: in
 * development (a single local broker) there are fewer, and the caller says so; in production
 * that would quietly drop the durability asked for, so it is refused.
 */
export function fitToCluster(
  settings: KafkaTopicSettings,
  brokers: number,
): { settings: KafkaTopicSettings; warning?: string } {
  if (settings.replicationFactor <= brokers) return { settings };
  const wanted = `HOMEWARD_KAFKA_REPLICATION_FACTOR is ${settings.replicationFactor} but the Kafka cluster has ${brokers} broker${brokers === 1 ? '' : 's'} running`;
  if (!settings.allowFewerReplicas)
    throw new Error(
      `${wanted}: Homeward's topics cannot be created with that many copies; add brokers or set HOMEWARD_KAFKA_REPLICATION_FACTOR and HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS`,
    );
  const replicationFactor = Math.max(1, brokers);
  const minInsyncReplicas = Math.min(settings.minInsyncReplicas, replicationFactor);
  return {
    settings: { ...settings, replicationFactor, minInsyncReplicas },
    warning: `${wanted}: creating topics with ${replicationFactor} cop${replicationFactor === 1 ? 'y' : 'ies'} (min.insync.replicas ${minInsyncReplicas}); production refuses this`,
  };
}

/** The settings of the single local broker of `npm start` and `npm test`: one copy of everything. */
export const singleBroker = (settings: KafkaTopicSettings): KafkaTopicSettings => ({
  ...settings,
  replicationFactor: 1,
  minInsyncReplicas: 1,
});

/**
 * Creates any missing topic with `settings` (existing topics keep theirs: docs/architecture.md, Kafka, says how to
 * change one), and waits until each new partition has a leader and all its replicas in sync.
 */
export async function ensureTopics(
  admin: Admin,
  settings: KafkaTopicSettings,
  options: { wanted?: string[]; warn?: (message: string) => void; timeoutMs?: number } = {},
): Promise<string[]> {
  const { wanted = allTopics(), warn = () => {}, timeoutMs = 30_000 } = options;
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return missing;
  const fitted = fitToCluster(settings, (await admin.describeCluster()).brokers.length);
  if (fitted.warning) warn(fitted.warning);
  try {
    // Waiting for leaders inside createTopics fails at once on a cluster of several brokers (UNKNOWN_TOPIC_OR_PARTITION).
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => topicSpec(topic, fitted.settings)),
    });
  } catch (error) {
    // Homeward's own principal may not create topics on a cluster with ACLs: its admins do.
    const errors = (error as { errors?: { type?: string }[] }).errors ?? [error as { type?: string }];
    if (!errors.some((e) => e.type?.endsWith('AUTHORIZATION_FAILED'))) throw error;
    throw new Error(
      `Kafka topics ${missing.join(', ')} are missing and this user may not create them: run kafka/setup-main.ts as the cluster's admin`,
    );
  }
  await waitForReplicas(admin, missing, fitted.settings.replicationFactor, timeoutMs);
  return missing;
}

async function waitForReplicas(admin: Admin, names: string[], replicas: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lagging = names.join(', ');
  while (Date.now() < deadline) {
    const metadata = await admin.fetchTopicMetadata({ topics: names }).catch(() => ({ topics: [] }));
    const ready = metadata.topics.filter(
      (topic) =>
        topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0 && p.isr.length >= replicas),
    );
    if (ready.length === names.length) return;
    lagging = names.filter((name) => !ready.some((topic) => topic.name === name)).join(', ');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `Kafka topics ${lagging} were created but have no leader or fewer than ${replicas} replicas in sync after ${timeoutMs / 1000}s`,
  );
}
