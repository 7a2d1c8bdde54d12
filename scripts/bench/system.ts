import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../../codec/data-converter';
import { loadConfig, type Config } from '../../config';
import { connectionOptions } from '../../config/temporal-connection';
import { signDevToken, startDevIssuer } from '../../config/dev-issuer';
import { devEnvironment, generateDevSecrets, type DevSecrets } from '../../config/dev-secrets';
import { setUpTopicsAndAcls } from '../../kafka/setup';
import { singleBroker } from '../../kafka/topics';
import { startKafka } from '../infra/kafka';
import { startPostgres } from '../infra/postgres';
import { versions } from '../infra/paths';
import { freePort } from '../infra/process';
import { startTemporalDev } from '../infra/temporal';
import { buildBundles } from './bundles';
import { BenchChild } from './children';
import type { Cleanup } from './cleanup';
import { HttpClient } from './http';
import { adminKafka } from './kafka';
import type { BenchOptions } from './options';
import { waitUntilIdle } from './proc';
import { ProcessRegistry } from './processes';

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
 * Everything the benchmark runs on: its own Temporal dev server and Kafka broker (free ports, a
 * temporary data dir; never those of `npm start`), a development token issuer, the secrets, and
 * the child processes. Each thing started is registered with the cleanup.
 */
export class BenchSystem {
  readonly processes = new ProcessRegistry();
  /** This run's task queues: an existing server may hold other runs' workflows. */
  readonly queues = { pathways: `bench-pathways-${randomUUID().slice(0, 8)}`, bare: `bench-bare-${randomUUID().slice(0, 8)}` };
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
    // Pushed first, so removed last, once every server using it has stopped.
    cleanup.push('temporary data dir', async () => fs.rmSync(workDir, { recursive: true, force: true }));
    const secrets = options.secretsFile ? (JSON.parse(fs.readFileSync(options.secretsFile, 'utf8')) as DevSecrets) : await generateDevSecrets();
    const bundles = buildBundles(workDir);
    bundles.catch(() => undefined); // Awaited below, unless a server fails first.
    const servers: Record<string, string> = {};
    const pids: Record<string, number | undefined> = {};
    // allSettled: when one server fails, the other has finished starting (and is in the cleanup) before we give up.
    const settled = await Promise.allSettled([
      process.env.TEMPORAL_ADDRESS ??
        freePort().then(async (port) => {
          const dbFile = options.temporalDb === 'file' ? path.join(workDir, 'temporal.sqlite') : undefined;
          say(`  starting Temporal dev server on 127.0.0.1:${port}…`);
          const server = await startTemporalDev({ port, uiPort: 0, dbFile, logFile: path.join(workDir, 'temporal.log') });
          cleanup.push('Temporal dev server', server.stop);
          servers.temporal = `Temporal CLI ${versions.temporalCli} dev server, SQLite ${dbFile ? 'file, default journal (as npm start)' : 'in memory (as npm test; --temporal-db file for npm start\'s)'}`;
          pids.temporal = server.pid;
          return server.address;
        }),
      process.env.KAFKA_BROKERS ??
        Promise.all([freePort(), freePort()]).then(async ([port, controllerPort]) => {
          say(`  starting Kafka broker on 127.0.0.1:${port}…`);
          const server = await startKafka({ port, controllerPort, dataDir: path.join(workDir, 'kafka'), logFile: path.join(workDir, 'kafka.log'), credentials: secrets.kafka });
          cleanup.push('Kafka broker', server.stop);
          servers.kafka = `Apache Kafka ${versions.kafka}, one KRaft node (scripts/infra), 3 partitions per topic`;
          pids.kafka = server.pid;
          return server.address;
        }),
      // The read model the API's lists and reports read, and the read-side phase measures.
      process.env.DATABASE_URL ??
        freePort().then(async (port) => {
          say(`  starting PostgreSQL on 127.0.0.1:${port}…`);
          const server = await startPostgres({ port, dataDir: path.join(workDir, 'postgres'), logFile: path.join(workDir, 'postgres.log'), password: secrets.postgresPassword, say });
          cleanup.push('PostgreSQL', server.stop);
          pids.postgres = server.pid;
          return server.address;
        }),
    ]);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    const [temporalAddress, kafkaBrokers, databaseUrl] = settled.map((s) => (s as PromiseFulfilledResult<string>).value);
    servers.temporal ??= `existing server at ${temporalAddress} (TEMPORAL_ADDRESS; its CPU is not measured)`;
    servers.kafka ??= `existing broker at ${kafkaBrokers} (KAFKA_BROKERS; its CPU is not measured)`;
    const { pathway, bare } = await bundles;
    const issuer = await startDevIssuer(secrets, 0);
    cleanup.push('development token issuer', issuer.close);
    const childEnv: Record<string, string> = {
      ...devEnvironment(secrets),
      TEMPORAL_ADDRESS: temporalAddress,
      KAFKA_BROKERS: kafkaBrokers,
      DATABASE_URL: databaseUrl,
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
    // As its children read theirs (process.env under childEnv): TEMPORAL_TLS* reach an existing server.
    const config = loadConfig({ ...process.env, ...childEnv, HTTP_PORT: '0' });
    // Topics and the ACLs every principal needs, as npm start sets them up.
    const topicSettings = process.env.KAFKA_BROKERS ? config.kafkaTopics : singleBroker(config.kafkaTopics);
    await setUpTopicsAndAcls(adminKafka(config, secrets, 'homeward-bench-admin'), topicSettings, say);
    const system = new BenchSystem(options, cleanup, workDir, secrets, childEnv, config, servers);
    system.processes.add('temporal', pids.temporal);
    system.processes.add('kafka', pids.kafka);
    // Its backends (one per connection) do the work: counted with the postmaster.
    system.processes.add('postgres', pids.postgres, { withChildren: true });
    return system;
  }

  /** A child process of this run, stopped by the cleanup unless the caller stops it first. */
  async startChild(name: string, script: 'api.ts' | 'worker.ts' | 'projector.ts', env: Record<string, string> = {}): Promise<BenchChild & { release: () => Promise<void> }> {
    const child = await BenchChild.start({
      name,
      script,
      env: { ...process.env, ...this.childEnv, TEMPORAL_TASK_QUEUE: this.queues.pathways, BENCH_BARE_TASK_QUEUE: this.queues.bare, ...env },
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
    return new Client({ connection, namespace: this.config.temporal.namespace, ...(kind === 'homeward' ? { dataConverter: createDataConverter(this.config) } : {}) });
  }
}
