import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject } from 'vitest';
import { kafkaEnvironment } from './kafka';
import { temporalEnvironment } from './temporal';

export interface BenchReport {
  format: string;
  preset: string;
  profile: string;
  machine: { cpus: number };
  servers: Record<string, string>;
  phases: {
    name: string;
    rows: { figure: string; homeward: number; baseline: number }[];
    details: Record<string, { pathwaysInReadModel: number }>;
    cpuSeconds: Record<'homeward' | 'baseline', Record<string, number>>;
  }[];
}

/**
 * `npm run bench -- <args>` on the suite's Temporal and Kafka (starting its own would double the
 * time; their CPU is then not measured), with the run's secrets; the JSON it wrote, once it exits 0.
 */
export async function runBench(args: string[]): Promise<BenchReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-bench-test-'));
  try {
    const out = path.join(dir, 'bench.json');
    const secrets = path.join(dir, 'secrets.json');
    fs.writeFileSync(secrets, inject('devSecrets'), { mode: 0o600 });
    const root = path.join(__dirname, '..', '..');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'tools', 'bench', 'main.ts'), ...args, '--out', out, '--secrets', secrets],
        {
          cwd: root,
          // The TLS material of the production profile's servers with their addresses; nothing more under npm test.
          env: { ...process.env, ...temporalEnvironment(), ...kafkaEnvironment(), LOG_LEVEL: 'warn' },
          timeout: 270_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, _stdout, stderrText) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr: stderrText }),
      );
      child.stdin?.end();
    });
    expect(code, stderr.slice(-3000)).toBe(0);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as BenchReport;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every figure of every phase beside its baseline, both numbers, and the harness's CPU counted. */
export function expectFiguresBesideBaselines(report: BenchReport): void {
  for (const phase of report.phases) {
    expect(phase.rows.length, phase.name).toBeGreaterThan(0);
    for (const row of phase.rows) {
      expect(Number.isFinite(row.homeward), `${phase.name}: ${row.figure} (Homeward)`).toBe(true);
      expect(Number.isFinite(row.baseline), `${phase.name}: ${row.figure} (baseline)`).toBe(true);
    }
    expect(Object.keys(phase.cpuSeconds.homeward), phase.name).toContain('harness');
  }
}
