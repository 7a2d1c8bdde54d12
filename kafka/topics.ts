import { Agency } from '../schemas/common';
import type { Admin } from 'kafkajs';

/** Every agency gets a topic of its own; the list has one source, the Agency schema. */
export const agencies = Agency.options;

export const topics = {
  pathwayEvents: 'homeward.pathway.events',
  agencyEvents: (agency: (typeof agencies)[number]) => `homeward.agency.${agency}.events`,
  adt: 'homeward.adt',
  agencyResponses: 'homeward.agency.responses',
  dlq: 'homeward.dlq',
} as const;

export function allTopics(): string[] {
  return [
    topics.pathwayEvents,
    ...agencies.map((agency) => topics.agencyEvents(agency)),
    topics.adt,
    topics.agencyResponses,
    topics.dlq,
  ];
}

/** Creates any missing topic. Keyed by pathway id, so 3 partitions keep each pathway in order. */
export async function ensureTopics(admin: Admin, replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = allTopics().filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: 3, replicationFactor })),
    });
  }
  return missing;
}
