import { loadKafkaConfig, loadKafkaTopicSettings } from '../config';
import { createKafka } from './client';
import { setUpTopicsAndAcls } from './setup';

/**
 * `npx tsx kafka/setup-main.ts`: Homeward's topics and ACLs (kafka/acls.ts) on a cluster,
 * signed in as a principal allowed to create both (KAFKA_BROKERS, KAFKA_SASL_*, KAFKA_SSL*), topics
 * with the HOMEWARD_KAFKA_* settings (partitions, replication, retention).
 * docker compose runs it as the broker's admin; a trust's Kafka team can run it, or apply the
 * same matrix its own way. Idempotent.
 */
async function main(): Promise<void> {
  const config = loadKafkaConfig();
  const { createdTopics, acls } = await setUpTopicsAndAcls(
    createKafka({ ...config, clientId: 'homeward-setup' }),
    loadKafkaTopicSettings(),
    (warning) => console.warn(warning),
  );
  console.log(`Kafka at ${config.brokers.join(',')}: ${createdTopics.length} topics created, ${acls} ACLs in place`);
}

main().catch((error: unknown) => {
  console.error(`Kafka setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
