import path from 'node:path';
import { createKafka } from '../../kafka/client';
import { loadKafkaTopicSettings } from '../../config';
import { setUpTopicsAndAcls } from '../../kafka/setup';
import { singleBroker } from '../../kafka/topics';
import { adminUser, startKafka, type KafkaCredentials } from './kafka';
import { ensureDataDir, local } from '../../runtime/local';
import { paths } from './paths';
import { startPostgres } from './postgres';
import { startTemporalDev } from './temporal';

export { local, localPostgresUrl } from '../../runtime/local';

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
    createKafka({
      brokers: brokers.split(','),
      clientId: 'homeward-setup',
      sasl: { mechanism: 'scram-sha-512', ...adminUser(credentials) },
    }),
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
