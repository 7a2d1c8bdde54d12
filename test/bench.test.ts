import { describe, expect, it } from 'vitest';
import { phases } from '../tools/bench/phases';
import { expectFiguresBesideBaselines, runBench } from './support/bench';

// The benchmark's harness must not rot: a tiny run on the suite's servers writes every phase's
// figures. Never an assertion about speed: the figures of a tiny run on a shared machine mean nothing.
describe('npm run bench', () => {
  it('runs --tiny and writes valid JSON with every phase, each figure beside its baseline', async () => {
    const report = await runBench(['--tiny']);
    expect(report).toMatchObject({
      format: 'homeward-bench/1',
      preset: 'tiny',
      profile: 'dev',
      machine: { cpus: expect.any(Number) },
    });
    expect(report.phases.map((p) => p.name)).toEqual(phases.map((p) => p.name));
    expectFiguresBesideBaselines(report);
    // The read side at both tiny sizes: catch-up, each manager's query, and the lag.
    const readSide = report.phases.find((p) => p.name === 'read-side')!;
    const figures = readSide.rows.map((r) => r.figure);
    for (const size of [20, 40]) {
      expect(figures).toContain(`${size} pathways: catch-up, events/s`);
      for (const query of [
        "managers' list, first page",
        "managers' list, filtered",
        "managers' list, stuck",
        'delay report, JSON',
        'delay report, CSV',
        'SitRep, today',
      ]) {
        expect(figures).toContain(`${size}: ${query}, p95`);
      }
      expect(readSide.details[`${size} pathways`].pathwaysInReadModel).toBeGreaterThanOrEqual(size);
    }
    expect(figures).toContain('lag at 20/s: produced → visible, p95');
    expect(readSide.cpuSeconds.homeward.projector).toBeGreaterThan(0);
    expect(readSide.cpuSeconds.homeward.postgres).toBeGreaterThan(0);
    // The soak counts its failures rather than stopping at the first; a tiny one has none.
    const memory = report.phases.find((p) => p.name === 'memory')!;
    const failed = memory.rows.find((r) => r.figure === 'commands failed under steady load')!;
    expect([failed.homeward, failed.baseline]).toEqual([0, 0]);
    expect(memory.rows.map((r) => r.figure)).toContain('command p95 under steady load');
  }, 300_000);
});
