import { describe, expect, it } from 'vitest';
import { admission, dayFromToday as day, jointAssessment } from './support/fixtures';
import { apiOf, roleHarness, systemEnvironment } from './support/roles';
import { eventually } from './support/system';
import { connectDevServer } from './support/temporal';

// One of two worker processes SIGKILLed mid-flight: the pathways it was running carry on in the
// other, commands answered and deadlines escalated, within the sticky queue's timeout.
const harness = roleHarness();

/**
 * How long a pathway's next task waits on the dead worker's sticky queue before any worker may
 * take it: the SDK's stickyQueueScheduleToStartTimeout, which worker/pathway-worker.ts keeps.
 */
const stickyTimeoutMs = 10_000;
/** Replaying a pathway in the other worker and answering, on two loaded cores (up to 1.1 s seen). */
const allowanceMs = 8_000;
/** Equipment must accept within 0.003 h (10.8 s): the deadline falls after the kill. */
const equipmentAcceptHours = 0.003;

describe('a worker SIGKILLed mid-flight', () => {
  it('its pathways carry on in the other worker: commands accepted and deadlines fired within the sticky timeout', async () => {
    const { env, token } = await systemEnvironment(harness, 'failover', {
      HOMEWARD_POLICY: JSON.stringify({ sla: { equipment: { acceptWithinHours: equipmentAcceptHours } } }),
    });
    const [first, second, api] = await harness.processes.start([
      { role: 'worker', env },
      { role: 'worker', env },
      { role: 'api', env },
    ]);
    const http = apiOf(api, token);
    const call = (path: string, body?: unknown) => http(body === undefined ? 'GET' : 'POST', path, body);

    // Pathways with an equipment referral whose acceptance deadline is seconds away.
    const ids = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const body = admission();
        const id = `pathway-${body.admissionId}`;
        expect((await call('/pathways', body)).status).toBe(201);
        expect(
          (
            await call(`/pathways/${id}/assessment`, {
              ...jointAssessment,
              pathway: 'P1',
              needs: ['equipment', 'reablement'],
            })
          ).status,
        ).toBe(200);
        return id;
      }),
    );
    // Which worker holds each pathway (sticky): the one that completed its last workflow task.
    const temporal = await connectDevServer();
    harness.cleanup(temporal.close);
    const tasksBy = async (id: string) =>
      ((await temporal.client.workflow.getHandle(id).fetchHistory()).events ?? []).flatMap((event) => {
        const identity = event.workflowTaskCompletedEventAttributes?.identity;
        return identity
          ? [
              {
                pid: Number(identity.split('@')[0]),
                at: Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6),
              },
            ]
          : [];
      });
    const holder = new Map(await Promise.all(ids.map(async (id) => [id, (await tasksBy(id)).at(-1)!.pid] as const)));
    const held = (worker: { pid: number }) => ids.filter((id) => holder.get(id) === worker.pid);
    const [victim, survivor] = held(first).length >= held(second).length ? [first, second] : [second, first];
    const orphans = held(victim);
    expect(orphans.length).toBeGreaterThan(0);
    const deadlines = new Map(
      await Promise.all(
        orphans.map(
          async (id) =>
            [
              id,
              Date.parse(
                (await call(`/pathways/${id}`)).body.state.referrals.find(
                  (r: { agency: string }) => r.agency === 'equipment',
                ).acceptBy,
              ),
            ] as const,
        ),
      ),
    );

    // Mid-flight but quiet: every event recorded so far is published, so no task of the victim's is in flight.
    for (const id of orphans)
      await eventually(
        () => call(`/pathways/${id}`),
        (r) => r.body.published === r.body.timeline?.length,
      );
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    expect(Math.min(...deadlines.values())).toBeGreaterThan(killedAt);
    // Half of the orphaned pathways get a command at once; the others are woken only by their deadline.
    const commanded = orphans.filter((_, i) => i % 2 === 0);
    const sleeping = orphans.filter((_, i) => i % 2 === 1);
    const answers = await Promise.all(
      commanded.map(async (id) => {
        const response = await call(`/pathways/${id}/expected-discharge-date`, { date: day(3) });
        return { id, status: response.status, afterKillMs: Date.now() - killedAt };
      }),
    );
    const escalated = await Promise.all(
      orphans.map(async (id) => {
        const view = await eventually(
          () => call(`/pathways/${id}`),
          (r) =>
            r.body.timeline?.some((entry: { event: { type: string } }) => entry.event.type === 'referral.escalated'),
          stickyTimeoutMs + allowanceMs + 15_000,
        );
        return {
          id,
          afterDeadlineMs: Date.now() - deadlines.get(id)!,
          escalations: view.body.timeline
            .filter((entry: { event: { type: string; agency?: string } }) => entry.event.type === 'referral.escalated')
            .map((entry: { event: { agency?: string } }) => entry.event.agency),
        };
      }),
    );
    // Every task after the kill ran in the surviving worker.
    const afterKill = (await Promise.all(orphans.map(tasksBy))).flat().filter((task) => task.at > killedAt);
    console.log(
      `worker failover: ${ids.length} pathways, ${orphans.length} on the killed worker (${commanded.length} commanded, ${sleeping.length} left to their deadline); ` +
        `commands answered ${answers.map((a) => `${a.status} after ${(a.afterKillMs / 1000).toFixed(1)} s`).join(', ')}; ` +
        `deadlines escalated ${escalated.map((e) => `${(e.afterDeadlineMs / 1000).toFixed(1)} s`).join(', ')} after they fell; ${afterKill.length} workflow tasks after the kill, all by the surviving worker`,
    );
    for (const answer of answers) {
      expect(answer.status, answer.id).toBe(200);
      expect(answer.afterKillMs, answer.id).toBeLessThan(stickyTimeoutMs + allowanceMs);
    }
    for (const escalation of escalated) {
      expect(escalation.escalations, escalation.id).toEqual(['equipment']);
      // Polled once a few hundred ms: the escalation may be seen a little after it happened.
      expect(escalation.afterDeadlineMs, escalation.id).toBeLessThan(stickyTimeoutMs + allowanceMs);
    }
    expect(afterKill.length).toBeGreaterThanOrEqual(orphans.length);
    expect(new Set(afterKill.map((task) => task.pid))).toEqual(new Set([survivor.pid]));
  }, 180_000);
});
