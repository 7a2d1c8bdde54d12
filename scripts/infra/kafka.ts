import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureKafka } from './install';
import { javaCommand, portInUse, stopChild, waitFor } from './process';
import type { RunningServer } from './temporal';

export interface KafkaOptions {
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  heapMb?: number;
  /** Keep running after this process exits (`npm run infra -- start`). */
  detached?: boolean;
}

/** A single-node KRaft broker+controller on 127.0.0.1, formatted on first use of its data dir. */
export async function startKafka(options: KafkaOptions): Promise<RunningServer> {
  const libs = await ensureKafka();
  for (const port of [options.port, options.controllerPort]) {
    if (await portInUse(port)) {
      throw new Error(`Kafka port ${port} is already in use; set KAFKA_PORT / KAFKA_CONTROLLER_PORT, or KAFKA_BROKERS to use that broker`);
    }
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const logDir = path.join(options.dataDir, 'kraft-logs');
  const propsFile = path.join(options.dataDir, 'server.properties');
  fs.writeFileSync(propsFile, serverProperties(options, logDir));
  const log4j = path.join(options.dataDir, 'log4j.properties');
  fs.writeFileSync(
    log4j,
    ['log4j.rootLogger=WARN, stdout', 'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=WARN', 'log4j.logger.org.apache.kafka=WARN', ''].join('\n'),
  );
  const jvm = [
    `-Xms${options.heapMb ?? 256}m`, `-Xmx${options.heapMb ?? 512}m`, '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${log4j}`, '-cp', path.join(libs, '*'),
  ];
  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    await format(jvm, propsFile, options.logFile);
  }
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(javaCommand(), [...jvm, 'kafka.Kafka', propsFile], { stdio: ['ignore', log, log], detached: options.detached });
  if (options.detached) child.unref();
  fs.closeSync(log);
  const brokers = `127.0.0.1:${options.port}`;
  try {
    await waitFor(`Kafka broker on ${brokers}`, () => kafkaHealth(brokers), {
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

/** Readiness means the broker answers a metadata request, not merely that its port is open. */
export async function kafkaHealth(brokers: string): Promise<void> {
  const admin = new Kafka({ clientId: 'homeward-infra', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no brokers registered yet');
  } finally {
    await admin.disconnect();
  }
}

async function format(jvm: string[], propsFile: string, logFile: string): Promise<void> {
  // A Kafka cluster id is 16 random bytes in URL-safe base64; generating it here saves a JVM start.
  const clusterId = crypto.randomBytes(16).toString('base64url');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    javaCommand(),
    [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile, '--ignore-formatted'],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`Formatting Kafka storage failed (exit ${code}); see ${logFile}`);
}

function serverProperties(options: KafkaOptions, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'default.replication.factor=1',
    'group.initial.rebalance.delay.ms=0',
    // We create topics ourselves; auto-creation would hide a misspelt topic name.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}
