import { performance } from 'node:perf_hooks';

/** A heartbeat on stderr for long runs: done/total and the rate, every few seconds. */
export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private lastPrinted = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly everyMs = 5_000,
  ) {}

  tick(n = 1): void {
    this.done += n;
    const now = performance.now();
    if (now - this.lastPrinted < this.everyMs) return;
    this.lastPrinted = now;
    const rate = this.done / ((now - this.started) / 1000);
    process.stderr.write(`    … ${this.label}: ${this.done}/${this.total} (${rate.toFixed(1)}/s)\n`);
  }
}

export interface LoadResult {
  /** One per operation, in milliseconds. */
  latencies: number[];
  seconds: number;
  perSecond: number;
}

/**
 * `count` operations by `concurrency` lanes, each starting its next operation when its last one
 * answers (closed loop: the figure is what the system sustains). `lane` lets a caller give each
 * lane its own workflows, so two lanes never queue behind one another on the same workflow.
 */
export async function closedLoop(
  /** For the progress heartbeat; null for none (the caller shows its own). */
  label: string | null,
  count: number,
  concurrency: number,
  operation: (index: number, lane: number) => Promise<unknown>,
): Promise<LoadResult> {
  const progress = label === null ? undefined : new Progress(label, count);
  const latencies: number[] = new Array(count);
  let next = 0;
  let failed = false;
  const started = performance.now();
  const lane = async (laneIndex: number) => {
    while (next < count && !failed) {
      const index = next++;
      const t = performance.now();
      try {
        await operation(index, laneIndex);
      } catch (error) {
        failed = true;
        throw error;
      }
      latencies[index] = performance.now() - t;
      progress?.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, (_, i) => lane(i)));
  const seconds = (performance.now() - started) / 1000;
  return { latencies, seconds, perSecond: count / seconds };
}

export interface LoopFailure {
  index: number;
  /** Seconds from the loop's start to the failure. */
  at: number;
  error: unknown;
}

/**
 * `count` operations started at a steady `rate` per second whatever the answers (open loop: a
 * slow answer does not slow the arrivals, as with real users). Resolves with each one's result
 * and how long all took: much longer than count/rate means the system did not keep up. The first
 * failure fails the loop, unless `keepGoing`: then every failure is counted (a soak is about what
 * the system does for its whole length, and one timed-out request must not end it).
 */
export function openLoop<T>(
  label: string,
  count: number,
  rate: number,
  operation: (index: number) => Promise<T>,
): Promise<{ results: T[]; seconds: number }>;
export function openLoop<T>(
  label: string,
  count: number,
  rate: number,
  operation: (index: number) => Promise<T>,
  options: { keepGoing: true },
): Promise<{ results: (T | undefined)[]; seconds: number; failures: LoopFailure[] }>;
export async function openLoop<T>(
  label: string,
  count: number,
  rate: number,
  operation: (index: number) => Promise<T>,
  { keepGoing = false } = {},
): Promise<{ results: (T | undefined)[]; seconds: number; failures: LoopFailure[] }> {
  const progress = new Progress(label, count);
  const started = performance.now();
  const failures: LoopFailure[] = [];
  const running: Promise<T | undefined>[] = [];
  for (let index = 0; index < count; index++) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const answer = operation(index).finally(() => progress.tick());
    // Handled now (Promise.all below still sees the failure): an early failure must not crash
    // the process while later operations are still being started.
    answer.catch(() => undefined);
    running.push(
      keepGoing
        ? answer.catch((error: unknown) => {
            failures.push({ index, at: (performance.now() - started) / 1000, error });
            return undefined;
          })
        : answer,
    );
  }
  const results = await Promise.all(running);
  return { results, seconds: (performance.now() - started) / 1000, failures };
}

/** A note when an open loop's answers fell behind its arrivals (the figures are then of a saturated system). */
export function keptUp(what: string, count: number, rate: number, seconds: number): string | undefined {
  const planned = count / rate;
  return seconds > planned * 1.25 + 2
    ? `${what}: ${count} at ${rate}/s took ${seconds.toFixed(0)} s, not ${planned.toFixed(0)} s: the system did not keep up, and these figures are of a saturated system.`
    : undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
