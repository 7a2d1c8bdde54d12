import { Agency } from '../schemas/common';
import type { Admin } from 'kafkajs';

/** Every agency gets topics of its own; the list has one source, the Agency schema. */
export const agencies = Agency.options;

export const topics = {
  pathwayEvents: 'homeward.pathway.events',
  agencyEvents: (agency: Agency) => `homeward.agency.${agency}.events`,
  adt: 'homeward.adt',
  /** Only that agency's principal may write here, so the topic says who answered. */
  agencyResponses: (agency: Agency) => `homeward.agency.${agency}.responses`,
  dlq: 'homeward.dlq',
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
  ];
}

/** Creates any missing topic. Keyed by pathway id, so 3 partitions keep each pathway in order. */
export async function ensureTopics(admin: Admin, replicationFactor = 1, wanted = allTopics()): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: 3, replicationFactor })),
      });
    } catch (error) {
      // Homeward's own principal may not create topics on a cluster with ACLs: its admins do.
      const errors = (error as { errors?: { type?: string }[] }).errors ?? [error as { type?: string }];
      if (!errors.some((e) => e.type?.endsWith('AUTHORIZATION_FAILED'))) throw error;
      throw new Error(`Kafka topics ${missing.join(', ')} are missing and this user may not create them: run scripts/kafka-setup.ts as the cluster's admin`);
    }
  }
  return missing;
}
