import path from 'node:path';
import { createKafka } from '../../kafka/client';
import { setUpTopicsAndAcls } from '../../kafka/setup';
import { adminUser, startKafka, type KafkaCredentials } from './kafka';
import { paths } from './paths';
import { startTemporalDev } from './temporal';

/** The long-lived local servers of `npm start` and `npm run infra`: one place for their ports and data. */
export const local = {
  temporalPort: Number(process.env.TEMPORAL_PORT ?? 7233),
  kafkaPort: Number(process.env.KAFKA_PORT ?? 9092),
  /** The development token issuer (discovery + JWKS) that npm start runs on loopback. */
  devIssuerPort: Number(process.env.HOMEWARD_DEV_ISSUER_PORT ?? 8090),
};

export const startLocalTemporal = (detached = false) =>
  startTemporalDev({
    port: local.temporalPort,
    uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
    dbFile: path.join(paths.dataDir, 'temporal.sqlite'),
    logFile: path.join(paths.dataDir, 'temporal.log'),
    detached,
  });

/** `credentials`: the data dir's development secrets' `kafka` entry. */
export const startLocalKafka = (credentials: KafkaCredentials, detached = false) =>
  startKafka({
    port: local.kafkaPort,
    controllerPort: Number(process.env.KAFKA_CONTROLLER_PORT ?? 9093),
    dataDir: path.join(paths.dataDir, 'kafka'),
    logFile: path.join(paths.dataDir, 'kafka.log'),
    credentials,
    detached,
  });

/** Topics and ACLs on a broker whose admin is the one of `credentials` (comma-separated brokers). */
export const setUpLocalKafka = (brokers: string, credentials: KafkaCredentials) =>
  setUpTopicsAndAcls(createKafka({ brokers: brokers.split(','), clientId: 'homeward-setup', sasl: { mechanism: 'scram-sha-512', ...adminUser(credentials) } }));
