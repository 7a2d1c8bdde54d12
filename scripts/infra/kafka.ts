import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KafkaSasl } from '../../config';
import { createKafka } from '../../kafka/client';
import { ensureKafka } from './install';
import { adminToolProperties, adminUser, checkCredentials, serverProperties, type KafkaCredentials, type KafkaUser } from './kafka-properties';
import { javaCommand, portInUse, stopChild, waitFor } from './process';
import type { RunningServer } from './temporal';

export { adminUser, type KafkaCredentials } from './kafka-properties';

export interface KafkaOptions {
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  /** SCRAM users to create (principal → user); `admin` is the super user. */
  credentials: KafkaCredentials;
  heapMb?: number;
  /** Keep running after this process exits (`npm run infra -- start`). */
  detached?: boolean;
}

const scramSasl = (user: KafkaUser): KafkaSasl => ({ mechanism: 'scram-sha-512', ...user });

/**
 * A single-node KRaft broker+controller on 127.0.0.1 with SASL/SCRAM and ACLs enforced. Its SCRAM
 * users are added when the data dir is formatted; a data dir formatted before (without them, or
 * with other passwords) gets them added on this start.
 */
export async function startKafka(options: KafkaOptions): Promise<RunningServer> {
  checkCredentials(options.credentials);
  const libs = await ensureKafka();
  for (const port of [options.port, options.controllerPort]) {
    if (await portInUse(port)) {
      throw new Error(`Kafka port ${port} is already in use; set KAFKA_PORT / KAFKA_CONTROLLER_PORT, or KAFKA_BROKERS to use that broker`);
    }
  }
  // The properties files hold the admin's password.
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const logDir = path.join(options.dataDir, 'kraft-logs');
  const layout = { port: options.port, controllerPort: options.controllerPort, logDir };
  const propsFile = path.join(options.dataDir, 'server.properties');
  const admin = adminUser(options.credentials);
  const jvm = javaOptions(libs, options);
  const brokers = `127.0.0.1:${options.port}`;
  const usersFile = path.join(options.dataDir, 'scram-users.sha256');
  const usersDigest = digest(options.credentials);
  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    writePrivate(propsFile, serverProperties(layout, admin));
    await format(jvm, propsFile, options.credentials, options.logFile);
    writePrivate(usersFile, usersDigest);
  } else if (readOrEmpty(usersFile) !== usersDigest) {
    writePrivate(propsFile, serverProperties(layout, admin, true));
    await addScramUsers({ jvm, propsFile, brokers, options });
    writePrivate(usersFile, usersDigest);
  }
  writePrivate(propsFile, serverProperties(layout, admin));
  const child = launch(jvm, propsFile, options.logFile, options.detached);
  try {
    await waitFor(`Kafka broker on ${brokers}`, () => kafkaHealth(brokers, scramSasl(admin)), { timeoutMs: 90_000, child, logFile: options.logFile });
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { address: brokers, pid: child.pid, stop: () => stopChild(child, 20_000) };
}

/**
 * Readiness: the broker answers a metadata request, not merely that its port is open. Without
 * credentials, a refused sign-in counts as an answer (the broker is up and authenticating).
 */
export async function kafkaHealth(brokers: string, sasl?: KafkaSasl): Promise<void> {
  const probe = sasl ?? { mechanism: 'scram-sha-512', username: 'homeward-health-probe', password: crypto.randomUUID() };
  const admin = createKafka({ brokers: [brokers], clientId: 'homeward-infra', sasl: probe, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
  } catch (error) {
    if (!sasl && (error as Error).name === 'KafkaJSSASLAuthenticationError') return;
    throw error;
  }
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no brokers registered yet');
  } finally {
    await admin.disconnect();
  }
}

/** The JVM's options for a Kafka process or tool: heap, logging (WARN, to stdout) and the jars. */
export function javaOptions(libs: string, options: { dataDir: string; heapMb?: number }): string[] {
  const log4j = path.join(options.dataDir, 'log4j.properties');
  fs.writeFileSync(
    log4j,
    ['log4j.rootLogger=WARN, stdout', 'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=WARN', 'log4j.logger.org.apache.kafka=WARN', ''].join('\n'),
  );
  return [
    `-Xms${options.heapMb ?? 256}m`, `-Xmx${options.heapMb ?? 512}m`, '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${log4j}`, '-cp', path.join(libs, '*'),
  ];
}

function launch(jvm: string[], propsFile: string, logFile: string, detached = false): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(javaCommand(), [...jvm, 'kafka.Kafka', propsFile], { stdio: ['ignore', log, log], detached });
  if (detached) child.unref();
  fs.closeSync(log);
  return child;
}

async function format(jvm: string[], propsFile: string, credentials: KafkaCredentials, logFile: string): Promise<void> {
  // A Kafka cluster id is 16 random bytes in URL-safe base64; generating it here saves a JVM start.
  const clusterId = crypto.randomBytes(16).toString('base64url');
  const users = Object.values(credentials).flatMap(({ username, password }) => ['--add-scram', `SCRAM-SHA-512=[name=${username},password=${password}]`]);
  await runTool(jvm, ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile, '--ignore-formatted', ...users], logFile, 'Formatting Kafka storage');
}

/**
 * SCRAM users can be added at format time or through a broker that an admin can sign in to. A
 * data dir formatted without them has neither: start the broker once with the admin also allowed
 * in by PLAIN (checked against server.properties, not the metadata), and add them with Kafka's
 * ConfigCommand (kafkajs has no API for SCRAM credentials).
 */
async function addScramUsers(run: { jvm: string[]; propsFile: string; brokers: string; options: KafkaOptions }): Promise<void> {
  const { jvm, propsFile, brokers, options } = run;
  const admin = adminUser(options.credentials);
  process.stderr.write(`Adding SCRAM users to the Kafka data dir ${options.dataDir} (formatted without them; once)…\n`);
  const child = launch(jvm, propsFile, options.logFile);
  const toolConfig = path.join(options.dataDir, 'admin-tool.properties');
  try {
    await waitFor(`Kafka broker on ${brokers}`, () => kafkaHealth(brokers, { mechanism: 'plain', ...admin }), { timeoutMs: 90_000, child, logFile: options.logFile });
    writePrivate(toolConfig, adminToolProperties(admin));
    for (const { username, password } of Object.values(options.credentials)) {
      await runTool(
        [...jvm, '-XX:TieredStopAtLevel=1'],
        ['kafka.admin.ConfigCommand', '--bootstrap-server', brokers, '--command-config', toolConfig, '--alter',
          '--add-config', `SCRAM-SHA-512=[password=${password}]`, '--entity-type', 'users', '--entity-name', username],
        options.logFile,
        `Adding Kafka SCRAM user ${username}`,
      );
    }
  } finally {
    fs.rmSync(toolConfig, { force: true });
    await stopChild(child, 20_000);
  }
}

async function runTool(jvm: string[], args: string[], logFile: string, what: string): Promise<void> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(javaCommand(), [...jvm, ...args], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${what} failed (exit ${code}); see ${logFile}`);
}

/** Which users the data dir has, without keeping their passwords in another file. */
function digest(credentials: KafkaCredentials): string {
  const users = Object.values(credentials).map(({ username, password }) => [username, password]).sort();
  return crypto.createHash('sha256').update(JSON.stringify(users)).digest('hex');
}

export function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

function readOrEmpty(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}
