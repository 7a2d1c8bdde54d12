import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDataConverter } from '../../../codec/data-converter';
import { patientKey } from '../../../config/patient-key';
import { resolvePolicy } from '../../../domain';
import type { Actor } from '../../../schemas/actor';
import { admission } from '../../fixtures';
import { commandUpdate, pathwayViewQuery, pathwayWorkflowId, type PathwayInput } from '../../../workflows/definitions';
import { ensureTestServer } from '../../infra/install';
import { registerSearchAttributes } from '../../infra/temporal';
import { scenarios, type ScenarioDriver } from '../lifecycle-scenarios';
import { row, type Phase, type Row } from '../phase';
import { findDescendant } from '../proc';
import { median } from '../stats';
import { commandProofRequest } from '../../../codec/command-proof.cjs';

const actor: Actor = { subject: 'bench', role: 'discharge-team' };

/** Scenarios on the time-skipping server: the pathway started as the API would, commands as Updates. */
function driver(env: TestWorkflowEnvironment, taskQueue: string, patientKeySecret: string): ScenarioDriver {
  const today = async (offsetDays = 0) =>
    new Date((await env.currentTimeMs()) + offsetDays * 86_400_000).toISOString().slice(0, 10);
  return {
    today,
    sleep: (duration) => env.sleep(duration as `${number} days`),
    async start() {
      // The server's clock, not the wall clock: earlier scenarios have moved it weeks ahead.
      const now = await env.currentTimeMs();
      const payload = admission({ admittedAt: new Date(now - 3 * 86_400_000).toISOString() });
      const input: PathwayInput = {
        start: { ...payload, type: 'start', at: new Date(now).toISOString() },
        policy: resolvePolicy('england'),
        patientKey: patientKey(payload.patient.nhsNumber, patientKeySecret),
        actor,
      };
      const workflowId = pathwayWorkflowId(payload.admissionId);
      // Signed as the application signs them, at the server's time (the workflow checks the proof's time against its own).
      const proof = async (name: string) =>
        commandProofRequest(name, workflowId, new Date(await env.currentTimeMs()).toISOString());
      const handle = await env.client.workflow.start('dischargePathway', {
        taskQueue,
        workflowId,
        args: [input, await proof('start')],
      });
      return {
        command: async (name, body = {}) =>
          handle.executeUpdate(commandUpdate(name), { args: [body, actor, await proof(name)] }),
        view: () => handle.query(pathwayViewQuery),
        result: () => handle.result(),
      };
    },
  };
}

export const lifecyclePhase: Phase = {
  name: 'lifecycle',
  title: 'Time-skipped lifecycle: each lifecycle scenario on the Java time-skipping test server',
  baseline: 'a bare workflow asleep on a 30-day timer on the same time-skipping server (median of runs)',
  async run({ system, sizes, cpu }) {
    const run = randomUUID().slice(0, 6);
    // The server's own output (JVM and SLF4J notices) into the run's log dir, not the tables:
    // `exec` keeps java the process the SDK stops.
    const wrapper = path.join(system.workDir, 'time-skipping-server.sh');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nexec "${await ensureTestServer()}" "$@" >>"${path.join(system.workDir, 'time-skipping-server.log')}" 2>&1\n`,
      { mode: 0o755 },
    );
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: wrapper } },
      client: { dataConverter: createDataConverter(system.config) },
    });
    const release = system.cleanup.push('time-skipping server', () => env.teardown());
    system.processes.add('time-skipping server', findDescendant(process.pid, /io\.temporal\.testserver\.TestServer/));
    const queues = { pathways: `bench-lifecycle-${run}`, bare: `bench-lifecycle-bare-${run}` };
    try {
      await registerSearchAttributes(env.connection, env.namespace ?? 'default');
      const worker = await system.startChild('lifecycle worker', 'worker.ts', {
        BENCH_WORKERS: 'pathway,bare',
        TEMPORAL_ADDRESS: env.address,
        // The local time-skipping server speaks plaintext, whatever TLS the run's environment sets for its Temporal.
        TEMPORAL_TLS: 'false',
        TEMPORAL_TASK_QUEUE: queues.pathways,
        BENCH_BARE_TASK_QUEUE: queues.bare,
      });
      try {
        const d = driver(env, queues.pathways, system.config.patientKeySecret);
        const chosen = sizes.scenarios.length > 0 ? sizes.scenarios : Object.keys(scenarios);
        const seconds: Record<string, number> = {};
        // Untimed: the first workflow of each kind pays for the worker's first polls and compiled code.
        await scenarios.cancel.run(d);
        await env.client.workflow.execute('bareWorkflow', {
          taskQueue: queues.bare,
          workflowId: `bare-timer-${run}-warm-up`,
        });
        await cpu.around('homeward', async () => {
          for (const name of chosen) {
            const started = performance.now();
            const stage = await scenarios[name].run(d);
            seconds[name] = (performance.now() - started) / 1000;
            if (stage !== scenarios[name].ends)
              throw new Error(`lifecycle scenario ${name} ended in ${stage}, not ${scenarios[name].ends}`);
          }
        });
        const bare: number[] = [];
        await cpu.around('baseline', async () => {
          for (let i = 0; i < sizes.bareTimerRuns; i++) {
            const started = performance.now();
            await env.client.workflow.execute('bareWorkflow', {
              taskQueue: queues.bare,
              workflowId: `bare-timer-${run}-${i}`,
            });
            bare.push((performance.now() - started) / 1000);
          }
        });
        const rows: Row[] = chosen.map((name) => row(name, 's', seconds[name], median(bare)));
        return {
          rows,
          details: { scenarioSeconds: seconds, bareTimerSeconds: bare },
          notes: [
            'Scenarios as in test/workflows/pathway-lifecycle.test.ts (tools/bench/lifecycle-scenarios.ts); wall-clock seconds for weeks of pathway time, the worker publishing to Kafka.',
          ],
        };
      } finally {
        await worker.release();
      }
    } finally {
      system.processes.retire('time-skipping server');
      await release();
    }
  },
};
