import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createApplication } from '../../../app';
import type { Actor } from '../../../schemas/actor';
import { admission } from '../../fixtures';
import type { ChildMemory } from '../child-protocol';
import type { BenchChild } from '../children';
import { closedLoop, keptUp, openLoop, Progress, type LoopFailure } from '../load';
import { row, type Phase } from '../phase';
import { cpuSeconds, rssBytes, waitUntilIdle } from '../proc';
import { percentile, slope } from '../stats';
import type { Sizes } from '../options';
import type { BenchSystem } from '../system';
import { eddBody } from './commands';

/** What the memory phase does to a worker under test, Homeward's or the bare one. */
interface Subject {
  worker: BenchChild & { release: () => Promise<void> };
  open(index: number): Promise<string>;
  command(id: string, index: number): Promise<unknown>;
  /** Workflows its worker keeps cached: a "cached" pass over more would replay them all again. */
  cacheSize: number;
}

/** Pathways started before the worker is let run them to quiet. */
const openingChunk = 500;
const KiB = 1024;
const MiB = 1024 * 1024;
const worker = 'worker under test';
const actor: Actor = { subject: 'bench', role: 'discharge-team' };

async function memoryOf(subject: Subject): Promise<{ rss: number; heapUsed: number; heapLimit: number }> {
  // The child collects its garbage first, then /proc says what it holds.
  const reported = await subject.worker.request<ChildMemory>('memory');
  return {
    rss: rssBytes(subject.worker.pid) ?? reported.rss,
    heapUsed: reported.heapUsed,
    heapLimit: reported.heapLimit,
  };
}

/** One command to each workflow, one at a time: the worker's CPU per command and the latency. */
async function commandPass(subject: Subject, ids: string[], label: string, quietMs: number) {
  const cpuBefore = cpuSeconds(subject.worker.pid) ?? 0;
  const load = await closedLoop(label, ids.length, 1, (i) => subject.command(ids[i], i));
  // Until the worker is quiet: Homeward publishes each command's event after answering.
  const cpuAfter = await waitUntilIdle(subject.worker.pid, { quietMs });
  return { cpuPerCommandMs: ((cpuAfter - cpuBefore) * 1000) / ids.length, p50Ms: percentile(load.latencies, 50) };
}

async function measure(system: BenchSystem, subject: Subject, sizes: Sizes, label: string) {
  const pid = subject.worker.pid;
  const warm = Math.min(20, sizes.openWorkflows);
  await closedLoop('warm-up', warm, 10, async (i) => subject.command(await subject.open(sizes.openWorkflows + i), i));
  await system.settle([pid]);
  const before = await memoryOf(subject);

  // Opened in chunks, each run to quiet before the next: a start answers before the worker has
  // run it, and a backlog larger than the worker's cache makes it evict and replay workflows in
  // the middle of their start, which no steady admission rate would.
  const ids: string[] = [];
  const cpuBeforeOpening = cpuSeconds(pid) ?? 0;
  const progress = new Progress(`opening ${sizes.openWorkflows} ${label}`, sizes.openWorkflows);
  for (let first = 0; first < sizes.openWorkflows; first += openingChunk) {
    const count = Math.min(openingChunk, sizes.openWorkflows - first);
    await closedLoop(null, count, 50, async (i) => {
      ids[first + i] = await subject.open(first + i);
      progress.tick();
    });
    await system.settle([pid]);
  }
  // Up to the last moment it was busy: the settling wait is not part of what opening cost.
  const openingCpuSeconds = (cpuSeconds(pid) ?? 0) - cpuBeforeOpening;
  const open = await memoryOf(subject);

  // Steady load on the open workflows, spread over all of them. The slope is taken between two
  // readings after a full GC (what is retained); RSS sampled meanwhile shows the swing, in the JSON.
  const samples: { seconds: number; rss: number }[] = [];
  const t0 = performance.now();
  const sampler = setInterval(
    () => samples.push({ seconds: (performance.now() - t0) / 1000, rss: rssBytes(pid) ?? NaN }),
    250,
  );
  const count = Math.max(2, Math.round(sizes.steadyRate * sizes.steadySeconds));
  let steadyLoadSeconds: number;
  let failures: LoopFailure[];
  let latencies: number[];
  try {
    let results: (number | undefined)[];
    ({
      seconds: steadyLoadSeconds,
      failures,
      results,
    } = await openLoop(
      `steady load at ${sizes.steadyRate}/s`,
      count,
      sizes.steadyRate,
      async (i) => {
        const sent = performance.now();
        await subject.command(ids[(i * 7919) % ids.length], i);
        return performance.now() - sent;
      },
      { keepGoing: true },
    ));
    latencies = results.filter((ms) => ms !== undefined);
  } finally {
    clearInterval(sampler);
  }
  await system.settle([pid]);
  const steady = await memoryOf(subject);
  const steadySeconds = (performance.now() - t0) / 1000;

  // A fresh worker in the same process has an empty cache: the first command to each workflow
  // replays its history (as after a deployment, or once evicted); the second finds it cached.
  const sample = ids.slice(0, Math.min(sizes.evictionSample, ids.length, subject.cacheSize));
  await subject.worker.request('restart');
  await system.settle([pid]);
  const evicted = await commandPass(subject, sample, `commands to evicted ${label}`, sizes.idleQuietMs);
  await system.settle([pid]);
  const cached = await commandPass(subject, sample, `commands to cached ${label}`, sizes.idleQuietMs);
  return {
    before,
    open,
    afterSteadyLoad: steady,
    perWorkflowRss: (open.rss - before.rss) / sizes.openWorkflows,
    perWorkflowHeap: (open.heapUsed - before.heapUsed) / sizes.openWorkflows,
    openingCpuMsPerWorkflow: (openingCpuSeconds * 1000) / sizes.openWorkflows,
    retainedGrowthBytesPerSecond: (steady.rss - open.rss) / steadySeconds,
    heapGrowthBytesPerSecond: (steady.heapUsed - open.heapUsed) / steadySeconds,
    rssSamples: samples,
    steadyLoad: {
      count,
      seconds: steadyLoadSeconds,
      failed: failures.length,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: percentile(latencies, 100),
      firstFailure: failures[0] && String((failures[0].error as Error)?.message ?? failures[0].error),
      failures: failures.map(({ index, at, error }) => ({
        index,
        at,
        error: String((error as Error)?.message ?? error),
      })),
    },
    evicted,
    cached,
    commandSample: sample.length,
  };
}

async function homewardSubject(system: BenchSystem, run: string): Promise<Subject> {
  const taskQueue = `bench-memory-${run}`;
  const child = await system.startChild(worker, 'worker.ts', {
    BENCH_WORKERS: 'pathway',
    TEMPORAL_TASK_QUEUE: taskQueue,
  });
  // The application layer the API calls, without HTTP: this phase is about the worker.
  const app = createApplication(await system.temporalClient('homeward'), {
    ...system.config,
    temporal: { ...system.config.temporal, taskQueue },
  });
  return {
    worker: child,
    cacheSize: system.config.worker.maxCachedWorkflows,
    open: async (i) => (await app.pathways.start(actor, admission({ admissionId: `M${run}n${i}` }))).pathwayId,
    command: (id, i) => app.pathways.command(actor, id, 'expected-discharge-date', eddBody(i)),
  };
}

async function bareSubject(system: BenchSystem, run: string): Promise<Subject> {
  const taskQueue = `bench-memory-bare-${run}`;
  const child = await system.startChild(worker, 'worker.ts', {
    BENCH_WORKERS: 'bare',
    BENCH_BARE_TASK_QUEUE: taskQueue,
  });
  const client = await system.temporalClient('plain');
  return {
    worker: child,
    // The SDK's default, about 2,300 with Node's default heap: more than any eviction sample.
    cacheSize: Infinity,
    open: async (i) => {
      const workflowId = `bare-memory-${run}-${i}`;
      await client.workflow.start('bareWorkflow', { taskQueue, workflowId });
      return workflowId;
    },
    command: (id, i) => client.workflow.getHandle(id).executeUpdate('touch', { args: [eddBody(i)] }),
  };
}

/** Least-squares RSS slope in bytes per second over the samples taken under load. */
const slopeOf = (samples: { seconds: number; rss: number }[]) =>
  slope(samples.filter((p) => Number.isFinite(p.rss)).map((p) => ({ x: p.seconds, y: p.rss })));

export const memoryPhase: Phase = {
  name: 'memory',
  title: 'Memory: the worker with open pathways asleep, under steady load, and CPU per command cached vs evicted',
  baseline:
    'a worker of bare one-timer workflows (each asleep on a 30-day timer), in a process of its own, driven alike',
  async run({ system, sizes, cpu }) {
    const run = randomUUID().slice(0, 6);
    const runOn = async (side: 'homeward' | 'baseline', make: () => Promise<Subject>, label: string) =>
      cpu.around(side, async () => {
        const subject = await make();
        try {
          return await measure(system, subject, sizes, label);
        } finally {
          await subject.worker.release();
        }
      });
    const h = await runOn('homeward', () => homewardSubject(system, run), 'pathways');
    const b = await runOn('baseline', () => bareSubject(system, run), 'bare workflows');
    const n = sizes.openWorkflows;
    const perMinute = (bytesPerSecond: number) => (bytesPerSecond * 60) / KiB;
    // Homeward's worker caches as configured; the bare one keeps the SDK's default (it grows with the heap).
    const cache = system.config.worker.maxCachedWorkflows;
    return {
      rows: [
        row(`RSS with ${n} open, asleep`, 'MiB', h.open.rss / MiB, b.open.rss / MiB),
        row('RSS per open workflow', 'KiB', h.perWorkflowRss / KiB, b.perWorkflowRss / KiB),
        row('JS heap per open workflow', 'KiB', h.perWorkflowHeap / KiB, b.perWorkflowHeap / KiB),
        row('worker CPU per workflow opened', 'ms', h.openingCpuMsPerWorkflow, b.openingCpuMsPerWorkflow),
        row(
          `RSS growth at ${sizes.steadyRate} commands/s, after GC`,
          'KiB/min',
          perMinute(h.retainedGrowthBytesPerSecond),
          perMinute(b.retainedGrowthBytesPerSecond),
        ),
        row(
          `JS heap growth at ${sizes.steadyRate} commands/s, after GC`,
          'KiB/min',
          perMinute(h.heapGrowthBytesPerSecond),
          perMinute(b.heapGrowthBytesPerSecond),
        ),
        row(
          `RSS slope at ${sizes.steadyRate} commands/s, as sampled`,
          'KiB/min',
          perMinute(slopeOf(h.rssSamples)),
          perMinute(slopeOf(b.rssSamples)),
        ),
        row(
          `commands/s answered under steady load at ${sizes.steadyRate}/s`,
          '/s',
          h.steadyLoad.count / h.steadyLoad.seconds,
          b.steadyLoad.count / b.steadyLoad.seconds,
        ),
        row('command p50 under steady load', 'ms', h.steadyLoad.p50Ms, b.steadyLoad.p50Ms),
        row('command p95 under steady load', 'ms', h.steadyLoad.p95Ms, b.steadyLoad.p95Ms),
        row('slowest command under steady load', 'ms', h.steadyLoad.maxMs, b.steadyLoad.maxMs),
        row('commands failed under steady load', 'count', h.steadyLoad.failed, b.steadyLoad.failed),
        row('worker CPU per command, evicted', 'ms', h.evicted.cpuPerCommandMs, b.evicted.cpuPerCommandMs),
        row('worker CPU per command, cached', 'ms', h.cached.cpuPerCommandMs, b.cached.cpuPerCommandMs),
        row('command p50, evicted', 'ms', h.evicted.p50Ms, b.evicted.p50Ms),
        row('command p50, cached', 'ms', h.cached.p50Ms, b.cached.p50Ms),
      ],
      details: { homeward: h, baseline: b, cachedPathways: cache },
      notes: [
        ...[
          keptUp('Homeward steady load', h.steadyLoad.count, sizes.steadyRate, h.steadyLoad.seconds),
          keptUp('baseline steady load', b.steadyLoad.count, sizes.steadyRate, b.steadyLoad.seconds),
          ...[h, b].map((side, i) =>
            side.steadyLoad.firstFailure
              ? `${i === 0 ? 'Homeward' : 'baseline'}: ${side.steadyLoad.failed} of ${side.steadyLoad.count} commands under steady load failed; the first: ${side.steadyLoad.firstFailure}`
              : undefined,
          ),
        ].filter((n) => n !== undefined),
        `Pathways are opened (and commanded) through the application layer the API uses, not over HTTP; they then wait for a command, with no timer due.`,
        `Homeward's worker keeps ${cache} pathways cached (HOMEWARD_WORKER_CACHED_PATHWAYS); past that, the least recently used are evicted and replayed on their next task${n > cache ? `, so with ${n} open the RSS per open workflow understates what each cached one costs (the quick run, with fewer open than cached, says that)` : ''}. The bare worker keeps the SDK's default cache, which grows with the heap.`,
        `"Evicted": the first command to each of ${h.commandSample} pathways (${b.commandSample} bare workflows, at most as many as the worker caches) after the worker is replaced in the same process (empty cache, history replayed); "cached": the second.`,
      ],
    };
  },
};
