import fs from 'node:fs';
import path from 'node:path';
import { temporalServerConfigured } from '../../config/temporal-connection';
import { cacheDir, paths, versions } from './paths';
import { javaCommand, MissingToolError, requireTool, runWithProgress } from './process';

type Component = 'temporal-cli' | 'temporal-test-server' | 'temporal-server' | 'kafka';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Builds the Temporal CLI (which embeds the dev server) with `go install`; minutes the first time. */
export async function ensureTemporalCli(): Promise<string> {
  if (fs.existsSync(paths.temporalCli)) return paths.temporalCli;
  requireTool(
    'go',
    ['version'],
    'Go (needed to build the Temporal CLI with `go install`); install Go 1.23+ or set TEMPORAL_ADDRESS to an existing Temporal server',
  );
  const binDir = path.dirname(paths.temporalCli);
  const staging = `${binDir}.partial-${process.pid}`;
  fs.mkdirSync(staging, { recursive: true });
  say(`Building Temporal CLI ${versions.temporalCli} with go install (first time only; several minutes on 2 cores)…`);
  await runWithProgress(
    'go install temporal',
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@v${versions.temporalCli}`],
    {
      env: { ...process.env, GOBIN: staging, GOFLAGS: '-mod=mod' },
      logFile: path.join(cacheDir, 'go-install-temporal.log'),
    },
  );
  publish(staging, binDir);
  say(`  ✓ Temporal CLI at ${paths.temporalCli}`);
  return paths.temporalCli;
}

/**
 * The Temporal server (production profile) and its SQL schema tool (which embeds the PostgreSQL
 * schemas), built with `go install` from the Go module proxy. A release needing a newer Go than
 * the machine's gets it from the proxy too (GOTOOLCHAIN=auto).
 */
export async function ensureTemporalServer(): Promise<string> {
  if (fs.existsSync(paths.temporalServer) && fs.existsSync(paths.temporalSqlTool)) return paths.temporalServer;
  requireTool('go', ['version'], 'Go (needed to build the Temporal server with `go install`); install Go 1.23+');
  const staging = `${paths.temporalServerDir}.partial-${process.pid}`;
  const env = { ...process.env, GOBIN: path.join(staging, 'bin'), GOTOOLCHAIN: 'auto', GOFLAGS: '-mod=mod' };
  fs.mkdirSync(env.GOBIN, { recursive: true });
  say(
    `Building Temporal server ${versions.temporalServer} with go install (first time only; several minutes on 2 cores)…`,
  );
  const module = 'go.temporal.io/server';
  for (const command of ['server', 'tools/sql']) {
    await runWithProgress(
      `go install ${module}/cmd/${command}`,
      'nice',
      ['go', 'install', `${module}/cmd/${command}@v${versions.temporalServer}`],
      { env, logFile: path.join(cacheDir, `go-install-temporal-server-${path.basename(command)}.log`) },
    );
  }
  publish(staging, paths.temporalServerDir);
  say(`  ✓ Temporal server at ${paths.temporalServer}`);
  return paths.temporalServer;
}

/** The Java time-skipping test server, its jars copied from Maven Central, behind an `exec java` wrapper. */
export async function ensureTestServer(): Promise<string> {
  if (fs.existsSync(paths.testServerWrapper)) return paths.testServerWrapper;
  requireJavaAndMaven('the Temporal time-skipping test server');
  const staging = `${paths.testServerDir}.partial-${process.pid}`;
  say(`Fetching Temporal test server ${versions.temporalTestServer} from Maven Central…`);
  await copyDependencies('temporal-test-server.pom.xml', path.join(staging, 'libs'), {
    'temporal.test.server.version': versions.temporalTestServer,
  });
  // createTimeSkipping() spawns `<wrapper> <port>`, polls for 5 s and kills with SIGKILL:
  // `exec` makes java the process it kills, and the flags make the JVM start fast.
  const wrapper = [
    '#!/bin/sh',
    'dir="$(cd "$(dirname "$0")" && pwd)"',
    `exec ${javaCommand()} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xss512k -cp "$dir/libs/*" io.temporal.testserver.TestServer "$@"`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(staging, 'run.sh'), wrapper, { mode: 0o755 });
  publish(staging, paths.testServerDir);
  say(`  ✓ Temporal test server at ${paths.testServerWrapper}`);
  return paths.testServerWrapper;
}

/** Apache Kafka broker jars (KRaft mode needs no ZooKeeper) from Maven Central. */
export async function ensureKafka(): Promise<string> {
  if (fs.existsSync(paths.kafkaLibs)) return paths.kafkaLibs;
  requireJavaAndMaven('the Apache Kafka broker');
  const staging = `${paths.kafkaDir}.partial-${process.pid}`;
  say(`Fetching Apache Kafka ${versions.kafka} from Maven Central…`);
  await copyDependencies('kafka.pom.xml', path.join(staging, 'libs'), { 'kafka.version': versions.kafka });
  publish(staging, paths.kafkaDir);
  say(`  ✓ Kafka ${versions.kafka} at ${paths.kafkaDir}`);
  return paths.kafkaLibs;
}

function requireJavaAndMaven(forWhat: string): void {
  requireTool(javaCommand(), ['-version'], `Java 17+ (needed to run ${forWhat}); install a JDK or set JAVA_HOME`);
  requireTool('mvn', ['-v'], `Maven (needed to fetch ${forWhat} from Maven Central); install Apache Maven 3.8+`);
}

async function copyDependencies(pom: string, outputDir: string, properties: Record<string, string>): Promise<void> {
  fs.mkdirSync(outputDir, { recursive: true });
  const props = Object.entries(properties).map(([k, v]) => `-D${k}=${v}`);
  await runWithProgress(
    `mvn copy-dependencies (${pom})`,
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      path.join(paths.mavenPoms, pom),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${outputDir}`,
      '-DincludeScope=runtime',
      ...props,
    ],
    { logFile: path.join(cacheDir, `mvn-${pom}.log`) },
  );
}

/** Rename is atomic, so a concurrent or interrupted install never leaves a half-filled cache entry. */
export function publish(staging: string, target: string): void {
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    // Another process published first: theirs is as good as ours.
    if (!fs.existsSync(target)) throw error;
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export async function ensureComponents(components: Component[]): Promise<void> {
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const component of components) {
    if (component === 'temporal-cli') await ensureTemporalCli();
    if (component === 'temporal-test-server') await ensureTestServer();
    if (component === 'temporal-server') await ensureTemporalServer();
    if (component === 'kafka') await ensureKafka();
  }
}

/** Whether a component is already in the cache (so a start can say honestly whether it will take minutes). */
export function isInstalled(component: Component): boolean {
  const marker = {
    'temporal-cli': paths.temporalCli,
    'temporal-test-server': paths.testServerWrapper,
    'temporal-server': paths.temporalSqlTool,
    kafka: paths.kafkaLibs,
  }[component];
  return fs.existsSync(marker);
}

/**
 * Which components this run must install: none for servers given by TEMPORAL_ADDRESS (or a
 * Temporal client profile) / KAFKA_BROKERS. `temporalServer`: the production profile's Temporal
 * server rather than the CLI's dev server.
 */
export function neededComponents(options: { testServer: boolean; temporalServer?: boolean }): Component[] {
  const needed: Component[] = [];
  if (!temporalServerConfigured()) needed.push(options.temporalServer ? 'temporal-server' : 'temporal-cli');
  if (options.testServer) needed.push('temporal-test-server');
  if (!process.env.KAFKA_BROKERS) needed.push('kafka');
  return needed;
}

if (require.main === module) {
  // `npm run infra:install -- temporal-server` for the production profile's server; by default what npm start and npm test use.
  const requested = process.argv.slice(2) as Component[];
  ensureComponents(requested.length > 0 ? requested : ['temporal-cli', 'temporal-test-server', 'kafka']).then(
    () => say(`All infrastructure installed under ${cacheDir}`),
    (error: unknown) => {
      say(error instanceof MissingToolError ? error.message : String(error instanceof Error ? error.stack : error));
      process.exit(1);
    },
  );
}
