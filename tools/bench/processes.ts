import { cpuSeconds, treeCpuSeconds } from './proc';

/**
 * The processes whose CPU the benchmark reports, by role (worker, API, Temporal, Kafka, the
 * harness, PostgreSQL). A process that stops is read one last time first, so a phase's figures
 * still count what it used.
 */
export class ProcessRegistry {
  private readonly live = new Map<string, number>();
  private readonly retired = new Map<string, number>();
  /** Servers whose work is done by child processes (PostgreSQL's backends): counted with them. */
  private readonly trees = new Set<string>();

  add(name: string, pid: number | undefined, options: { withChildren?: boolean } = {}): void {
    if (pid === undefined) return;
    this.live.set(name, pid);
    if (options.withChildren) this.trees.add(name);
  }

  private cpu(name: string, pid: number): number {
    return (this.trees.has(name) ? treeCpuSeconds(pid) : cpuSeconds(pid)) ?? 0;
  }

  pid(name: string): number | undefined {
    return this.live.get(name);
  }

  /** Call just before stopping the process. */
  retire(name: string): void {
    const pid = this.live.get(name);
    if (pid === undefined) return;
    this.retired.set(name, (this.retired.get(name) ?? 0) + this.cpu(name, pid));
    this.live.delete(name);
  }

  /** CPU seconds used so far by each role, counting processes that have already stopped. */
  snapshot(): Record<string, number> {
    const totals: Record<string, number> = Object.fromEntries(this.retired);
    for (const [name, pid] of this.live) totals[name] = (totals[name] ?? 0) + this.cpu(name, pid);
    return totals;
  }
}

export type Side = 'homeward' | 'baseline';

/** CPU seconds per role, for the Homeward part and the baseline part of a phase apart. */
export class CpuMeter {
  readonly used: Record<Side, Record<string, number>> = { homeward: {}, baseline: {} };

  constructor(private readonly processes: ProcessRegistry) {}

  async around<T>(side: Side, work: () => Promise<T>): Promise<T> {
    const before = this.processes.snapshot();
    try {
      return await work();
    } finally {
      const after = this.processes.snapshot();
      for (const [name, seconds] of Object.entries(after)) {
        this.used[side][name] = (this.used[side][name] ?? 0) + seconds - (before[name] ?? 0);
      }
    }
  }
}
