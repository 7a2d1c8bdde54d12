import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { inboundTopics } from '../kafka/topics';
import { onFreePorts, portInUse } from '../tools/infra/process';
import { startTemporalDev, type RunningServer } from '../tools/infra/temporal';
import { exclusive } from './support/exclusive';
import { runDir } from './support/global-setup';
import { positionGroupAtEnd } from './support/kafka';
import { probe, roleHarness, systemEnvironment, type StartedRole } from './support/roles';
import { eventually } from './support/system';

// A worker's and a bridges' process on a Temporal dev server of this file's own, killed (SIGKILL,
// as a crash) and started again on the same port: each readiness probe turns false naming
// Temporal, and true again once it is back, without a restart of either process.
const harness = roleHarness();

/** How long a probe may take to notice: its checks answer within 2 s, and a dead port refuses at once. */
const noticeWithinMs = 10_000;

describe('readiness while Temporal is down', () => {
  it('the worker and the bridges answer 503 naming temporal within seconds of a kill, and 200 once it is back on the same port', async () => {
    const dir = runDir('homeward-temporal-readiness-');
    harness.cleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
    // On a file, so the restarted server keeps the namespace and the task queue's state.
    const options = { uiPort: 0, dbFile: path.join(dir, 'temporal.sqlite'), logFile: path.join(dir, 'temporal.log') };
    const first = await onFreePorts(1, async ([port]) => ({
      port,
      server: await startTemporalDev({ ...options, port }),
    }));
    let temporal: RunningServer = first.server;
    harness.cleanup(() => temporal.stop());

    const { env } = await systemEnvironment(harness, 'readiness', { TEMPORAL_ADDRESS: temporal.address });
    // The bridges would handle (and dead-letter, against this Temporal) whatever other files leave
    // on the inbound topics: their group starts at the topics' end, and they take their turn.
    const release = await exclusive('inbound-bridges');
    harness.cleanup(async () => release());
    await positionGroupAtEnd(inject('kafkaBrokers'), env.HOMEWARD_INBOUND_GROUP!, inboundTopics());
    const roles = await harness.processes.start([
      { role: 'worker', env },
      { role: 'bridges', env },
    ]);
    const readiness = (answer: Awaited<ReturnType<typeof probe>>) => ({
      status: answer.status,
      temporal: (answer.body.dependencies as Record<string, string> | undefined)?.temporal,
    });
    const allAnswer = async (expected: (answer: Awaited<ReturnType<typeof probe>>) => boolean, timeoutMs: number) =>
      Promise.all(
        roles.map((role: StartedRole) =>
          eventually(() => probe(role, '/health/ready'), expected, timeoutMs).catch((error: Error) => {
            throw new Error(`${role.role}: ${error.message}\n${role.output().slice(-2000)}`);
          }),
        ),
      );
    const ready = (answer: Awaited<ReturnType<typeof probe>>) => answer.status === 200;
    for (const answer of await allAnswer(ready, 30_000))
      expect(readiness(answer)).toEqual({ status: 200, temporal: 'ok' });

    process.kill(temporal.pid!, 'SIGKILL');
    const killed = performance.now();
    const down = await allAnswer((answer) => answer.status === 503, noticeWithinMs);
    const noticed = performance.now() - killed;
    for (const answer of down) {
      expect(answer.body.status).toBe('not ready');
      // Temporal is named, with why; nothing else it depends on is blamed.
      expect(readiness(answer).temporal).toEqual(expect.any(String));
      expect(readiness(answer).temporal).not.toBe('ok');
      expect(answer.body.dependencies).toMatchObject({ kafka: 'ok' });
    }
    // The processes stay up: only readiness changes (a liveness failure would have them restarted).
    for (const role of roles) expect((await probe(role, '/health/live')).status).toBe(200);

    await eventually(
      () => portInUse(first.port),
      (inUse) => !inUse,
      5_000,
    );
    const restarting = performance.now();
    temporal = await startTemporalDev({ ...options, port: first.port });
    const restarted = performance.now();
    for (const answer of await allAnswer(ready, 30_000))
      expect(readiness(answer)).toEqual({ status: 200, temporal: 'ok' });
    const back = performance.now() - restarted;
    console.log(
      `Temporal dev server SIGKILLed under a worker and the bridges: both not ready ${Math.round(noticed)} ms after the kill ` +
        `(${down.map((answer, i) => `${roles[i].role}: temporal "${readiness(answer).temporal}"`).join('; ')}); ` +
        `restarted in ${Math.round(restarted - restarting)} ms; both ready ${Math.round(back)} ms after it answered`,
    );
    expect(roles.map((role) => role.child.exitCode)).toEqual([null, null]);
  }, 90_000);
});
