import { describe, expect, it } from 'vitest';
import { expectFiguresBesideBaselines, runBench } from '../support/bench';

// `npm run bench -- --profile production` must not rot either: a tiny run of the phases that reach
// Temporal and Kafka, on the profile's servers, so the harness's own clients, the bare worker and
// the raw kafkajs baselines connect over mTLS and SASL_SSL as Homeward's do. The read side adds
// no connection of its own (30 s more); `npm run bench -- --profile production --tiny` runs it all,
// starting the profile's servers itself.
describe('npm run bench -- --profile production', () => {
  it('runs the Temporal and Kafka phases --tiny on the production profile, each figure beside its baseline', async () => {
    const phases = ['starts', 'commands', 'event-lag', 'publish'];
    const report = await runBench(['--tiny', '--profile', 'production', '--phases', phases.join(',')]);
    expect(report).toMatchObject({ format: 'homeward-bench/1', preset: 'tiny', profile: 'production' });
    expect(report.phases.map((p) => p.name)).toEqual(phases);
    expectFiguresBesideBaselines(report);
    // Homeward's side ran in its own processes (the API and the worker), not in the harness.
    for (const phase of report.phases.filter((p) => p.name !== 'publish'))
      expect(phase.cpuSeconds.homeward.worker, phase.name).toBeGreaterThan(0);
  }, 300_000);
});
