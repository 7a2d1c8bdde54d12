import type { KafkaConfig } from '../config';
import { readDevSecrets } from '../config/dev-secrets';
import { consumerGroups, principals } from '../kafka/acls';
import { topics } from '../kafka/topics';
import type { Agency } from '../schemas/common';

/**
 * An agency's Kafka settings: KAFKA_BROKERS, KAFKA_SASL_* and KAFKA_SSL* from the environment (the
 * SCRAM user the trust created for the agency); without KAFKA_SASL_*, in local development, the
 * `agency-<agency>` user of the data dir's secrets, which `npm start` created on its broker.
 */
export function agencyKafkaConfig(
  agency: Agency,
  kafka: KafkaConfig,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): KafkaConfig {
  if (kafka.sasl || env.HOMEWARD_ENV === 'production') return kafka;
  const user = readDevSecrets(dataDir)?.kafka[principals.agency(agency)];
  return user ? { ...kafka, sasl: { mechanism: 'scram-sha-512', ...user } } : kafka;
}

/** kafkajs puts the broker's error code on the error or on its cause. */
function describe(error: unknown) {
  const { name, message, type, cause } = error as Error & { type?: string; cause?: { type?: string; name?: string } };
  return { name, message, type: type ?? cause?.type ?? '', causeName: cause?.name };
}

/** A refusal (sign-in, ACL) repeats however often the consumer restarts. */
export function refused(error: unknown): boolean {
  const { name, type } = describe(error);
  return (
    name === 'KafkaJSSASLAuthenticationError' ||
    name === 'KafkaJSGroupCoordinatorNotFound' ||
    type.endsWith('AUTHORIZATION_FAILED')
  );
}

/** What the broker's refusal means for the person at the terminal. */
export function explainKafkaError(
  error: unknown,
  options: { kafka: KafkaConfig; agency: Agency; groupId: string },
): Error {
  const { name, message, type, causeName } = describe(error);
  const who = options.kafka.sasl ? `user ${options.kafka.sasl.username}` : 'a client without credentials';
  if (name === 'KafkaJSConnectionError' || causeName === 'KafkaJSConnectionError') {
    return new Error(
      `Cannot reach Kafka at ${options.kafka.brokers.join(',')} (is \`npm start\` running? set KAFKA_BROKERS)`,
    );
  }
  if (name === 'KafkaJSSASLAuthenticationError')
    return new Error(`Kafka refused the sign-in of ${who}: wrong user name or password`);
  if (name === 'KafkaJSConnectionClosedError' && !options.kafka.sasl) {
    return new Error(
      'Kafka closed the connection: it needs credentials (set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)',
    );
  }
  if (type === 'TOPIC_AUTHORIZATION_FAILED')
    return new Error(
      `Kafka refused ${who} on ${topics.agencyEvents(options.agency)}: that user may not read ${options.agency}'s events`,
    );
  // kafkajs reports a refused consumer group as a coordinator it cannot find.
  if (type === 'GROUP_AUTHORIZATION_FAILED' || name === 'KafkaJSGroupCoordinatorNotFound') {
    return new Error(
      `Kafka refused ${who} the consumer group ${options.groupId}: ${options.agency}'s groups start with ${consumerGroups.agency(options.agency)}`,
    );
  }
  return new Error(`Kafka: ${message}`);
}
