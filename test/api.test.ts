import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { resolvePolicy } from '../domain';
import { commandUpdate, type PathwayInput } from '../workflows/definitions';
import { admission, jointAssessment } from './support/fixtures';
import { eventually, startSystem } from './support/system';
import { proofFor } from './support/temporal';

// The HTTP API on the real Temporal dev server: Updates with validators, visibility, reports.
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.stop();
});

/** Whole days from one ISO date to another. */
const daysFrom = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

describe('HTTP API', () => {
  it('starts a pathway idempotently per admission id', async () => {
    const body = admission();
    const first = await system.call('POST', '/pathways', body);
    expect(first).toMatchObject({ status: 201, body: { pathwayId: `pathway-${body.admissionId}`, created: true } });
    const again = await system.call('POST', '/pathways', body);
    expect(again).toMatchObject({ status: 200, body: { created: false } });
    const view = await system.call('GET', `/pathways/pathway-${body.admissionId}`);
    expect(view.status).toBe(200);
    expect(view.body.stage).toBe('admitted');
    expect(view.body.timeline).toHaveLength(1);
  });

  it('422 names the invalid field and never echoes personal data', async () => {
    const body = admission();
    body.patient.nhsNumber = '9434765871';
    const response = await system.call('POST', '/pathways', body);
    expect(response.status).toBe(422);
    expect(response.body.issues).toEqual([{ path: 'patient.nhsNumber', message: expect.stringMatching(/NHS number/) }]);
    expect(JSON.stringify(response.body)).not.toContain('9434765871');
    expect(JSON.stringify(response.body)).not.toContain(body.patient.name);
  });

  it('400 for malformed JSON, 404 for an unknown pathway or command', async () => {
    expect((await system.call('POST', '/pathways', undefined, '{"admissionId":')).status).toBe(400);
    expect(await system.call('GET', '/pathways/pathway-does-not-exist')).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    const body = admission();
    await system.call('POST', '/pathways', body);
    expect((await system.call('POST', `/pathways/pathway-${body.admissionId}/teleport`, {})).status).toBe(404);
    expect(
      (await system.call('POST', '/pathways/pathway-does-not-exist/discharge-ready', { date: '2026-01-01' })).status,
    ).toBe(404);
  });

  it('409 with the reason when the stage does not allow a command; the rejected Update leaves no event', async () => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    await system.call('POST', '/pathways', body);
    const response = await system.call('POST', `/pathways/${id}/discharge`, {
      date: new Date().toISOString().slice(0, 10),
      destination: 'usual-residence',
    });
    expect(response).toMatchObject({
      status: 409,
      body: { error: 'not_allowed_in_stage', message: expect.stringMatching(/no joint assessment/) },
    });
    const wrongAgency = await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['equipment'],
    });
    expect(wrongAgency.status).toBe(200);
    const foreign = await system.call('POST', `/pathways/${id}/referral-response`, {
      referralId: 'ref-1',
      agency: 'housing',
      response: 'accepted',
    });
    expect(foreign).toMatchObject({ status: 409, body: { error: 'wrong_agency' } });
    const view = await system.call('GET', `/pathways/${id}`);
    expect(view.body.timeline.map((e: { event: { type: string } }) => e.event.type)).toEqual([
      'pathway.started',
      'assessment.completed',
      'referral.requested',
    ]);
  });

  it('422 for an invalid command body, naming the field', async () => {
    const body = admission();
    await system.call('POST', '/pathways', body);
    const response = await system.call('POST', `/pathways/pathway-${body.admissionId}/discharge-ready`, {
      date: '2026-02-30',
    });
    expect(response).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'date', message: 'not a real calendar date' }] },
    });
  });

  it('keeps search attributes current, free of personal data, and lists stuck pathways for managers', async () => {
    const body = admission({ site: `SITE-${Date.now()}` });
    const id = `pathway-${body.admissionId}`;
    await system.call('POST', '/pathways', body);
    const drd = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await system.call('POST', `/pathways/${id}/discharge-ready`, { date: drd });
    await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['reablement', 'equipment'],
    });
    await system.call('POST', `/pathways/${id}/delay-reason`, { code: 'awaiting_transport', agency: 'acute-trust' });

    const description = await eventually(
      () => system.client.workflow.getHandle(id).describe(),
      (d) => {
        const names = d.typedSearchAttributes.getAll().map((pair) => pair.key.name);
        const reasons = d.typedSearchAttributes.getAll().find((pair) => pair.key.name === 'HomewardDelayReasons')
          ?.value as string[] | undefined;
        return names.includes('HomewardDischargeReadyDate') && (reasons ?? []).includes('awaiting_transport');
      },
    );
    const attributes = Object.fromEntries(
      description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]),
    );
    expect(attributes).toMatchObject({
      HomewardStage: 'arranging',
      HomewardPathway: 'P1',
      HomewardSite: body.site,
      HomewardLocalAuthority: 'Leeds',
      HomewardAwaitingAgencies: ['equipment', 'intermediate-care'],
      HomewardDelayReasons: ['awaiting_equipment_adaptations', 'awaiting_p1_resource', 'awaiting_transport'],
    });
    expect((attributes.HomewardDischargeReadyDate as Date).toISOString().slice(0, 10)).toBe(drd);
    const serialised = JSON.stringify(attributes);
    for (const personal of [
      body.patient.nhsNumber,
      body.patient.name,
      body.patient.address.postcode,
      body.patient.dateOfBirth,
    ]) {
      expect(serialised).not.toContain(personal);
    }

    const listed = await eventually(
      () =>
        system.call('GET', `/pathways?site=${body.site}&delayedForDays=3&agency=equipment&reason=awaiting_transport`),
      (r) => r.body.pathways?.length === 1,
    );
    // Days delayed count to the server's today, which is not the test's if midnight passed since the DRD was chosen:
    // the day the server answered on (its Date header) is the one clock both sides read.
    const days = daysFrom(drd, new Date(listed.headers.get('date')!).toISOString().slice(0, 10));
    expect(listed.body.pathways[0]).toMatchObject({
      pathwayId: id,
      stage: 'arranging',
      daysDelayed: days,
      delayBand: days === 3 ? '2-3' : '4-6',
    });
    const notYet = await system.call('GET', `/pathways?site=${body.site}&delayedForDays=${days + 1}`);
    expect(notYet.body.pathways).toHaveLength(0);
    expect((await system.call('GET', '/pathways?stage=nowhere')).status).toBe(422);

    const report = await system.call('GET', `/reports/delays?site=${body.site}`);
    const lost = daysFrom(drd, report.body.asOf);
    expect(report.body.totals).toEqual({ pathways: 1, delayed: 1, bedDaysLost: lost });
    expect(report.body.byReason.awaiting_transport).toEqual({ pathways: 1, delayed: 1, bedDaysLost: lost });
    expect(report.body.byAgency.equipment).toEqual({ pathways: 1, delayed: 1, bedDaysLost: lost });
    expect(report.body.byBand[lost === 3 ? '2-3' : '4-6']).toEqual({ pathways: 1, delayed: 1, bedDaysLost: lost });
  });

  it('serves an OpenAPI document built from the same schemas', async () => {
    const { status, body } = await system.call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/pathways', '/pathways/{id}', '/pathways/{id}/discharge-ready', '/reports/delays']),
    );
    expect(body.paths['/pathways/{id}/discharge'].post.requestBody.content['application/json'].schema.required).toEqual(
      ['date', 'destination'],
    );
  });

  it('an Update delivered together with the start finds the pathway already started', async () => {
    const body = admission();
    const input: PathwayInput = {
      start: { ...body, type: 'start', at: new Date().toISOString() },
      policy: resolvePolicy('england'),
      patientKey: 'race',
    };
    const startWorkflowOperation = new WithStartWorkflowOperation('dischargePathway', {
      taskQueue: system.config.temporal.taskQueue,
      workflowId: `pathway-${body.admissionId}`,
      args: [input, proofFor('start', `pathway-${body.admissionId}`)],
      workflowIdConflictPolicy: 'FAIL',
    });
    // Both arrive in the workflow's very first task.
    const outcome = await system.client.workflow.executeUpdateWithStart(commandUpdate('discharge-ready'), {
      args: [
        { date: new Date().toISOString().slice(0, 10) },
        undefined,
        proofFor('discharge-ready', `pathway-${body.admissionId}`),
      ],
      startWorkflowOperation,
    });
    expect(outcome).toEqual({ stage: 'assessment', events: [{ sequence: 2, type: 'discharge_ready.recorded' }] });
  });

  it("a readmission starts the new stay's pathway, linked to the old one, with the same patient", async () => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    const today = new Date().toISOString().slice(0, 10);
    await system.call('POST', '/pathways', body);
    await system.call('POST', `/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P0', needs: [] });
    await system.call('POST', `/pathways/${id}/discharge`, { date: today, destination: 'usual-residence' });
    const newAdmissionId = `${body.admissionId}R`;
    const readmitted = await system.call('POST', `/pathways/${id}/readmission`, { newAdmissionId, admittedOn: today });
    expect(readmitted).toMatchObject({
      status: 200,
      body: { stage: 'readmitted', linkedPathwayId: `pathway-${newAdmissionId}` },
    });
    const linked = await system.call('GET', `/pathways/pathway-${newAdmissionId}`);
    expect(linked.body.stage).toBe('admitted');
    expect(linked.body.state).toMatchObject({
      previousPathwayId: id,
      site: body.site,
      patient: { nhsNumber: body.patient.nhsNumber },
    });
  });
});
