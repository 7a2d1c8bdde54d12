import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { phases } from '../scripts/bench/phases';

// The benchmark's harness must not rot: a tiny run on the suite's servers writes every phase's
// figures. Never an assertion about speed: the figures of a tiny run on a shared machine mean nothing.
describe('npm run bench', () => {
  it('runs --tiny and writes valid JSON with every phase, each figure beside its baseline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-bench-test-'));
    const out = path.join(dir, 'bench.json');
    const secrets = path.join(dir, 'secrets.json');
    fs.writeFileSync(secrets, inject('devSecrets'), { mode: 0o600 });
    const root = path.join(__dirname, '..');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'scripts', 'bench', 'main.ts'), '--tiny', '--out', out, '--secrets', secrets],
        {
          cwd: root,
          // The suite's servers: starting its own would double the time; their CPU is then not measured.
          env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), KAFKA_BROKERS: inject('kafkaBrokers'), LOG_LEVEL: 'warn' },
          timeout: 270_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, _stdout, stderrText) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr: stderrText }),
      );
      child.stdin?.end();
    });
    try {
      expect(code, stderr.slice(-3000)).toBe(0);
      const report = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(report).toMatchObject({ format: 'homeward-bench/1', preset: 'tiny', machine: { cpus: expect.any(Number) } });
      expect(report.phases.map((p: { name: string }) => p.name)).toEqual(phases.map((p) => p.name));
      for (const phase of report.phases) {
        expect(phase.rows.length, phase.name).toBeGreaterThan(0);
        for (const row of phase.rows) {
          expect(Number.isFinite(row.homeward), `${phase.name}: ${row.figure} (Homeward)`).toBe(true);
          expect(Number.isFinite(row.baseline), `${phase.name}: ${row.figure} (baseline)`).toBe(true);
        }
        expect(Object.keys(phase.cpuSeconds.homeward), phase.name).toContain('harness');
      }
      // The read side at both tiny sizes: catch-up, each manager's query, and the lag.
      const readSide = report.phases.find((p: { name: string }) => p.name === 'read-side');
      const figures = readSide.rows.map((r: { figure: string }) => r.figure);
      for (const size of [20, 40]) {
        expect(figures).toContain(`${size} pathways: catch-up, events/s`);
        for (const query of ["managers' list, first page", "managers' list, filtered", "managers' list, stuck", 'delay report, JSON', 'delay report, CSV', 'SitRep, today']) {
          expect(figures).toContain(`${size}: ${query}, p95`);
        }
        expect(readSide.details[`${size} pathways`].pathwaysInReadModel).toBeGreaterThanOrEqual(size);
      }
      expect(figures).toContain('lag at 20/s: produced → visible, p95');
      expect(readSide.cpuSeconds.homeward.projector).toBeGreaterThan(0);
      expect(readSide.cpuSeconds.homeward.postgres).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
