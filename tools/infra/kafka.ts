import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KafkaSasl } from '../../config';
import { createKafka } from '../../kafka/client';
import { ensureKafka } from './install';
import {
  adminToolProperties,
  adminUser,
  checkCredentials,
  serverProperties,
  type KafkaCredentials,
  type KafkaUser,
} from './kafka-properties';
import { javaCommand, openLog, portInUse, spawnPrivate, stopChild, waitFor } from './process';
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
 * users are added when the data dir is formatted; a data dir formatted before gets those it lacks
 * (new users, changed passwords) added on this start.
 */
export async function startKafka(options: KafkaOptions): Promise<RunningServer> {
  checkCredentials(options.credentials);
  const libs = await ensureKafka();
  for (const port of [options.port, options.controllerPort]) {
    if (await portInUse(port)) {
      throw new Error(
        `Kafka port ${port} is already in use; set KAFKA_PORT / KAFKA_CONTROLLER_PORT, or KAFKA_BROKERS to use that broker`,
      );
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
  const users = userDigests(options.credentials);
  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    writePrivate(propsFile, serverProperties(layout, admin));
    await format(jvm, propsFile, options);
    writePrivate(usersFile, JSON.stringify(users));
  } else {
    const known = knownUsers(usersFile);
    const lacking = Object.values(options.credentials).filter(({ username }) => known[username] !== users[username]);
    if (lacking.length > 0) {
      writePrivate(propsFile, serverProperties(layout, admin, true));
      await addScramUsers({ jvm, propsFile, brokers, options }, lacking);
      writePrivate(usersFile, JSON.stringify(users));
    }
  }
  writePrivate(propsFile, serverProperties(layout, admin));
  const child = launch(jvm, propsFile, options.logFile, options.detached);
  try {
    await waitFor(`Kafka broker on ${brokers}`, () => kafkaHealth(brokers, scramSasl(admin)), {
      timeoutMs: 90_000,
      child,
      logFile: options.logFile,
    });
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
  const probe = sasl ?? {
    mechanism: 'scram-sha-512',
    username: 'homeward-health-probe',
    password: crypto.randomUUID(),
  };
  const admin = createKafka({
    brokers: [brokers],
    clientId: 'homeward-infra',
    sasl: probe,
    retry: { retries: 0 },
  }).admin();
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
  writePrivate(
    log4j,
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=WARN',
      'log4j.logger.org.apache.kafka=WARN',
      '',
    ].join('\n'),
  );
  return [
    `-Xms${options.heapMb ?? 256}m`,
    `-Xmx${options.heapMb ?? 512}m`,
    '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    path.join(libs, '*'),
  ];
}

function launch(jvm: string[], propsFile: string, logFile: string, detached = false): ChildProcess {
  const log = openLog(logFile);
  const child = spawnPrivate(javaCommand(), [...jvm, 'kafka.Kafka', propsFile], {
    stdio: ['ignore', log, log],
    detached,
  });
  if (detached) child.unref();
  fs.closeSync(log);
  return child;
}

async function format(jvm: string[], propsFile: string, options: KafkaOptions): Promise<void> {
  // A Kafka cluster id is 16 random bytes in URL-safe base64; generating it here saves a JVM start.
  const clusterId = crypto.randomBytes(16).toString('base64url');
  const users = Object.values(options.credentials).flatMap(({ username, password }) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${username},password=${password}]`,
  ]);
  await runTool(
    jvm,
    ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile, '--ignore-formatted', ...users],
    options,
    'Formatting Kafka storage',
  );
}

/**
 * SCRAM users can be added at format time or through a broker that an admin can sign in to. A
 * data dir formatted without them, or whose passwords have changed since, has neither: start the
 * broker once with the admin also allowed in by PLAIN (checked against server.properties, not the
 * metadata), and add them with Kafka's ConfigCommand (kafkajs has no API for SCRAM credentials).
 */
async function addScramUsers(
  run: { jvm: string[]; propsFile: string; brokers: string; options: KafkaOptions },
  users: KafkaUser[],
): Promise<void> {
  const { jvm, propsFile, brokers, options } = run;
  const admin = adminUser(options.credentials);
  const names = users.map((user) => user.username).join(', ');
  process.stderr.write(
    `Adding SCRAM users to the Kafka data dir ${options.dataDir}: ${names} (new, or their passwords changed)…\n`,
  );
  const child = launch(jvm, propsFile, options.logFile);
  const toolConfig = path.join(options.dataDir, 'admin-tool.properties');
  try {
    await waitFor(`Kafka broker on ${brokers}`, () => kafkaHealth(brokers, { mechanism: 'plain', ...admin }), {
      timeoutMs: 90_000,
      child,
      logFile: options.logFile,
    });
    writePrivate(toolConfig, adminToolProperties(admin));
    // One JVM each: ConfigCommand alters a single user.
    for (const { username, password } of users) {
      await runTool(
        jvm,
        [
          'kafka.admin.ConfigCommand',
          '--bootstrap-server',
          brokers,
          '--command-config',
          toolConfig,
          '--alter',
          '--add-config',
          `SCRAM-SHA-512=[password=${password}]`,
          '--entity-type',
          'users',
          '--entity-name',
          username,
        ],
        options,
        `Adding Kafka SCRAM user ${username}`,
      );
    }
  } finally {
    fs.rmSync(toolConfig, { force: true });
    await stopChild(child, 20_000);
  }
}

/**
 * Runs one of Kafka's Java tools. Its class and arguments, passwords among them, go in an
 * argument file (`java @file`, mode 0600, deleted afterwards) that the Java launcher reads itself:
 * they never reach the process list, which every local user can read, and without perf data the
 * JVM keeps no copy of them in /tmp/hsperfdata_<user> either. The tool's output reaches the log
 * with every password masked.
 */
async function runTool(jvm: string[], args: string[], options: KafkaOptions, what: string): Promise<void> {
  const argFile = path.join(options.dataDir, `tool-${crypto.randomUUID()}.args`);
  writePrivate(argFile, `${args.map(argFileQuoted).join('\n')}\n`);
  try {
    const child = spawnPrivate(javaCommand(), [...jvm, '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', `@${argFile}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const log = openLog(options.logFile);
    fs.writeSync(log, masked(output, options.credentials));
    fs.closeSync(log);
    if (code !== 0) throw new Error(`${what} failed (exit ${code}); see ${options.logFile}`);
  } finally {
    fs.rmSync(argFile, { force: true });
  }
}

/** One argument in a `java @file`, quoted: inside quotes the launcher reads `\\` and `\"` as escapes. */
const argFileQuoted = (arg: string) => `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A tool's output on its way to the log: Kafka's tools echo a value they cannot parse, password and all. */
function masked(output: string, credentials: KafkaCredentials): string {
  return Object.values(credentials).reduce((text, { password }) => text.split(password).join('[password]'), output);
}

/** Which users the data dir has, by name, without keeping their passwords in another file. */
function userDigests(credentials: KafkaCredentials): Record<string, string> {
  return Object.fromEntries(
    Object.values(credentials).map(({ username, password }) => [
      username,
      crypto
        .createHash('sha256')
        .update(JSON.stringify([username, password]))
        .digest('hex'),
    ]),
  );
}

/** What userDigests wrote for the data dir; nothing from an older Homeward's one digest of them all. */
function knownUsers(file: string): Record<string, string> {
  try {
    const known: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof known === 'object' && known !== null ? (known as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
