import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributeFlags, searchAttributes } from '../../workflows/search-attributes';
import { ensureTemporalCli } from './install';
import { openLog, portInUse, spawnPrivate, stopChild, waitFor } from './process';

export interface RunningServer {
  address: string;
  uiUrl?: string;
  pid?: number;
  stop(): Promise<void>;
}

/** Health: the frontend answers GetSystemInfo. */
export async function temporalHealth(address: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

export interface TemporalDevOptions {
  port: number;
  /** 0 = headless (no web UI). */
  uiPort: number;
  /** SQLite file; omit for an in-memory server (tests). */
  dbFile?: string;
  logFile: string;
  /** Keep running after this process exits (`npm run infra -- start`); `pid` tells which process. */
  detached?: boolean;
}

/** Starts `temporal server start-dev` with the project's search attributes, and waits until it answers. */
export async function startTemporalDev(options: TemporalDevOptions): Promise<RunningServer> {
  const cli = await ensureTemporalCli();
  if (await portInUse(options.port)) {
    throw new Error(
      `Temporal port ${options.port} is already in use; set TEMPORAL_PORT to another port, or TEMPORAL_ADDRESS to use that server`,
    );
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true, mode: 0o700 });
    // The server creates the file (and its journals) under umask 077; one an older Homeward left 0644 is made private.
    for (const file of [
      options.dbFile,
      ...['-journal', '-wal', '-shm'].map((suffix) => `${options.dbFile}${suffix}`),
    ]) {
      if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
    }
    args.push('--db-filename', options.dbFile);
  }
  for (const flag of searchAttributeFlags()) args.push('--search-attribute', flag);
  // Our own search attributes count against the per-namespace limit; keep it roomy.
  args.push('--dynamic-config-value', 'limit.maxIDLength=255');
  const log = openLog(options.logFile);
  const child = spawnPrivate(cli, args, { stdio: ['ignore', log, log], detached: options.detached });
  if (options.detached) child.unref();
  fs.closeSync(log);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitFor(`Temporal dev server on ${address}`, () => temporalHealth(address), {
      timeoutMs: 60_000,
      child,
      logFile: options.logFile,
    });
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

/**
 * The Java time-skipping test server starts with none of our search attributes (the dev server
 * gets them as flags); its operator service adds them. Used by the tests and the benchmark.
 */
export async function registerSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace = 'default',
): Promise<void> {
  const indexed: Record<string, temporal.api.enums.v1.IndexedValueType> = {
    KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
    DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  };
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, indexed[key.type]])),
  });
}
