import type { Kafka } from 'kafkajs';
import type { KafkaTopicSettings } from '../config';
import { applyAcls } from './acls';
import { ensureTopics } from './topics';

/**
 * Homeward's topics and ACLs on a broker, as a principal allowed to create both (the local
 * broker's `admin`). Idempotent: npm start, npm run infra and the tests run it on every start.
 */
export async function setUpTopicsAndAcls(
  kafka: Kafka,
  settings: KafkaTopicSettings,
  warn?: (message: string) => void,
): Promise<{ createdTopics: string[]; acls: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const createdTopics = await ensureTopics(admin, settings, { warn });
    return { createdTopics, acls: await applyAcls(admin) };
  } finally {
    await admin.disconnect();
  }
}
