import path from 'node:path';
import { createKafka } from '../../kafka/client';
import { loadKafkaTopicSettings } from '../../config';
import { setUpTopicsAndAcls } from '../../kafka/setup';
import { singleBroker } from '../../kafka/topics';
import { adminUser, startKafka, type KafkaCredentials } from './kafka';
import { ensureDataDir, paths } from './paths';
import { localDatabaseUrl, startPostgres } from './postgres';
import { startTemporalDev } from './temporal';

/** The long-lived local servers of `npm start` and `npm run infra`: one place for their ports and data. */
export const local = {
  temporalPort: Number(process.env.TEMPORAL_PORT ?? 7233),
  kafkaPort: Number(process.env.KAFKA_PORT ?? 9092),
  /** Not 5432, so a PostgreSQL already installed on the machine is left alone. */
  postgresPort: Number(process.env.POSTGRES_PORT ?? 5433),
  /** The development token issuer (discovery + JWKS) that npm start runs on loopback. */
  devIssuerPort: Number(process.env.HOMEWARD_DEV_ISSUER_PORT ?? 8090),
};

/** A path in the data dir, made private first (it may be new, or from an older Homeward). */
const inDataDir = (name: string) => path.join(ensureDataDir(paths.dataDir), name);

export const startLocalTemporal = (detached = false) =>
  startTemporalDev({
    port: local.temporalPort,
    uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
    dbFile: inDataDir('temporal.sqlite'),
    logFile: inDataDir('temporal.log'),
    detached,
  });

/** `credentials`: the data dir's development secrets' `kafka` entry. */
export const startLocalKafka = (credentials: KafkaCredentials, detached = false) =>
  startKafka({
    port: local.kafkaPort,
    controllerPort: Number(process.env.KAFKA_CONTROLLER_PORT ?? 9093),
    dataDir: inDataDir('kafka'),
    logFile: inDataDir('kafka.log'),
    credentials,
    detached,
  });

/**
 * Topics and ACLs on the single local broker whose admin is the one of `credentials`
 * (comma-separated brokers): one copy of each topic, the rest of the HOMEWARD_KAFKA_* settings.
 */
export const setUpLocalKafka = (brokers: string, credentials: KafkaCredentials) =>
  setUpTopicsAndAcls(
    createKafka({ brokers: brokers.split(','), clientId: 'homeward-setup', sasl: { mechanism: 'scram-sha-512', ...adminUser(credentials) } }),
    singleBroker(loadKafkaTopicSettings()),
  );
/** The read model's local PostgreSQL; its password is the data dir's development secret. */
export const startLocalPostgres = (password: string, detached = false) =>
  startPostgres({
    port: local.postgresPort,
    password,
    dataDir: inDataDir('postgres'),
    logFile: inDataDir('postgres.log'),
    detached,
  });

export const localPostgresUrl = (password: string) => localDatabaseUrl(local.postgresPort, password);
