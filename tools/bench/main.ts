import { performance } from 'node:perf_hooks';
import { ensureComponents, neededComponents } from '../infra/install';
import { MissingToolError } from '../infra/process';
import { Cleanup } from './cleanup';
import { parseOptions, usage } from './options';
import { phases } from './phases';
import { scenarios } from './lifecycle-scenarios';
import { CpuMeter } from './processes';
import { Report } from './report';
import { BenchSystem } from './system';

/**
 * `npm run bench`: starts its own servers, runs the phases, prints a table per phase with each
 * Homeward figure beside its baseline from the same run, writes JSON, and stops everything it
 * started — at the end, on Ctrl-C and on failure.
 */
const say = (line: string) => process.stderr.write(`${line}\n`);
const began = performance.now();
const elapsed = () => {
  const seconds = Math.round((performance.now() - began) / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

async function main(): Promise<number> {
  const known = { phases: phases.map((p) => p.name), scenarios: Object.keys(scenarios) };
  const options = parseOptions(process.argv.slice(2), known);
  if (options === 'help') {
    console.log(usage.replace('PHASES', known.phases.join(', ')).replace('SCENARIOS', known.scenarios.join(', ')));
    return 0;
  }
  const cleanup = new Cleanup();
  let interrupted = false;
  // A last resort: whatever escapes, the servers and children are still stopped.
  for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
    process.on(event, (error: unknown) => {
      if (interrupted) return;
      interrupted = true;
      say(`\nBenchmark failed (${event}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void cleanup.run(say).finally(() => process.exit(1));
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      say(`\n${signal}: stopping everything the benchmark started…`);
      void cleanup.run(say).finally(() => process.exit(130));
    });
  }
  let report: Report | undefined;
  try {
    say(
      `Homeward benchmark: ${options.preset} run on the ${options.profile} profile, phases ${options.phases.join(', ')}`,
    );
    await ensureComponents(
      neededComponents({
        testServer: options.phases.includes('lifecycle'),
        temporalServer: options.profile === 'production',
      }),
    );
    const system = await BenchSystem.start(options, cleanup, say);
    report = new Report(options, system.servers);
    for (const phase of phases.filter((p) => options.phases.includes(p.name))) {
      say(`\n▶ [${elapsed()}] ${phase.title}`);
      const cpu = new CpuMeter(system.processes);
      const started = performance.now();
      const outcome = await phase.run({ system, sizes: options.sizes, cpu, say });
      console.log(
        `\n${phase.title}\n${Report.render(report.add(phase, outcome, cpu, (performance.now() - started) / 1000))}`,
      );
    }
    for (const [name, description] of Object.entries(system.servers)) say(`${name}: ${description}`);
    say(`\n[${elapsed()}] Results: ${report.write()}`);
    return 0;
  } catch (error) {
    // Ctrl-C also stops the servers at once, so work in flight may fail a moment before the
    // harness hears of the signal itself: give it that moment before calling this a failure.
    await new Promise((r) => setTimeout(r, 300));
    // Interrupted: the signal handler is stopping everything and will exit.
    if (interrupted) return new Promise<number>(() => {});
    say(
      `\nBenchmark failed: ${error instanceof MissingToolError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    // The phases that finished still count: written with the failure noted.
    if (report && report.phases.length > 0)
      say(`Results so far: ${report.write(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    if (!interrupted) await cleanup.run(say);
  }
}

main().then((code) => process.exit(code));
