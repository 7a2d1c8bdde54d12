import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versions } from '../../tools/infra/paths';
import { admission, dayFromToday as day, jointAssessment } from '../support/fixtures';
import { eventually, startSystem } from '../support/system';

// A whole P1 pathway through the real API and worker, on the Temporal server over mTLS with
// PostgreSQL persistence and visibility; read back from the API, Temporal's visibility and the read model.
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.stop();
});

describe('production profile: a P1 lifecycle', () => {
  it('runs on the Temporal server with PostgreSQL, reached over mTLS', async () => {
    // Homeward's own connection settings carry the client certificate: nothing else gets in (tls.test.ts).
    expect(system.config.temporal.tls).toMatchObject({
      clientCertPair: { crt: expect.any(Uint8Array), key: expect.any(Uint8Array) },
      serverNameOverride: 'localhost',
    });
    const info = await system.client.connection.workflowService.getClusterInfo({});
    expect({
      version: info.serverVersion,
      persistence: info.persistenceStore,
      visibility: info.visibilityStore,
    }).toEqual({
      version: versions.temporalServer,
      persistence: 'postgres12',
      visibility: 'postgres12',
    });
  });

  it('admits, records the discharge ready date, assesses, hears both agencies, discharges; the API, visibility and the read model agree', async () => {
    const body = admission({ site: `PROD-${Date.now()}` });
    const id = `pathway-${body.admissionId}`;
    const steps: [string, string, unknown, number][] = [
      ['POST', '/pathways', body, 201],
      ['POST', `/pathways/${id}/discharge-ready`, { date: day(-2) }, 200],
      [
        'POST',
        `/pathways/${id}/assessment`,
        { ...jointAssessment, pathway: 'P1', needs: ['reablement', 'equipment'] },
        200,
      ],
      [
        'POST',
        `/pathways/${id}/referral-response`,
        { referralId: 'ref-1', agency: 'intermediate-care', response: 'accepted' },
        200,
      ],
      [
        'POST',
        `/pathways/${id}/referral-response`,
        { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready', readyFrom: day(0) },
        200,
      ],
      [
        'POST',
        `/pathways/${id}/referral-response`,
        { referralId: 'ref-2', agency: 'equipment', response: 'ready' },
        200,
      ],
      ['POST', `/pathways/${id}/discharge`, { date: day(0), destination: 'usual-residence' }, 200],
    ];
    for (const [method, path, payload, status] of steps) {
      const response = await system.call(method, path, payload);
      expect({ path, status: response.status, body: response.status === status ? undefined : response.body }).toEqual({
        path,
        status,
        body: undefined,
      });
    }

    const view = await system.call('GET', `/pathways/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.stage).toBe('intermediate_care');
    const types = view.body.timeline.map((entry: { event: { type: string } }) => entry.event.type);
    expect(new Set(types)).toEqual(
      new Set([
        'pathway.started',
        'discharge_ready.recorded',
        'assessment.completed',
        'referral.requested',
        'referral.accepted',
        'referral.ready',
        'pathway.ready_for_discharge',
        'discharge.recorded',
        'intermediate_care.started',
        'readmission_watch.started',
      ]),
    );
    expect(types[0]).toBe('pathway.started');
    // The plan's two, and (rules 4) the welfare check on the day a P1 patient goes home.
    expect(types.filter((type: string) => type === 'referral.requested')).toHaveLength(3);

    // Temporal's visibility on PostgreSQL answers a query on Homeward's search attributes.
    const listed = await eventually(
      async () => {
        const found: string[] = [];
        for await (const execution of system.client.workflow.list({
          query: `HomewardSite = "${body.site}" AND HomewardStage = "intermediate_care" AND HomewardPathway = "P1"`,
        }))
          found.push(execution.workflowId);
        return found;
      },
      (found) => found.length === 1,
    );
    expect(listed).toEqual([id]);

    // The read model: the permanent timeline through the API, and the rows the projector wrote.
    const timeline = await eventually(
      () => system.call('GET', `/pathways/${id}/timeline`),
      (r) => r.body.timeline?.length === view.body.timeline.length,
    );
    expect(timeline.body.timeline.map((entry: { event: { type: string } }) => entry.event.type)).toEqual(types);
    const managers = await eventually(
      () => system.call('GET', `/pathways?site=${body.site}&status=all`),
      (r) => r.body.pathways?.[0]?.stage === 'intermediate_care',
    );
    expect(managers.body.pathways).toHaveLength(1);
    expect(managers.body.pathways[0]).toMatchObject({ pathwayId: id, stage: 'intermediate_care', pathway: 'P1' });
    const db = new pg.Client({ connectionString: system.config.database.url });
    await db.connect();
    try {
      const row = await db.query(
        'SELECT stage, status, (SELECT count(*)::int FROM pathway_events e WHERE e.pathway_id = p.pathway_id) AS events FROM pathways p WHERE pathway_id = $1',
        [id],
      );
      expect(row.rows).toEqual([{ stage: 'intermediate_care', status: 'open', events: types.length }]);
    } finally {
      await db.end();
    }
  });
});
