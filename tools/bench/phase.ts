import type { LoadResult } from './load';
import type { Sizes } from './options';
import type { CpuMeter } from './processes';
import { percentile, summarise } from './stats';
import type { BenchSystem } from './system';

/** One figure of a phase: Homeward's beside its baseline's, taken in the same run. */
export interface Row {
  figure: string;
  unit: string;
  homeward: number | null;
  baseline: number | null;
}

export interface PhaseOutcome {
  rows: Row[];
  /** What a reader needs to read the figures right (what was measured, what differs). */
  notes?: string[];
  /** Raw figures behind the rows (full latency summaries, samples), for the JSON only. */
  details?: Record<string, unknown>;
}

export interface PhaseContext {
  system: BenchSystem;
  sizes: Sizes;
  /** Run the Homeward part or the baseline part inside `cpu.around(side, …)` so CPU is split by side. */
  cpu: CpuMeter;
  say(line: string): void;
}

export interface Phase {
  name: string;
  title: string;
  /** What the baseline is, in a line. */
  baseline: string;
  run(context: PhaseContext): Promise<PhaseOutcome>;
}

/** A latency or rate row pair: the ratio is always Homeward ÷ baseline. */
export const row = (figure: string, unit: string, homeward: number | null, baseline: number | null): Row => ({
  figure,
  unit,
  homeward,
  baseline,
});

/** Throughput and latency percentiles of one concurrency level, Homeward beside baseline. */
export function loadRows(
  what: string,
  concurrency: number,
  homeward: LoadResult,
  baseline: LoadResult,
  percentiles: number[],
): Row[] {
  return [
    row(`${what}/s, concurrency ${concurrency}`, '/s', homeward.perSecond, baseline.perSecond),
    ...percentiles.map((p) =>
      row(
        `p${p}, concurrency ${concurrency}`,
        'ms',
        percentile(homeward.latencies, p),
        percentile(baseline.latencies, p),
      ),
    ),
  ];
}

/** Latency summaries for the JSON, keyed by side. */
export const loadDetails = (homeward: LoadResult, baseline: LoadResult) => ({
  homeward: { perSecond: homeward.perSecond, seconds: homeward.seconds, latencyMs: summarise(homeward.latencies) },
  baseline: { perSecond: baseline.perSecond, seconds: baseline.seconds, latencyMs: summarise(baseline.latencies) },
});
