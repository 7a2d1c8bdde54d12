import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kafka, RetryOptions } from 'kafkajs';
import { loadKafkaConfig, loadKafkaTopicSettings, type KafkaTopicSettings } from '../../config';
import { createKafka } from '../../kafka/client';
import { setUpTopicsAndAcls } from '../../kafka/setup';
import { allTopics } from '../../kafka/topics';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from './certificates';
import { ensureKafka } from './install';
import { javaOptions, writePrivate } from './kafka';
import {
  brokerCommonName,
  checkCredentials,
  clusterNodeProperties,
  formatArguments,
  type ClusterNode,
  type ClusterStores,
  type KafkaCredentials,
} from './kafka-properties';
import { javaCommand, portInUse, requireTool, stopChild, waitFor } from './process';
import type { RunningServer } from './temporal';

export const clusterSize = 3;

export interface KafkaClusterOptions {
  /** Nine free ports (onFreePorts(9, …)): each node's client, internal and controller port, node after node. */
  ports: number[];
  /** Made mode 0700. A cluster is formatted fresh with `credentials`, so it must be empty or absent. */
  dataDir: string;
  /** SCRAM users (principal → user), as config/dev-secrets.ts makes them; `admin` is the super user. */
  credentials: KafkaCredentials;
  /** The private CA that signs the brokers' certificate; a new one in the data dir by default. */
  ca?: CertificateAuthority;
  /** A dead broker fenced after 4.5 s instead of Kafka's 9 s: for fault tests. */
  fastFailover?: boolean;
  heapMb?: number;
  /** Where the start's steps and their times, and setup warnings, are told; stderr by default. */
  say?: (line: string) => void;
}

export interface KafkaCluster extends RunningServer {
  /** The CLIENT listeners (SASL_SSL), comma-separated: KAFKA_BROKERS. */
  address: string;
  /** PEM of the CA clients must trust: KAFKA_SSL_CA_FILE. */
  caFile: string;
  nodeIds: number[];
  /** Process ids of the nodes running now (for CPU and memory figures). */
  readonly pids: number[];
  /** What a Homeward process needs to sign in as `principal`: KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*. */
  environment(principal: string): Record<string, string>;
  /** A kafkajs client signed in as `principal`, built the way Homeward builds its own (config and kafka/client.ts). */
  kafka(principal: string, clientId: string, retry?: RetryOptions): Kafka;
  /**
   * Homeward's topics (HOMEWARD_KAFKA_* settings: three copies, two in sync, by default) and ACLs, as
   * `admin`; resolves when every partition's leader lets `homeward` in (ACLs reach brokers a little later).
   */
  setUpHomeward(settings?: KafkaTopicSettings): Promise<{ createdTopics: string[]; acls: number }>;
  /** SIGKILL: a crash, no controlled shutdown. */
  kill(nodeId: number): Promise<void>;
  /** SIGTERM: a controlled shutdown (leaders moved away first). */
  stopNode(nodeId: number): Promise<void>;
  /** Starts a stopped or killed node again on its data; resolves once it is registered with the controllers. */
  restart(nodeId: number): Promise<void>;
  /** Resolves when every partition of `topics` has each of its replicas in sync. */
  waitForInSync(topics?: string[], timeoutMs?: number): Promise<void>;
}

interface RunningNode extends ClusterNode {
  dir: string;
  propsFile: string;
  logFile: string;
  child?: ChildProcess;
}

/**
 * The production profile's Kafka: three KRaft nodes of the cached distribution (broker and
 * controller each) on 127.0.0.1, clients on SASL_SSL with SCRAM-SHA-512, brokers and controllers
 * on mutual TLS, certificates from a private CA made at start, ACLs enforced. Every password stays
 * in files of mode 0600 in a data dir of mode 0700, never on a command line.
 */
export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  checkCredentials(options.credentials);
  if (options.ports.length !== clusterSize * 3)
    throw new Error(`A Kafka cluster needs ${clusterSize * 3} ports, got ${options.ports.length}`);
  if (fs.existsSync(options.dataDir) && fs.readdirSync(options.dataDir).length > 0)
    throw new Error(`Kafka cluster data dir ${options.dataDir} is not empty: a cluster is formatted fresh`);
  for (const port of options.ports)
    if (await portInUse(port)) throw new Error(`Kafka cluster port ${port} is already in use`);
  const libs = await ensureKafka();
  const tell = options.say ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const started = performance.now();
  const step = (what: string, from: number) =>
    tell(`  Kafka cluster: ${what} in ${((performance.now() - from) / 1000).toFixed(1)} s`);
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(options.dataDir, 0o700);
  const ca = options.ca ?? createCertificateAuthority(path.join(options.dataDir, 'ca'));
  const stores = brokerStores(ca, path.join(options.dataDir, 'tls'));
  step('certificates and key stores', started);
  const nodes: RunningNode[] = Array.from({ length: clusterSize }, (_, i) => {
    const [clientPort, internalPort, controllerPort] = options.ports.slice(i * 3, i * 3 + 3);
    const dir = path.join(options.dataDir, `node${i + 1}`);
    fs.mkdirSync(dir, { mode: 0o700 });
    return {
      id: i + 1,
      clientPort,
      internalPort,
      controllerPort,
      dir,
      logDir: path.join(dir, 'kraft-logs'),
      propsFile: path.join(dir, 'server.properties'),
      logFile: path.join(dir, 'kafka.log'),
    };
  });
  const admin = options.credentials.admin;
  // The properties hold the stores' password.
  for (const node of nodes)
    writePrivate(node.propsFile, clusterNodeProperties(node, nodes, stores, admin, options.fastFailover));
  const jvm = javaOptions(libs, { dataDir: options.dataDir, heapMb: options.heapMb });
  const clusterId = crypto.randomBytes(16).toString('base64url');
  const formatting = performance.now();
  await Promise.all(nodes.map((node) => formatNode(jvm, node, clusterId, options.credentials)));
  step(`${clusterSize} nodes formatted with ${Object.keys(options.credentials).length} SCRAM users`, formatting);

  const address = nodes.map((node) => `127.0.0.1:${node.clientPort}`).join(',');
  const environment = (principal: string): Record<string, string> => {
    const user = options.credentials[principal];
    if (!user) throw new Error(`The Kafka cluster has no user for principal ${principal}`);
    return {
      KAFKA_BROKERS: address,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca.certFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: user.username,
      KAFKA_SASL_PASSWORD: user.password,
    };
  };
  const kafka = (principal: string, clientId: string, retry?: RetryOptions) =>
    createKafka({ ...loadKafkaConfig(environment(principal)), clientId, retry });
  const node = (id: number) => {
    const found = nodes.find((n) => n.id === id);
    if (!found) throw new Error(`The Kafka cluster has no node ${id} (nodes ${nodes.map((n) => n.id).join(', ')})`);
    return found;
  };
  const running = () => nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);
  /** Readiness: one answer of the cluster lists every node that runs, registered and not fenced. */
  const registered = async () => {
    const probe = kafka('admin', 'homeward-cluster-probe', { retries: 0 }).admin();
    await probe.connect();
    try {
      const { brokers } = await probe.describeCluster();
      const missing = running().filter((n) => !brokers.some((broker) => broker.nodeId === n.id));
      if (missing.length > 0)
        throw new Error(`brokers ${missing.map((n) => n.id).join(', ')} not registered (${brokers.length} are)`);
    } finally {
      await probe.disconnect();
    }
  };
  const start = async (n: RunningNode) => {
    const log = fs.openSync(n.logFile, 'a', 0o600);
    n.child = spawn(javaCommand(), [...jvm, 'kafka.Kafka', n.propsFile], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    await waitFor(`Kafka node ${n.id} on 127.0.0.1:${n.clientPort}`, registered, {
      timeoutMs: 120_000,
      child: n.child,
      logFile: n.logFile,
    });
  };
  const stopAll = () => Promise.all(nodes.map((n) => (n.child ? stopChild(n.child, 15_000) : undefined)));

  const starting = performance.now();
  try {
    await Promise.all(nodes.map(start));
  } catch (error) {
    await stopAll();
    throw error;
  }
  step(`${clusterSize} brokers registered`, starting);
  step('started', started);

  const cluster: KafkaCluster = {
    address,
    caFile: ca.certFile,
    nodeIds: nodes.map((n) => n.id),
    get pids() {
      return running().flatMap((n) => (n.child?.pid ? [n.child.pid] : []));
    },
    environment,
    kafka,
    async setUpHomeward(settings = loadKafkaTopicSettings()) {
      // Topics are created with as many copies as brokers are registered: all of them, then.
      await waitFor(`${running().length} Kafka brokers registered`, registered, { timeoutMs: 60_000 });
      const result = await setUpTopicsAndAcls(kafka('admin', 'homeward-setup'), settings, tell);
      await waitFor(
        "Homeward's ACLs on every partition leader",
        () => leadersAdmit(kafka('homeward', 'homeward-acl-probe', { retries: 0 })),
        { timeoutMs: 30_000 },
      );
      return result;
    },
    async kill(id) {
      const { child } = node(id);
      if (child) await stopChild(child, 0, 'SIGKILL');
    },
    async stopNode(id) {
      const { child } = node(id);
      if (child) await stopChild(child, 30_000);
    },
    async restart(id) {
      const n = node(id);
      if (running().includes(n)) throw new Error(`Kafka node ${id} is still running`);
      await start(n);
    },
    waitForInSync: (topics = allTopics(), timeoutMs = 60_000) =>
      waitFor(
        `every replica of ${topics.length} topics in sync`,
        () => allInSync(kafka('admin', 'homeward-isr-probe', { retries: 0 }), topics),
        { timeoutMs },
      ),
    async stop() {
      await stopAll();
    },
  };
  return cluster;
}

/** One certificate for every broker (CN=kafka-broker, for 127.0.0.1 and localhost) in a PKCS12 keystore, and a truststore with the CA. */
function brokerStores(ca: CertificateAuthority, dir: string): ClusterStores {
  requireTool('keytool', ['-help'], "keytool (part of the JDK; needed for the Kafka brokers' truststore)");
  const broker = issueCertificate(ca, {
    dir,
    name: 'broker',
    commonName: brokerCommonName,
    use: 'peer',
    hosts: ['127.0.0.1', 'localhost'],
  });
  const stores = {
    keystore: path.join(dir, 'broker.p12'),
    truststore: path.join(dir, 'truststore.p12'),
    password: crypto.randomBytes(24).toString('base64url'),
  };
  // The password reaches openssl and keytool through their environment, never their arguments.
  const env = { ...process.env, HOMEWARD_KAFKA_STORE_PASSWORD: stores.password };
  const run = (command: string, args: string[], what: string) => {
    const result = spawnSync(command, args, { env, encoding: 'utf8' });
    if (result.error || result.status !== 0)
      throw new Error(
        `${what} failed (exit ${result.status}): ${(result.stderr || String(result.error)).trim().split('\n').slice(-3).join(' ')}`,
      );
  };
  run(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-in',
      broker.certFile,
      '-inkey',
      broker.keyFile,
      '-certfile',
      ca.certFile,
      '-name',
      'broker',
      '-out',
      stores.keystore,
      '-passout',
      'env:HOMEWARD_KAFKA_STORE_PASSWORD',
    ],
    "The brokers' keystore (openssl pkcs12)",
  );
  // A truststore from keytool: a certificates-only PKCS12 from openssl lacks the attribute that makes Java trust it.
  run(
    'keytool',
    [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      ca.certFile,
      '-keystore',
      stores.truststore,
      '-storetype',
      'PKCS12',
      '-storepass:env',
      'HOMEWARD_KAFKA_STORE_PASSWORD',
    ],
    "The brokers' truststore (keytool)",
  );
  for (const file of [stores.keystore, stores.truststore]) fs.chmodSync(file, 0o600);
  return stores;
}

/**
 * Formats a node with the cluster's SCRAM users, so they exist before any client can connect. The
 * users' passwords go in a Java argument file (mode 0600, removed after), not on the command line;
 * the tool's output goes to a private file, as Kafka may print a malformed credential in clear.
 */
async function formatNode(
  jvm: string[],
  node: RunningNode,
  clusterId: string,
  credentials: KafkaCredentials,
): Promise<void> {
  const argFile = path.join(node.dir, 'format.args');
  const output = path.join(node.dir, 'format.log');
  // Inside quotes the Java launcher reads \\ and \" as escapes.
  const quoted = formatArguments(clusterId, node.propsFile, credentials).map(
    (arg) => `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`,
  );
  writePrivate(argFile, `${quoted.join('\n')}\n`);
  const log = fs.openSync(output, 'a', 0o600);
  try {
    // No perf data: the JVM would keep a copy of its arguments in /tmp/hsperfdata_<user>.
    const child = spawn(javaCommand(), [...jvm, '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', `@${argFile}`], {
      stdio: ['ignore', log, log],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0)
      throw new Error(
        `Formatting Kafka node ${node.id} failed (exit ${code}); see ${output} (private: it may show a credential)`,
      );
  } finally {
    fs.closeSync(log);
    fs.rmSync(argFile, { force: true });
  }
}

/**
 * Whether `kafka`'s user may describe every topic on each partition's leader: ListOffsets goes to
 * the leader of each partition, which answers TOPIC_AUTHORIZATION_FAILED until the ACLs reach it.
 */
async function leadersAdmit(kafka: Kafka, topics = allTopics()): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
}

async function allInSync(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    const lagging = metadata.topics.flatMap((topic) =>
      topic.partitions
        .filter((p) => p.leader < 0 || p.isr.length < p.replicas.length)
        .map((p) => `${topic.name}/${p.partitionId}`),
    );
    if (lagging.length > 0) throw new Error(`${lagging.length} partitions not fully in sync, e.g. ${lagging[0]}`);
  } finally {
    await admin.disconnect();
  }
}
