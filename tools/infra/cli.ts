import fs from 'node:fs';
import path from 'node:path';
import { loadOrCreateDevSecrets, readDevSecrets } from '../../config/dev-secrets';
import { kafkaHealth } from './kafka';
import {
  local,
  localPostgresUrl,
  setUpLocalKafka,
  startLocalKafka,
  startLocalPostgres,
  startLocalTemporal,
} from './local';
import { postgresHealth } from './postgres';
import { paths } from './paths';
import { MissingToolError } from './process';
import { temporalHealth } from './temporal';

/**
 * `npm run infra -- <start|status|stop> [temporal|kafka|postgres]`: the local servers on their own, in the
 * background, for running the worker or API separately. Same ports and data as `npm start`.
 */
const { temporalPort, kafkaPort } = local;
const runDir = path.join(paths.dataDir, 'run');
const pidFile = (name: string) => path.join(runDir, `${name}.pid`);

/** The local PostgreSQL's password: the data dir's development secret, as npm start uses it. */
const postgresPassword = async () => (await loadOrCreateDevSecrets(paths.dataDir)).postgresPassword;

const servers = {
  temporal: {
    address: `127.0.0.1:${temporalPort}`,
    health: () => temporalHealth(`127.0.0.1:${temporalPort}`),
    start: () => startLocalTemporal(true),
  },
  kafka: {
    address: `127.0.0.1:${kafkaPort}`,
    health: () => {
      // Without the data dir's secrets, a broker refusing an unknown user still counts as up.
      const admin = readDevSecrets(paths.dataDir)?.kafka.admin;
      return kafkaHealth(`127.0.0.1:${kafkaPort}`, admin && { mechanism: 'scram-sha-512', ...admin });
    },
    start: async () => {
      const { kafka: credentials } = await loadOrCreateDevSecrets(paths.dataDir);
      const server = await startLocalKafka(credentials, true);
      await setUpLocalKafka(server.address, credentials);
      return server;
    },
  },
  postgres: {
    address: `127.0.0.1:${local.postgresPort}`,
    health: async () => postgresHealth(localPostgresUrl(await postgresPassword())),
    start: async () => startLocalPostgres(await postgresPassword(), true),
  },
} as const;
type Name = keyof typeof servers;

async function healthy(name: Name): Promise<boolean> {
  try {
    await servers[name].health();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const [action, which = 'all'] = process.argv.slice(2);
  const names: Name[] = which === 'all' ? ['temporal', 'kafka', 'postgres'] : [which as Name];
  if (!['start', 'status', 'stop'].includes(action ?? '') || names.some((n) => !(n in servers))) {
    console.error('usage: npm run infra -- <start|status|stop> [temporal|kafka|postgres|all]');
    return 2;
  }
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  let code = 0;
  for (const name of names) {
    const server = servers[name];
    if (action === 'status') {
      const ok = await healthy(name);
      console.log(`${name.padEnd(9)} ${server.address}  ${ok ? 'healthy' : 'not answering'}`);
      if (!ok) code = 1;
    } else if (action === 'start') {
      if (await healthy(name)) {
        console.log(`${name} already running on ${server.address}`);
        continue;
      }
      const running = await server.start();
      fs.writeFileSync(pidFile(name), String(running.pid), { mode: 0o600 });
      console.log(
        `${name} started on ${server.address} (pid ${running.pid}); stop with: npm run infra -- stop ${name}`,
      );
    } else {
      const pid = fs.existsSync(pidFile(name)) ? Number(fs.readFileSync(pidFile(name), 'utf8')) : undefined;
      if (!pid) {
        console.log(`${name}: no pid file; was it started with npm run infra?`);
        continue;
      }
      try {
        // PostgreSQL's fast shutdown is SIGINT (SIGTERM waits for every client to leave).
        process.kill(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
      } catch {
        // Already gone.
      }
      for (let i = 0; i < 100 && (await healthy(name)); i++) await new Promise((r) => setTimeout(r, 200));
      fs.rmSync(pidFile(name), { force: true });
      console.log(`${name} stopped`);
    }
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof MissingToolError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
