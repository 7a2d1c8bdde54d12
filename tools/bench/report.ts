import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions } from './options';
import type { Phase, PhaseOutcome } from './phase';
import type { CpuMeter } from './processes';
import { formatNumber, renderTable } from './table';

export interface PhaseReport extends PhaseOutcome {
  name: string;
  title: string;
  baselineDescription: string;
  seconds: number;
  rows: (PhaseOutcome['rows'][number] & { ratio: number | null })[];
  cpuSeconds: CpuMeter['used'];
}

/** Homeward ÷ baseline, when both exist. */
const ratioOf = (homeward: number | null, baseline: number | null) =>
  homeward !== null && baseline !== null && Number.isFinite(homeward) && Number.isFinite(baseline) && baseline !== 0
    ? homeward / baseline
    : null;

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The machine, the code and the servers the figures were taken on: a figure means nothing without them. */
function environment() {
  return {
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: (git(['status', '--porcelain']) ?? '') !== '',
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
  };
}

export class Report {
  private readonly startedAt = new Date();
  private readonly environment = environment();
  readonly phases: PhaseReport[] = [];

  constructor(
    private readonly options: BenchOptions,
    private readonly servers: Record<string, string>,
  ) {}

  add(phase: Phase, outcome: PhaseOutcome, cpu: CpuMeter, seconds: number): PhaseReport {
    const report: PhaseReport = {
      ...outcome,
      name: phase.name,
      title: phase.title,
      baselineDescription: phase.baseline,
      seconds,
      rows: outcome.rows.map((r) => ({ ...r, ratio: ratioOf(r.homeward, r.baseline) })),
      cpuSeconds: cpu.used,
    };
    this.phases.push(report);
    return report;
  }

  /** The phase's table, its CPU per process, and its notes. */
  static render(report: PhaseReport): string {
    const figures = renderTable(
      ['figure', 'unit', 'Homeward', 'baseline', 'ratio H/B'],
      report.rows.map((r) => [
        r.figure,
        r.unit,
        formatNumber(r.homeward),
        formatNumber(r.baseline),
        r.ratio === null ? '–' : `×${formatNumber(r.ratio)}`,
      ]),
    );
    // Roles that used no CPU in this phase (a stopped child, an idle API) would only add lines.
    const names = [
      ...new Set([...Object.keys(report.cpuSeconds.homeward), ...Object.keys(report.cpuSeconds.baseline)]),
    ].filter((n) => (report.cpuSeconds.homeward[n] ?? 0) + (report.cpuSeconds.baseline[n] ?? 0) >= 0.005);
    const cpu = renderTable(
      ['CPU seconds', 'Homeward part', 'baseline part'],
      names.map((n) => [
        n,
        formatNumber(report.cpuSeconds.homeward[n] ?? 0),
        formatNumber(report.cpuSeconds.baseline[n] ?? 0),
      ]),
    );
    const notes = [`baseline: ${report.baselineDescription}`, ...(report.notes ?? [])]
      .map((n) => `  · ${n}`)
      .join('\n');
    return `${figures}\n\n${cpu}\n${notes}\n  (${formatNumber(report.seconds)} s)`;
  }

  /** Writes the JSON (default bench-results/<time>-[production-]<preset>.json) and returns its path; `failure` if a phase failed. */
  write(failure?: string): string {
    const profile = this.options.profile === 'production' ? 'production-' : '';
    const file =
      this.options.out ??
      path.join(
        __dirname,
        '..',
        '..',
        'bench-results',
        `${this.startedAt.toISOString().replace(/[:.]/g, '-')}-${profile}${this.options.preset}.json`,
      );
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const finishedAt = new Date();
    const json = {
      format: 'homeward-bench/1',
      preset: this.options.preset,
      profile: this.options.profile,
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: (finishedAt.getTime() - this.startedAt.getTime()) / 1000,
      ...this.environment,
      machine: { ...this.environment.machine, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      servers: this.servers,
      sizes: this.options.sizes,
      phases: this.phases,
      ...(failure ? { failure } : {}),
    };
    fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    return file;
  }
}
