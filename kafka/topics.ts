import type { Admin } from 'kafkajs';

/** Agencies that get a topic of their own (domain.md). Kept here so topic names have one source. */
export const agencies = [
  'acute-trust',
  'social-care',
  'community-health',
  'intermediate-care',
  'equipment',
  'housing',
  'gp',
  'voluntary',
  'care-home',
] as const;

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
