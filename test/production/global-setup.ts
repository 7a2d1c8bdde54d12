import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadKafkaTopicSettings } from '../../config';
import { generateDevSecrets } from '../../config/dev-secrets';
import { createCertificateAuthority, type CertificateAuthority } from '../../tools/infra/certificates';
import type { KafkaCredentials } from '../../tools/infra/kafka';
import { clusterSize, startKafkaCluster, type KafkaCluster } from '../../tools/infra/kafka-cluster';
import { onFreePorts } from '../../tools/infra/process';
import { startProductionTemporal } from '../../tools/infra/temporal-server';
import { provideServers, runDir, startRunPostgres, startTogether } from '../support/global-setup';

/**
 * The production profile's engines for the whole run, on free ports: the Temporal server on
 * PostgreSQL with mTLS on its frontend (tools/infra/temporal-server.ts), the three-broker Kafka
 * cluster on SASL_SSL (tools/infra/kafka-cluster.ts) and the read model's PostgreSQL. Tests
 * inject the same keys as under `npm test`, plus the TLS material in `temporalEnv` and
 * `kafkaEnv`, so test/support's helpers reach Temporal over mTLS and Kafka over SASL_SSL.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const secrets = await generateDevSecrets();
  project.provide('devSecrets', JSON.stringify(secrets));
  const workDir = runDir('homeward-production-');
  // One private CA for the run: it signs the Temporal frontend's and clients' certificates and the brokers'.
  const ca = createCertificateAuthority(path.join(workDir, 'ca'));
  const seconds: Record<string, string> = {};
  const timed = async <T>(name: string, start: Promise<T>) => {
    const result = await start;
    seconds[name] = ((performance.now() - started) / 1000).toFixed(1);
    return result;
  };
  const [temporal, kafka, postgres] = await startTogether(workDir, [
    timed(
      'Temporal',
      startProductionTemporal({ dir: path.join(workDir, 'temporal'), ca, say: (line) => console.error(line) }),
    ),
    timed('Kafka', startProfileKafka(workDir, secrets.kafka, ca)),
    timed('PostgreSQL', startRunPostgres(workDir)),
  ]);
  const teardown = await provideServers(project, workDir, [temporal, kafka, postgres], {
    temporalAddress: temporal.address,
    temporalEnv: temporal.environment,
    kafkaBrokers: kafka.address,
    kafkaEnv: { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: kafka.caFile },
    // What a trust gets: three copies of every partition, two in sync for a write, refused on fewer brokers.
    setUpKafka: () => kafka.setUpHomeward(loadKafkaTopicSettings({ HOMEWARD_ENV: 'production' })),
    databaseUrl: postgres.address,
    // No time-skipping server: the production profile runs on real time.
    testServerPath: async () => '',
  });
  const ready = Object.entries(seconds)
    .map(([name, s]) => `${name} ${s} s`)
    .join(', ');
  console.error(
    `Production profile up in ${((performance.now() - started) / 1000).toFixed(1)} s (${ready}; then the workflow bundle, Kafka's topics and ACLs): ` +
      `Temporal ${temporal.address} (mTLS, PostgreSQL), Kafka ${kafka.address} (${clusterSize} brokers, SASL_SSL)`,
  );
  return teardown;
}

/** The profile's Kafka: three KRaft brokers, clients on SASL_SSL with SCRAM, the brokers' certificate from the run's CA. */
function startProfileKafka(
  workDir: string,
  credentials: KafkaCredentials,
  ca: CertificateAuthority,
): Promise<KafkaCluster> {
  return onFreePorts(clusterSize * 3, (ports) =>
    startKafkaCluster({
      ports,
      dataDir: path.join(workDir, 'kafka'),
      credentials,
      ca,
      say: (line) => console.error(line),
    }),
  );
}
