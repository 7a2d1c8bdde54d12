import { describe, expect, it } from 'vitest';
import { parseOptions, productionPhases, type BenchOptions } from '../tools/bench/options';
import { phases } from '../tools/bench/phases';
import { scenarios } from '../tools/bench/lifecycle-scenarios';

// What `npm run bench -- --profile …` runs, before any server starts.
const known = { phases: phases.map((p) => p.name), scenarios: Object.keys(scenarios) };
const parse = (...argv: string[]) => parseOptions(argv, known) as BenchOptions;

describe('npm run bench -- --profile', () => {
  it('runs on the dev profile by default, every phase', () => {
    expect(parse('--quick')).toMatchObject({ profile: 'dev', preset: 'quick', phases: known.phases });
  });

  it("on the production profile runs by default the phases that reach its servers, in the registry's order", () => {
    const options = parse('--profile', 'production', '--tiny');
    expect(options).toMatchObject({ profile: 'production', preset: 'tiny' });
    expect(options.phases).toEqual(['starts', 'commands', 'event-lag', 'read-side', 'publish']);
    expect([...options.phases].sort()).toEqual([...productionPhases].sort());
    expect(parse('--profile', 'production', '--phases', 'memory,starts').phases).toEqual(['starts', 'memory']);
  });

  it('refuses what the production profile cannot run, naming why', () => {
    expect(() => parse('--profile', 'staging')).toThrow('--profile is dev or production, not "staging"');
    expect(() => parse('--profile', 'production', '--phases', 'starts,lifecycle')).toThrow(
      /lifecycle phase runs on Temporal's time-skipping test server/,
    );
    expect(() => parse('--profile', 'production', '--temporal-db', 'file')).toThrow(
      /production profile's Temporal runs on PostgreSQL/,
    );
  });
});
