import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateDevSecrets } from '../../config/dev-secrets';
import { createCertificateAuthority, type CertificateAuthority } from '../../scripts/infra/certificates';
import type { KafkaCredentials } from '../../scripts/infra/kafka';
import type { RunningServer } from '../../scripts/infra/temporal';
import { startProductionTemporal } from '../../scripts/infra/temporal-server';
import { provideServers, runDir, startRunKafka, startRunPostgres, startTogether } from '../support/global-setup';

/**
 * The production profile's engines for the whole run, on free ports: the Temporal server on
 * PostgreSQL with mTLS on its frontend (scripts/infra/temporal-server.ts), the profile's Kafka and
 * the read model's PostgreSQL. Tests inject the same keys as under `npm test`, plus the TLS
 * material in `temporalEnv`, so test/support's helpers reach Temporal over mTLS.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const secrets = await generateDevSecrets();
  project.provide('devSecrets', JSON.stringify(secrets));
  const workDir = runDir('homeward-production-');
  // One private CA for the run: it signs the Temporal frontend's and clients' certificates (and the brokers', once they speak TLS).
  const ca = createCertificateAuthority(path.join(workDir, 'ca'));
  const seconds: Record<string, string> = {};
  const timed = async <T>(name: string, start: Promise<T>) => {
    const result = await start;
    seconds[name] = ((performance.now() - started) / 1000).toFixed(1);
    return result;
  };
  const [temporal, kafka, postgres] = await startTogether(workDir, [
    timed('Temporal', startProductionTemporal({ dir: path.join(workDir, 'temporal'), ca, say: (line) => console.error(line) })),
    timed('Kafka', startProfileKafka(workDir, secrets.kafka, ca)),
    timed('PostgreSQL', startRunPostgres(workDir)),
  ]);
  const teardown = await provideServers(project, workDir, [temporal, kafka, postgres], {
    temporalAddress: temporal.address,
    temporalEnv: temporal.environment,
    kafkaBrokers: kafka.address,
    databaseUrl: postgres.address,
    // No time-skipping server: the production profile runs on real time.
    testServerPath: async () => '',
    credentials: secrets.kafka,
  });
  const ready = Object.entries(seconds).map(([name, s]) => `${name} ${s} s`).join(', ');
  console.error(`Production profile up in ${((performance.now() - started) / 1000).toFixed(1)} s (${ready}; then the workflow bundle and Kafka's topics): Temporal ${temporal.address} (mTLS, PostgreSQL), Kafka ${kafka.address}`);
  return teardown;
}

/**
 * The Kafka of the profile: the one place to swap. For now the ordinary single broker (SASL/SCRAM
 * over plaintext) that `npm test` runs; the three-broker SASL_SSL cluster replaces it here, its
 * certificates from `ca`, and whatever clients then need beyond the brokers (KAFKA_SSL,
 * KAFKA_SSL_CA_FILE) goes to the tests beside the brokers, as `temporalEnv` does for Temporal.
 */
function startProfileKafka(workDir: string, credentials: KafkaCredentials, _ca: CertificateAuthority): Promise<RunningServer> {
  return startRunKafka(workDir, credentials);
}
