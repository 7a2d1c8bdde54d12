import { describe, expect, it } from 'vitest';
import { admission, dayFromToday as day, jointAssessment } from './support/fixtures';
import { apiOf, probe, roleHarness, systemEnvironment, type ApiCall } from './support/roles';
import { eventually } from './support/system';
import { connectDevServer } from './support/temporal';

// Homeward's roles as the processes a deployment scales: two workers and two APIs on one task
// queue (and a projector) change nothing in what a pathway records, whichever API is asked.
const harness = roleHarness();
const types = (timeline: { event: { type: string } }[]) => timeline.map((entry) => entry.event.type);

/** A whole P1 stay, each command through the next API in turn. */
async function p1Lifecycle(apis: ApiCall[], first: number): Promise<string> {
  const body = admission({ site: 'ROLES-GEN' });
  const id = `pathway-${body.admissionId}`;
  const steps: [string, unknown, number][] = [
    ['/pathways', body, 201],
    [`/pathways/${id}/discharge-ready`, { date: day(-2) }, 200],
    [`/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P1', needs: ['reablement', 'equipment'] }, 200],
    [
      `/pathways/${id}/referral-response`,
      { referralId: 'ref-1', agency: 'intermediate-care', response: 'accepted' },
      200,
    ],
    [
      `/pathways/${id}/referral-response`,
      { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready', readyFrom: day(0) },
      200,
    ],
    [`/pathways/${id}/referral-response`, { referralId: 'ref-2', agency: 'equipment', response: 'ready' }, 200],
    [`/pathways/${id}/discharge`, { date: day(0), destination: 'usual-residence' }, 200],
  ];
  for (const [k, [path, payload, status]] of steps.entries()) {
    const response = await apis[(first + k) % apis.length]('POST', path, payload);
    expect({ path, status: response.status, body: response.status === status ? undefined : response.body }).toEqual({
      path,
      status,
      body: undefined,
    });
  }
  return id;
}

describe('roles as processes, side by side', () => {
  it('two workers and two APIs: every pathway’s timeline is complete and the same whichever API is asked, and both workers did the work', async () => {
    const { env, token } = await systemEnvironment(harness, 'roles');
    env.HOMEWARD_PROJECTOR_GROUP = `homeward-projector-${env.TEMPORAL_TASK_QUEUE}`;
    const [workerA, workerB, apiA, apiB, projector] = await harness.processes.start([
      { role: 'worker', env },
      { role: 'worker', env },
      { role: 'api', env },
      { role: 'api', env },
      { role: 'projector', env },
    ]);
    // Each answers its readiness probe, naming the dependencies it checked.
    for (const [role, dependencies] of [
      [workerA, ['temporal', 'kafka']],
      [apiA, ['temporal', 'postgresql']],
      [projector, ['postgresql', 'kafka']],
    ] as const) {
      const ready = await eventually(
        () => probe(role, '/health/ready'),
        (answer) => answer.status === 200,
      );
      expect(ready.body).toMatchObject({
        role: role.role,
        status: 'ready',
        dependencies: Object.fromEntries(dependencies.map((name) => [name, 'ok'])),
      });
      expect(await probe(role, '/health/live')).toEqual({ status: 200, body: { role: role.role, status: 'live' } });
    }

    const apis = [apiA, apiB].map((api) => apiOf(api, token));
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => p1Lifecycle(apis, i)));

    const expected = [
      'pathway.started',
      'discharge_ready.recorded',
      'assessment.completed',
      'referral.requested',
      'referral.requested',
      'referral.accepted',
      'referral.accepted',
      'referral.ready',
      'referral.ready',
      'pathway.ready_for_discharge',
      'discharge.recorded',
      'intermediate_care.started',
      'readmission_watch.started',
      // Rules 4: the welfare check on the day a P1 patient goes home, referred with the discharge.
      'referral.requested',
    ].sort();
    for (const id of ids) {
      // Published to Kafka as well, before the views are compared.
      const [fromA, fromB] = await Promise.all(
        apis.map((api) =>
          eventually(
            () => api('GET', `/pathways/${id}`),
            (r) => r.body.published === r.body.timeline?.length,
          ),
        ),
      );
      expect(fromA.status).toBe(200);
      expect(fromB.body).toEqual(fromA.body);
      expect(types(fromA.body.timeline).sort(), id).toEqual(expected);
      expect(fromA.body.timeline.map((entry: { sequence: number }) => entry.sequence)).toEqual(
        expected.map((_, i) => i + 1),
      );
      // The read model's permanent timeline: the same events, whichever API reads it.
      const [keptA, keptB] = await Promise.all(
        apis.map((api) =>
          eventually(
            () => api('GET', `/pathways/${id}/timeline`),
            (r) => r.body.timeline?.length === expected.length,
          ),
        ),
      );
      expect(keptB.body.timeline).toEqual(keptA.body.timeline);
      expect(types(keptA.body.timeline)).toEqual(types(fromA.body.timeline));
    }

    // Both workers ran pathways' workflow or publishing tasks: Temporal records who ran each.
    const temporal = await connectDevServer();
    harness.cleanup(temporal.close);
    const identities = new Set<string>();
    for (const id of ids) {
      const history = await temporal.client.workflow.getHandle(id).fetchHistory();
      for (const event of history.events ?? []) {
        const identity =
          event.workflowTaskCompletedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity;
        if (identity) identities.add(identity.split('@')[0]);
      }
    }
    expect([...identities].sort()).toEqual([String(workerA.pid), String(workerB.pid)].sort());

    // A SIGTERM stops each cleanly.
    const exits = await Promise.all([workerA, workerB, apiA, apiB, projector].map((role) => role.stop()));
    expect(exits).toEqual(Array(5).fill({ code: 0, signal: null }));
  }, 180_000);
});
