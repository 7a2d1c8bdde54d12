import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../../codec/data-converter';
import { loadConfig, loadKafkaTopicSettings, type Config } from '../../config';
import { connectionOptions } from '../../config/temporal-connection';
import { signDevToken, startDevIssuer } from '../../config/dev-issuer';
import { devEnvironment, generateDevSecrets, type DevSecrets } from '../../config/dev-secrets';
import { setUpTopicsAndAcls } from '../../kafka/setup';
import { connectDatabase } from '../../readmodel/database';
import { migrate } from '../../readmodel/migrate';
import { createCertificateAuthority } from '../infra/certificates';
import { startKafka } from '../infra/kafka';
import { clusterSize, startKafkaCluster } from '../infra/kafka-cluster';
import { setUpLocalKafka } from '../infra/local';
import { startPostgres } from '../infra/postgres';
import { versions } from '../infra/paths';
import { freePort, onFreePorts } from '../infra/process';
import { startTemporalDev } from '../infra/temporal';
import { startProductionTemporal } from '../infra/temporal-server';
import { buildBundles } from './bundles';
import { BenchChild } from './children';
import type { Cleanup } from './cleanup';
import { HttpClient } from './http';
import { adminKafka } from './kafka';
import type { BenchOptions } from './options';
import { waitUntilIdle } from './proc';
import { ProcessRegistry } from './processes';

/** A process whose CPU the report counts, by role (ProcessRegistry.add's arguments). */
type Measured = [name: string, pid: number | undefined, options?: { withChildren?: boolean }];

/** A server the run uses: what the report says of it, the variables that reach it, the processes whose CPU counts. */
interface Started {
  description: string;
  env: Record<string, string>;
  processes: Measured[];
  /** Homeward's topics and ACLs on the Kafka the run started (on an existing one: with the HOMEWARD_KAFKA_* settings). */
  setUp?: () => Promise<unknown>;
}

const existing = (description: string, env: Record<string, string> = {}): Promise<Started> =>
  Promise.resolve({ description, env, processes: [] });

/** The servers of a profile, each started on free ports in the run's directory and registered with the cleanup. */
interface Engines {
  temporal(): Promise<Started>;
  kafka(): Promise<Started>;
}

/** `npm test`'s servers: the Temporal CLI's dev server, one Kafka broker. */
function devEngines(
  options: BenchOptions,
  workDir: string,
  secrets: DevSecrets,
  cleanup: Cleanup,
  say: (line: string) => void,
): Engines {
  return {
    temporal: () =>
      freePort().then(async (port) => {
        const dbFile = options.temporalDb === 'file' ? path.join(workDir, 'temporal.sqlite') : undefined;
        say(`  starting Temporal dev server on 127.0.0.1:${port}…`);
        const server = await startTemporalDev({ port, uiPort: 0, dbFile, logFile: path.join(workDir, 'temporal.log') });
        cleanup.push('Temporal dev server', server.stop);
        return {
          description: `Temporal CLI ${versions.temporalCli} dev server, SQLite ${dbFile ? 'file, default journal (as npm start)' : "in memory (as npm test; --temporal-db file for npm start's)"}`,
          env: { TEMPORAL_ADDRESS: server.address },
          processes: [['temporal', server.pid]],
        };
      }),
    kafka: () =>
      Promise.all([freePort(), freePort()]).then(async ([port, controllerPort]) => {
        say(`  starting Kafka broker on 127.0.0.1:${port}…`);
        const server = await startKafka({
          port,
          controllerPort,
          dataDir: path.join(workDir, 'kafka'),
          logFile: path.join(workDir, 'kafka.log'),
          credentials: secrets.kafka,
        });
        cleanup.push('Kafka broker', server.stop);
        return {
          description: `Apache Kafka ${versions.kafka}, one KRaft node (tools/infra), SASL_PLAINTEXT, 3 partitions per topic, one copy`,
          env: { KAFKA_BROKERS: server.address },
          processes: [['kafka', server.pid]],
          setUp: () => setUpLocalKafka(server.address, secrets.kafka),
        };
      }),
  };
}

/**
 * `npm run test:production`'s servers: the Temporal server on PostgreSQL with mTLS on its frontend,
 * and three Kafka brokers on SASL_SSL with Homeward's production topic settings, both with
 * certificates from one private CA made for the run.
 */
function productionEngines(
  workDir: string,
  secrets: DevSecrets,
  cleanup: Cleanup,
  say: (line: string) => void,
): Engines {
  const ca = createCertificateAuthority(path.join(workDir, 'ca'));
  return {
    async temporal() {
      say(`  starting the Temporal server ${versions.temporalServer} on PostgreSQL, mTLS…`);
      const server = await startProductionTemporal({ dir: path.join(workDir, 'temporal'), ca, say });
      cleanup.push('Temporal server', server.stop);
      return {
        description: `Temporal server ${versions.temporalServer}, PostgreSQL persistence and visibility (4 history shards), mTLS on the frontend`,
        env: server.environment,
        // Its PostgreSQL, where every workflow task and activity is written, counted apart.
        processes: [
          ['temporal', server.pid],
          ['temporal-postgres', server.postgresPid, { withChildren: true }],
        ],
      };
    },
    async kafka() {
      say(`  starting ${clusterSize} Kafka brokers (SASL_SSL)…`);
      const cluster = await onFreePorts(clusterSize * 3, (ports) =>
        startKafkaCluster({ ports, dataDir: path.join(workDir, 'kafka'), credentials: secrets.kafka, ca, say }),
      );
      cleanup.push('Kafka cluster', cluster.stop);
      const settings = loadKafkaTopicSettings({ HOMEWARD_ENV: 'production' });
      return {
        description: `Apache Kafka ${versions.kafka}, ${clusterSize} KRaft nodes (broker and controller each), SASL_SSL (SCRAM-SHA-512), ${settings.partitions} partitions per topic, ${settings.replicationFactor} copies, min.insync.replicas ${settings.minInsyncReplicas}`,
        env: { KAFKA_BROKERS: cluster.address, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: cluster.caFile },
        processes: cluster.nodeIds.map((id, i): Measured => [`kafka-${id}`, cluster.pids[i]]),
        setUp: () => cluster.setUpHomeward(settings),
      };
    },
  };
}

/** How long the run's tokens live: signed once, they must outlast the longest run. */
export const benchTokenSeconds = 6 * 3600;

/** The API and the worker the starts, commands and event-lag phases drive, started on first use. */
export interface Services {
  http: HttpClient;
  api: BenchChild;
  /** Homeward's pathway worker and the bare baseline worker, in one child process. */
  worker: BenchChild;
}

/**
 * Everything the benchmark runs on: its own Temporal and Kafka of the profile chosen (free ports, a
 * temporary data dir; never those of `npm start`) and PostgreSQL, a development token issuer, the
 * secrets, and the child processes. Each thing started is registered with the cleanup.
 */
export class BenchSystem {
  readonly processes = new ProcessRegistry();
  /** This run's task queues: an existing server may hold other runs' workflows. */
  readonly queues = {
    pathways: `bench-pathways-${randomUUID().slice(0, 8)}`,
    bare: `bench-bare-${randomUUID().slice(0, 8)}`,
  };
  private services?: Promise<Services>;
  private connection?: Promise<Connection>;

  private constructor(
    readonly options: BenchOptions,
    readonly cleanup: Cleanup,
    readonly workDir: string,
    readonly secrets: DevSecrets,
    /** What the API and workers run with: `npm start`'s settings on this run's servers. */
    readonly childEnv: Record<string, string>,
    readonly config: Config,
    /** How the servers ran, for the report. */
    readonly servers: Record<string, string>,
  ) {
    this.processes.add('harness', process.pid);
  }

  static async start(options: BenchOptions, cleanup: Cleanup, say: (line: string) => void): Promise<BenchSystem> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-bench-'));
    // Enterable, not listable: PostgreSQL's OS user (when run as root) reaches its data dir through it.
    fs.chmodSync(workDir, 0o711);
    // Pushed first, so removed last, once every server using it has stopped.
    cleanup.push('temporary data dir', async () => fs.rmSync(workDir, { recursive: true, force: true }));
    const secrets = options.secretsFile
      ? (JSON.parse(fs.readFileSync(options.secretsFile, 'utf8')) as DevSecrets)
      : await generateDevSecrets();
    const bundles = buildBundles(workDir);
    bundles.catch(() => undefined); // Awaited below, unless a server fails first.
    const engines =
      options.profile === 'production'
        ? productionEngines(workDir, secrets, cleanup, say)
        : devEngines(options, workDir, secrets, cleanup, say);
    const servers: Record<string, string> = {};
    const processes: Measured[] = [];
    // allSettled: when one server fails, the others have finished starting (and are in the cleanup) before we give up.
    const settled = await Promise.allSettled([
      process.env.TEMPORAL_ADDRESS
        ? existing(`existing server at ${process.env.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS; its CPU is not measured)`)
        : engines.temporal(),
      process.env.KAFKA_BROKERS
        ? existing(`existing brokers at ${process.env.KAFKA_BROKERS} (KAFKA_BROKERS; its CPU is not measured)`)
        : engines.kafka(),
      // The read model the API's lists and reports read, and the read-side phase measures.
      process.env.DATABASE_URL
        ? existing('existing (DATABASE_URL)', { DATABASE_URL: process.env.DATABASE_URL })
        : freePort().then(async (port): Promise<Started> => {
            say(`  starting PostgreSQL on 127.0.0.1:${port}…`);
            const server = await startPostgres({
              port,
              dataDir: path.join(workDir, 'postgres'),
              logFile: path.join(workDir, 'postgres.log'),
              password: secrets.postgresPassword,
              say,
            });
            cleanup.push('PostgreSQL', server.stop);
            // Its backends (one per connection) do the work: counted with the postmaster.
            return {
              description: 'embedded PostgreSQL (the read model)',
              env: { DATABASE_URL: server.address },
              processes: [['postgres', server.pid, { withChildren: true }]],
            };
          }),
    ]);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    const [temporal, kafka, postgres] = settled.map((s) => (s as PromiseFulfilledResult<Started>).value);
    for (const [name, started] of Object.entries({ temporal, kafka, postgres })) {
      servers[name] = started.description;
      processes.push(...started.processes);
    }
    // `homeward migrate`'s step: the API and projectors only check the schema.
    const readModel = connectDatabase(postgres.env.DATABASE_URL, { max: 1 });
    await migrate(readModel).finally(() => readModel.end());
    const { pathway, bare } = await bundles;
    const issuer = await startDevIssuer(secrets, 0);
    cleanup.push('development token issuer', issuer.close);
    const childEnv: Record<string, string> = {
      ...devEnvironment(secrets),
      ...temporal.env,
      ...kafka.env,
      ...postgres.env,
      HOMEWARD_OIDC_ISSUER: issuer.url,
      // A run signs its tokens once and takes hours: longer than the product's default maximum.
      HOMEWARD_OIDC_MAX_TOKEN_LIFETIME: String(benchTokenSeconds),
      HTTP_HOST: '127.0.0.1',
      // One client doing a whole trust's work many times over: the limit is checked on every request, never reached.
      HOMEWARD_RATE_LIMIT_PER_MINUTE: '100000000',
      // The product's default, as `npm start` runs: request logging is part of what a request costs.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      BENCH_PATHWAY_BUNDLE: pathway,
      BENCH_BARE_BUNDLE: bare,
    };
    // As its children read theirs (process.env under childEnv): TEMPORAL_TLS* and KAFKA_SSL* reach existing servers.
    const config = loadConfig({ ...process.env, ...childEnv, HTTP_PORT: '0' });
    // Topics and the ACLs every principal needs, as npm start (or the production profile) sets them up.
    await (kafka.setUp
      ? kafka.setUp()
      : setUpTopicsAndAcls(adminKafka(config, secrets, 'homeward-bench-admin'), config.kafkaTopics, say));
    const system = new BenchSystem(options, cleanup, workDir, secrets, childEnv, config, servers);
    for (const [name, pid, registration] of processes) system.processes.add(name, pid, registration);
    return system;
  }

  /** A child process of this run, stopped by the cleanup unless the caller stops it first. */
  async startChild(
    name: string,
    script: 'api.ts' | 'worker.ts' | 'projector.ts',
    env: Record<string, string> = {},
  ): Promise<BenchChild & { release: () => Promise<void> }> {
    const child = await BenchChild.start({
      name,
      script,
      env: {
        ...process.env,
        ...this.childEnv,
        TEMPORAL_TASK_QUEUE: this.queues.pathways,
        BENCH_BARE_TASK_QUEUE: this.queues.bare,
        ...env,
      },
      logDir: this.workDir,
      processes: this.processes,
    });
    return Object.assign(child, { release: this.cleanup.push(name, () => child.stop()) });
  }

  /** The running system (API + worker) for the phases that drive it over HTTP; started once. */
  running(): Promise<Services> {
    this.services ??= (async () => {
      const port = await freePort();
      const [api, worker] = await Promise.all([
        this.startChild('api', 'api.ts', { HTTP_PORT: String(port) }),
        this.startChild('worker', 'worker.ts', { BENCH_WORKERS: 'pathway,bare' }),
      ]);
      const token = await signDevToken(this.secrets, {
        issuer: this.childEnv.HOMEWARD_OIDC_ISSUER,
        audience: this.config.oidc.audience,
        role: 'discharge-team',
        subject: 'bench',
        ttlSeconds: benchTokenSeconds,
      });
      return { http: new HttpClient((api.ready as { url: string }).url, token), api, worker };
    })();
    return this.services;
  }

  /**
   * Waits until the worker(s) given and the Temporal server have finished what earlier work left
   * them (a worker runs a started workflow's tasks after its start has answered), so one side's
   * tail does not land on the other's clock.
   */
  async settle(workers: number[]): Promise<void> {
    const quietMs = this.options.sizes.idleQuietMs;
    const temporal = this.processes.pid('temporal');
    await Promise.all([
      ...workers.map((pid) => waitUntilIdle(pid, { quietMs })),
      // The dev server does some housekeeping of its own even when nothing is asked of it.
      ...(temporal === undefined ? [] : [waitUntilIdle(temporal, { quietMs, busy: 0.15 })]),
    ]);
  }

  /** A Temporal client of the harness: Homeward's encrypting one, or (`plain`) a bare one for baselines. */
  async temporalClient(kind: 'homeward' | 'plain'): Promise<Client> {
    this.connection ??= Connection.connect(connectionOptions(this.config.temporal)).then((connection) => {
      this.cleanup.push('Temporal client', () => connection.close());
      return connection;
    });
    const connection = await this.connection;
    return new Client({
      connection,
      namespace: this.config.temporal.namespace,
      ...(kind === 'homeward' ? { dataConverter: createDataConverter(this.config) } : {}),
    });
  }
}
