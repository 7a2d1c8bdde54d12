import { parseArgs } from 'node:util';

/** How much each phase does. Every field has a flag; a preset fills in the rest. */
export interface Sizes {
  /** Concurrency levels of the starts, commands and publish phases. */
  concurrency: number[];
  /** Starts per concurrency level, Homeward and baseline each. */
  starts: number;
  /** Commands per concurrency level, Homeward and baseline each. */
  commands: number;
  /** Event lag: commands per second, for this many seconds. */
  lagRate: number;
  lagSeconds: number;
  /** Memory: workflows left open and asleep in the worker under test. */
  openWorkflows: number;
  /** Memory: the steady load over which the RSS slope is taken. */
  steadyRate: number;
  steadySeconds: number;
  /** Memory: workflows commanded once evicted and once cached, for CPU per command. */
  evictionSample: number;
  /** Read side: pathways in the read model at each level (seeded through the projector, cumulative). */
  readPathways: number[];
  /** Read side: requests per query at each level, Homeward and baseline each. */
  readRequests: number;
  /** Read side: Kafka → read model lag, events per second for this many seconds. */
  readLagRate: number;
  readLagSeconds: number;
  /** Projectors: pathways whose events one projector and two (one consumer group) each catch up on. */
  projectorPathways: number;
  /** Publish: pathway events through the publish path, and as many raw. */
  publishEvents: number;
  /** Time-skipped lifecycle: scenario names (empty = all), and runs of the bare 30-day timer. */
  scenarios: string[];
  bareTimerRuns: number;
  /** How long a worker must be quiet to count as idle (it has run every task it was given). */
  idleQuietMs: number;
}

export type Preset = 'full' | 'quick' | 'tiny';

/**
 * The servers a run starts: `dev`, those of `npm test` (the Temporal CLI's dev server, one Kafka
 * broker); `production`, those of `npm run test:production` (the Temporal server on PostgreSQL
 * with mTLS, three Kafka brokers on SASL_SSL with three copies of each partition).
 */
export type Profile = 'dev' | 'production';

/**
 * The phases that mean something on the production profile, run by default there: the time-skipped
 * lifecycle runs on Temporal's Java test server whatever the profile, and the memory phase measures
 * the worker alone (it may still be asked for).
 */
export const productionPhases = ['starts', 'commands', 'event-lag', 'publish', 'read-side'];

export const presets: Record<Preset, Sizes> = {
  // About 25 minutes on 2 cores: most of it opening 10,000 pathways as fast as one worker takes them.
  full: {
    concurrency: [1, 50],
    starts: 500,
    commands: 1000,
    lagRate: 10,
    lagSeconds: 60,
    openWorkflows: 10_000,
    // With 10,000 open and a cache of 100 (the default), almost every command replays a pathway first.
    steadyRate: 5,
    steadySeconds: 120,
    evictionSample: 200,
    readPathways: [10_000, 50_000],
    readRequests: 50,
    readLagRate: 20,
    readLagSeconds: 30,
    projectorPathways: 10_000,
    publishEvents: 20_000,
    scenarios: [],
    bareTimerRuns: 5,
    idleQuietMs: 2_000,
  },
  // Under 3 minutes on 2 cores.
  quick: {
    concurrency: [1, 50],
    starts: 100,
    commands: 100,
    lagRate: 5,
    lagSeconds: 8,
    openWorkflows: 200,
    steadyRate: 10,
    steadySeconds: 8,
    evictionSample: 20,
    readPathways: [2_000, 5_000],
    readRequests: 30,
    readLagRate: 20,
    readLagSeconds: 8,
    projectorPathways: 2_000,
    publishEvents: 2_000,
    scenarios: [],
    bareTimerRuns: 2,
    idleQuietMs: 1_000,
  },
  // Only proves the harness works (the test of the benchmark); its figures mean little.
  tiny: {
    concurrency: [1, 4],
    starts: 8,
    commands: 8,
    lagRate: 5,
    lagSeconds: 1,
    openWorkflows: 5,
    steadyRate: 5,
    steadySeconds: 1,
    evictionSample: 2,
    readPathways: [20, 40],
    readRequests: 3,
    readLagRate: 20,
    readLagSeconds: 1,
    projectorPathways: 40,
    publishEvents: 60,
    scenarios: ['p0'],
    bareTimerRuns: 1,
    idleQuietMs: 300,
  },
};

export interface BenchOptions {
  preset: Preset;
  profile: Profile;
  sizes: Sizes;
  /** Phase names to run, in the registry's order. */
  phases: string[];
  /** Where the JSON goes; default bench-results/<time>-[production-]<preset>.json. */
  out?: string;
  /**
   * The benchmark's Temporal dev server's SQLite: `memory` (default, as the test suite runs it) or
   * `file` (as `npm start` runs it). On a shared VM disk the file's fsyncs dominate every figure
   * of both sides and vary with other processes' IO, hiding what Homeward itself costs; production
   * Temporal runs on PostgreSQL or Cassandra, not on the dev server's SQLite.
   */
  temporalDb: 'file' | 'memory';
  /** A DevSecrets JSON file (e.g. a test suite's, to use its servers); default: generated for this run. */
  secretsFile?: string;
}

export const usage = `npm run bench -- [--profile dev|production] [--quick | --tiny] [--phases a,b] [sizes…] [--out file.json]

  --profile dev            the servers of npm test: Temporal dev server, one Kafka broker (default)
  --profile production     those of npm run test:production: the Temporal server on PostgreSQL with
                           mTLS, three Kafka brokers on SASL_SSL (RF 3, min ISR 2); by default the
                           phases ${productionPhases.join(', ')}
  --quick / --tiny         smaller sizes (default: the full run, about 25 minutes on 2 cores)
  --phases a,b             only these phases (default: all): PHASES
  --concurrency 1,50       concurrency levels of starts, commands and publish
  --starts N --commands N  operations per concurrency level, Homeward and baseline each
  --lag-rate R --lag-seconds S             event lag: steady command rate and duration
  --open-workflows N --steady-rate R --steady-seconds S --eviction-sample N   memory
  --read-pathways 10000,50000 --read-requests N --read-lag-rate R --read-lag-seconds S   read side
  --projector-pathways N   projectors: pathways caught up on by one projector and by two in one group
  --publish-events N       publish
  --scenarios a,b          time-skipped lifecycle scenarios (default: all): SCENARIOS
  --bare-timer-runs N      runs of the bare 30-day timer
  --temporal-db memory|file  the benchmark's Temporal server's SQLite (default memory, as npm test;
                           file as npm start: fsync-bound, much slower, and noisy on a shared disk)
  --secrets file.json      development secrets to use (default: generated for the run)
  --out file.json          where the JSON goes (default bench-results/<time>-[production-]<preset>.json)

TEMPORAL_ADDRESS / KAFKA_BROKERS use existing servers instead of starting them (their CPU is then not measured).`;

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, not "${text}"`);
  return value;
};

export function parseOptions(argv: string[], known: { phases: string[]; scenarios: string[] }): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      tiny: { type: 'boolean' },
      profile: { type: 'string' },
      phases: { type: 'string' },
      concurrency: { type: 'string' },
      starts: { type: 'string' },
      commands: { type: 'string' },
      'lag-rate': { type: 'string' },
      'lag-seconds': { type: 'string' },
      'open-workflows': { type: 'string' },
      'steady-rate': { type: 'string' },
      'steady-seconds': { type: 'string' },
      'eviction-sample': { type: 'string' },
      'read-pathways': { type: 'string' },
      'read-requests': { type: 'string' },
      'read-lag-rate': { type: 'string' },
      'read-lag-seconds': { type: 'string' },
      'projector-pathways': { type: 'string' },
      'publish-events': { type: 'string' },
      scenarios: { type: 'string' },
      'bare-timer-runs': { type: 'string' },
      'temporal-db': { type: 'string' },
      secrets: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const preset: Preset = values.tiny ? 'tiny' : values.quick ? 'quick' : 'full';
  const sizes: Sizes = { ...presets[preset] };
  const numeric: [keyof Sizes, string][] = [
    ['starts', 'starts'],
    ['commands', 'commands'],
    ['lagRate', 'lag-rate'],
    ['lagSeconds', 'lag-seconds'],
    ['openWorkflows', 'open-workflows'],
    ['steadyRate', 'steady-rate'],
    ['steadySeconds', 'steady-seconds'],
    ['evictionSample', 'eviction-sample'],
    ['readRequests', 'read-requests'],
    ['readLagRate', 'read-lag-rate'],
    ['readLagSeconds', 'read-lag-seconds'],
    ['projectorPathways', 'projector-pathways'],
    ['publishEvents', 'publish-events'],
    ['bareTimerRuns', 'bare-timer-runs'],
  ];
  for (const [field, flag] of numeric) {
    const text = values[flag as keyof typeof values];
    if (typeof text === 'string') (sizes[field] as number) = positive(flag, text);
  }
  if (values.concurrency)
    sizes.concurrency = list(values.concurrency).map((c) => Math.round(positive('concurrency', c)));
  if (values['read-pathways'])
    sizes.readPathways = list(values['read-pathways']).map((n) => Math.round(positive('read-pathways', n)));
  if (values.scenarios) sizes.scenarios = list(values.scenarios);
  const unknownScenario = sizes.scenarios.find((s) => !known.scenarios.includes(s));
  if (unknownScenario) throw new Error(`Unknown scenario "${unknownScenario}"; known: ${known.scenarios.join(', ')}`);
  const profile = values.profile ?? 'dev';
  if (profile !== 'dev' && profile !== 'production')
    throw new Error(`--profile is dev or production, not "${profile}"`);
  const phases = values.phases ? list(values.phases) : profile === 'production' ? productionPhases : known.phases;
  const unknownPhase = phases.find((p) => !known.phases.includes(p));
  if (unknownPhase) throw new Error(`Unknown phase "${unknownPhase}"; known: ${known.phases.join(', ')}`);
  if (profile === 'production' && phases.includes('lifecycle'))
    throw new Error(
      "The lifecycle phase runs on Temporal's time-skipping test server, not on the production profile's: run it with --profile dev",
    );
  const temporalDb = values['temporal-db'] ?? 'memory';
  if (temporalDb !== 'file' && temporalDb !== 'memory') throw new Error('--temporal-db is file or memory');
  if (profile === 'production' && values['temporal-db'])
    throw new Error("--temporal-db is the dev server's SQLite; the production profile's Temporal runs on PostgreSQL");
  return {
    preset,
    profile,
    sizes,
    phases: known.phases.filter((p) => phases.includes(p)),
    out: values.out,
    temporalDb,
    secretsFile: values.secrets,
  };
}
