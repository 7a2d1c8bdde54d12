import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { grpc } from '@temporalio/proto';
import pg from 'pg';
import { connectionOptions, loadTemporalConnection } from '../../config/temporal-connection';
import { searchAttributes } from '../../workflows/search-attributes';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from './certificates';
import { ensureTemporalServer } from './install';
import { paths, versions } from './paths';
import { startPostgres } from './postgres';
import { onFreePorts, stopChild, tail, waitFor } from './process';
import { registerSearchAttributes, type RunningServer } from './temporal';

/**
 * The production profile's Temporal: the Temporal server binary (not the CLI's dev server) with
 * PostgreSQL persistence and visibility on a PostgreSQL of its own, and mutual TLS on the
 * frontend with certificates from a private CA made at start. Everything on 127.0.0.1.
 */
export interface ProductionTemporalOptions {
  /** Its files: certificates (tls/), configuration and logs (server/), PostgreSQL's cluster (postgres/). */
  dir: string;
  /** The CA that signs its certificates (the profile's, shared with Kafka); by default one of its own in tls/. */
  ca?: CertificateAuthority;
  /** History shards: fixed for the life of the database. 4, upstream's development value, is plenty on 2 cores. */
  historyShards?: number;
  say?: (line: string) => void;
}

export interface ProductionTemporal extends RunningServer {
  namespace: string;
  /** The CA's certificate and Homeward's client certificate and key. */
  tls: { caFile: string; clientCertFile: string; clientKeyFile: string; serverName: string };
  /** The TEMPORAL_* variables a Homeward process needs to reach it (@temporalio/envconfig's names). */
  environment: Record<string, string>;
  /** Its PostgreSQL's postmaster (the backends doing the work are its children), for CPU figures. */
  postgresPid?: number;
  /** The server alone, for fault tests: SIGTERM (or SIGKILL, a crash) and wait; start again on the same ports and database. */
  stopServer(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startServer(): Promise<void>;
}

const namespace = 'default';
/** The name both sides' certificates are checked against: the server's certificate carries it and 127.0.0.1. */
const serverName = 'localhost';
/** How long the namespace keeps a closed workflow's history (upstream's usual 3 days). */
const retention = '72 hours';

export async function startProductionTemporal(options: ProductionTemporalOptions): Promise<ProductionTemporal> {
  const say = options.say ?? ((line: string) => console.error(line));
  const [server, sqlTool] = [await ensureTemporalServer(), paths.temporalSqlTool];
  // Enterable but not listable: PostgreSQL's OS user (when run as root) reaches postgres/ through it.
  fs.mkdirSync(options.dir, { recursive: true });
  fs.chmodSync(options.dir, 0o711);
  const tlsDir = path.join(options.dir, 'tls');
  const serverDir = path.join(options.dir, 'server');
  fs.mkdirSync(serverDir, { recursive: true, mode: 0o700 });
  const ca = options.ca ?? createCertificateAuthority(tlsDir);
  const frontend = issueCertificate(ca, {
    dir: tlsDir,
    name: 'frontend',
    commonName: 'temporal-frontend',
    use: 'server',
    hosts: ['127.0.0.1', serverName],
  });
  // Its own worker service dials the frontend like any client: with requireClientAuth it needs a certificate too.
  const systemWorker = issueCertificate(ca, {
    dir: tlsDir,
    name: 'system-worker',
    commonName: 'temporal-system-worker',
    use: 'client',
  });
  const client = issueCertificate(ca, { dir: tlsDir, name: 'homeward', commonName: 'homeward', use: 'client' });

  const databasePassword = crypto.randomBytes(18).toString('base64url');
  const postgres = await onFreePorts(1, ([port]) =>
    startPostgres({
      port,
      dataDir: path.join(options.dir, 'postgres'),
      logFile: path.join(serverDir, 'postgres.log'),
      password: crypto.randomBytes(18).toString('base64url'),
      say,
    }),
  );
  try {
    const pgPort = Number(new URL(postgres.address).port);
    await createTemporalRole(postgres.address, databasePassword);
    await applySchemas(sqlTool, pgPort, databasePassword, path.join(serverDir, 'schema.log'));

    const logFile = path.join(serverDir, 'temporal.log');
    const dynamicConfig = path.join(serverDir, 'dynamicconfig.yaml');
    // Search attributes usable as soon as they are registered (the dev server sets this too).
    fs.writeFileSync(dynamicConfig, 'system.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n');
    const environment = (frontendPort: number): Record<string, string> => ({
      TEMPORAL_ADDRESS: `127.0.0.1:${frontendPort}`,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.certFile,
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.certFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: client.keyFile,
      TEMPORAL_TLS_SERVER_NAME: serverName,
    });
    let child: ChildProcess | undefined;
    const launch = async (ports: number[]) => {
      child = spawnServer(server, path.join(serverDir, 'config.yaml'), logFile, {
        TEMPORAL_PG_PASSWORD: databasePassword,
      });
      await waitFor(
        `Temporal server ${versions.temporalServer} on 127.0.0.1:${ports[0]}`,
        () => temporalServing(environment(ports[0])),
        { timeoutMs: 60_000, child, logFile },
      ).catch(async (error: unknown) => {
        await stopChild(child!);
        throw error;
      });
    };
    // Eight ports: gRPC and membership for each of frontend, history, matching and worker.
    const ports = await onFreePorts(8, async (candidates) => {
      const config = serverConfig({
        ports: candidates,
        pgPort,
        tlsDir: { ca: ca.certFile, frontend, systemWorker },
        dynamicConfig,
        historyShards: options.historyShards ?? 4,
      });
      fs.writeFileSync(path.join(serverDir, 'config.yaml'), config, { mode: 0o600 });
      await launch(candidates);
      return candidates;
    });
    const env = environment(ports[0]);
    await registerNamespace(env);
    return {
      address: env.TEMPORAL_ADDRESS,
      namespace,
      tls: { caFile: ca.certFile, clientCertFile: client.certFile, clientKeyFile: client.keyFile, serverName },
      environment: env,
      get pid() {
        return child?.pid;
      },
      postgresPid: postgres.pid,
      stopServer: async (signal = 'SIGTERM') => {
        if (child) await stopChild(child, 15_000, signal);
      },
      startServer: () => launch(ports),
      stop: async () => {
        if (child) await stopChild(child, 15_000);
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

function spawnServer(
  server: string,
  configFile: string,
  logFile: string,
  secrets: Record<string, string>,
): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  // The database password reaches the server in its environment (readable by its user only), never argv.
  // No authorizer: the frontend's mTLS is the gate (any certificate of the CA), which the flag acknowledges.
  const child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...secrets },
  });
  fs.closeSync(log);
  return child;
}

/** Readiness over mTLS, as Homeward connects: the gRPC health service says SERVING, and the frontend answers. */
async function temporalServing(environment: Record<string, string>): Promise<void> {
  const connection = await Connection.connect({ ...connectionOptions(settings(environment)), connectTimeout: 2_000 });
  try {
    const health = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
    const { ServingStatus } = grpc.health.v1.HealthCheckResponse;
    if (health.status !== ServingStatus.SERVING) throw new Error(`frontend health: ${ServingStatus[health.status]}`);
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

const settings = (environment: Record<string, string>) =>
  loadTemporalConnection(environment, {
    production: false,
    defaults: { address: environment.TEMPORAL_ADDRESS, namespace },
  });

/** The namespace and Homeward's search attributes, over mTLS; ready once a visibility query on them answers. */
async function registerNamespace(environment: Record<string, string>): Promise<void> {
  const connection = await Connection.connect(connectionOptions(settings(environment)));
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(retention),
    });
    // The namespace registry refreshes every 2 s: until then the namespace is unknown to the other services.
    await waitFor(`namespace ${namespace}`, () => registerSearchAttributes(connection, namespace), {
      timeoutMs: 30_000,
    });
    await waitFor(
      `search attributes of namespace ${namespace}`,
      () =>
        connection.workflowService.listWorkflowExecutions({
          namespace,
          query: `${searchAttributes.stage.name} = "ready"`,
        }),
      { timeoutMs: 30_000 },
    );
  } finally {
    await connection.close();
  }
}

/** Temporal's own database role; the databases are its (CREATEDB), not the cluster superuser's. */
async function createTemporalRole(adminUrl: string, password: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // A role's password cannot be a bound parameter; the literal is escaped, and travels inside the connection.
    await admin.query(`CREATE ROLE temporal LOGIN CREATEDB PASSWORD ${admin.escapeLiteral(password)}`);
  } finally {
    await admin.end();
  }
}

/**
 * Temporal's schemas with its own SQL tool (the schemas are embedded in it), the tool taking
 * host, user and password from its environment. Then the one fix upstream's PostgreSQL schema
 * needs here: cluster_membership.rpc_port is SMALLINT (max 32767), and the OS hands out ports
 * above that, which made the server exit at start (temporalio/temporal#4822, for MySQL).
 */
async function applySchemas(sqlTool: string, pgPort: number, password: string, logFile: string): Promise<void> {
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(pgPort),
    SQL_USER: 'temporal',
    SQL_PASSWORD: password,
  };
  for (const [database, schema] of [
    ['temporal', 'postgresql/v12/temporal'],
    ['temporal_visibility', 'postgresql/v12/visibility'],
  ]) {
    for (const args of [
      ['create-database'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', schema],
    ]) {
      const result = spawnSync(sqlTool, ['--db', database, ...args], { env, encoding: 'utf8' });
      fs.appendFileSync(logFile, `$ sql --db ${database} ${args.join(' ')}\n${result.stdout}${result.stderr}`);
      if (result.status !== 0)
        throw new Error(
          `Temporal's sql tool failed (--db ${database} ${args[0]}, exit ${result.status}); see ${logFile}:\n${tail(logFile, 10)}`,
        );
    }
  }
  const temporalDb = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: 'temporal',
    password,
    database: 'temporal',
  });
  await temporalDb.connect();
  try {
    await temporalDb.query('ALTER TABLE cluster_membership ALTER COLUMN rpc_port TYPE INTEGER');
  } finally {
    await temporalDb.end();
  }
}

/**
 * The server's configuration. `# enable-template` turns on its templating, so the database
 * password is read from the environment rather than written here.
 */
function serverConfig(options: {
  ports: number[];
  pgPort: number;
  tlsDir: {
    ca: string;
    frontend: { certFile: string; keyFile: string };
    systemWorker: { certFile: string; keyFile: string };
  };
  dynamicConfig: string;
  historyShards: number;
}): string {
  const [frontend, history, matching, worker, ...membership] = options.ports;
  const datastore = (database: string, maxConns: number) =>
    `{ sql: { pluginName: postgres12, databaseName: ${database}, connectAddr: "127.0.0.1:${options.pgPort}", connectProtocol: tcp, ` +
    `user: temporal, password: '{{ env "TEMPORAL_PG_PASSWORD" }}', maxConns: ${maxConns}, maxIdleConns: ${maxConns}, maxConnLifetime: 1h } }`;
  const service = (grpcPort: number, membershipPort: number) =>
    `{ rpc: { grpcPort: ${grpcPort}, membershipPort: ${membershipPort}, bindOnLocalHost: true } }`;
  const { ca } = options.tlsDir;
  return `# enable-template
log: { stdout: true, level: warn }
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${options.historyShards}
  datastores:
    default: ${datastore('temporal', 20)}
    visibility: ${datastore('temporal_visibility', 10)}
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: 127.0.0.1 }
  tls:
    frontend:
      server: { certFile: ${options.tlsDir.frontend.certFile}, keyFile: ${options.tlsDir.frontend.keyFile}, clientCaFiles: [${ca}], requireClientAuth: true }
      client: { serverName: ${serverName}, rootCaFiles: [${ca}] }
    systemWorker:
      certFile: ${options.tlsDir.systemWorker.certFile}
      keyFile: ${options.tlsDir.systemWorker.keyFile}
      client: { serverName: ${serverName}, rootCaFiles: [${ca}] }
services:
  frontend: ${service(frontend, membership[0])}
  history: ${service(history, membership[1])}
  matching: ${service(matching, membership[2])}
  worker: ${service(worker, membership[3])}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active: { enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: "127.0.0.1:${frontend}" }
dcRedirectionPolicy: { policy: noop }
dynamicConfigClient: { filepath: ${options.dynamicConfig}, pollInterval: 10s }
`;
}
