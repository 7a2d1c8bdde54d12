import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission, dayFromToday, jointAssessment } from './support/fixtures';
import { eventually, startSystem } from './support/system';

// Issue 23 end to end: the HTTP API on the real Temporal dev server, Kafka and PostgreSQL, for a
// pathway started now (rules 4).
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.stop();
});

type Recorded = { event: { type: string } & Record<string, unknown> };
const types = (view: { body: Record<string, unknown> }) => (view.body.timeline as Recorded[]).map((e) => e.event.type);

/** A pathway started over HTTP, its DRD yesterday: returns its id and a command helper. */
async function started(overrides: Parameters<typeof admission>[0] = {}) {
  const body = admission(overrides);
  const id = `pathway-${body.admissionId}`;
  expect((await system.call('POST', '/pathways', body)).status).toBe(201);
  const command = (name: string, payload: unknown) => system.call('POST', `/pathways/${id}/${name}`, payload);
  expect((await command('discharge-ready', { date: dayFromToday(-1) })).status).toBe(200);
  return { id, body, command };
}

describe('row 1: a self-discharge is a discharge', () => {
  it('runs the 30-day watch, tells the agency still arranging support that it is needed now, and puts nothing on hold', async () => {
    const { id, command } = await started();
    expect((await command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] })).status).toBe(
      200,
    );
    const cancel = await command('cancel', { reason: 'self_discharged' });
    expect(cancel).toMatchObject({ status: 409, body: { message: expect.stringMatching(/selfDischarge: true/) } });

    const left = await command('discharge', {
      date: dayFromToday(0),
      destination: 'usual-residence',
      selfDischarge: true,
    });
    expect(left).toMatchObject({ status: 200, body: { stage: 'readmission_watch' } });
    const view = await system.call('GET', `/pathways/${id}`);
    expect(types(view)).toContain('readmission_watch.started');
    expect(types(view)).not.toContain('referral.on_hold');
    expect(view.body.state.discharge).toMatchObject({ date: dayFromToday(0), selfDischarge: true });
    expect(view.body.awaitingAgencies).toContain('intermediate-care');

    // The provider sees the urgency on its own view (the events its Kafka topic carries) and can still answer.
    const provider = await system.token('agency:intermediate-care');
    const seen = await system.callWith(provider, 'GET', `/pathways/${id}`);
    const urgent = (seen.body.events as { type: string; data: Record<string, unknown> }[]).find(
      (e) => e.type === 'uk.nhs.discharge.referral.urgent.v1',
    );
    expect(urgent?.data).toEqual({
      referralId: 'ref-1',
      agency: 'intermediate-care',
      reason: 'self_discharged',
      neededFrom: dayFromToday(0),
    });
    const ready = await system.callWith(provider, 'POST', `/pathways/${id}/referral-response`, {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'ready',
    });
    expect(ready).toMatchObject({ status: 200, body: { stage: 'intermediate_care' } });
  });
});

describe('row 2: no gap in support without a decision', () => {
  it('refuses a discharge before reablement starts, naming it and the gap; with a bridge it goes ahead, and a welfare check goes to community health that day', async () => {
    const { id, command } = await started();
    expect((await command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] })).status).toBe(
      200,
    );
    const provider = await system.token('agency:intermediate-care');
    const ready = await system.callWith(provider, 'POST', `/pathways/${id}/referral-response`, {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'ready',
      readyFrom: dayFromToday(10),
    });
    expect(ready).toMatchObject({ status: 200, body: { stage: 'ready_for_discharge' } });

    const home = { date: dayFromToday(0), destination: 'usual-residence' };
    const refused = await command('discharge', home);
    expect(refused).toMatchObject({
      status: 409,
      body: {
        error: 'support_gap',
        message: expect.stringContaining(`reablement (ref-1) starts on ${dayFromToday(10)}, 10 day(s) after`),
      },
    });
    const short = await command('discharge', { ...home, bridge: { by: 'family', until: dayFromToday(3) } });
    expect(short).toMatchObject({ status: 409, body: { message: expect.stringMatching(/^bridge\.until: /) } });

    const bridged = await command('discharge', { ...home, bridge: { by: 'family', until: dayFromToday(9) } });
    expect(bridged).toMatchObject({ status: 200, body: { stage: 'readmission_watch' } });
    const view = await system.call('GET', `/pathways/${id}`);
    const events = (view.body.timeline as Recorded[]).map((e) => e.event);
    expect(events.find((e) => e.type === 'discharge.recorded')).toMatchObject({
      supportGap: { services: [{ service: 'reablement', days: 10 }], bridge: { by: 'family', until: dayFromToday(9) } },
    });
    expect(events.at(-1)).toMatchObject({
      type: 'referral.requested',
      service: 'welfare-check',
      agency: 'community-health',
      purpose: 'follow-up',
    });

    // Community health sees the pathway and answers its welfare check after the discharge.
    const community = await system.token('agency:community-health');
    const checked = await system.callWith(community, 'POST', `/pathways/${id}/referral-response`, {
      referralId: 'ref-2',
      agency: 'community-health',
      response: 'ready',
    });
    expect(checked).toMatchObject({ status: 200, body: { stage: 'readmission_watch' } });
  });
});

describe('row 5: consent as the law has it', () => {
  it('shares with health and care for direct care without waiting; a homeless patient refusing the referral to housing is recorded, housing is never asked nor blamed, and the patient goes home', async () => {
    const patient = { ...admission().patient, housingStatus: 'homeless' as const };
    const { id, command } = await started({ patient, consents: [] });
    expect((await command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['equipment'] })).status).toBe(200);

    // Equipment gives direct care: its referral carries the patient's name and address with no consent recorded.
    const equipment = await system.token('agency:equipment');
    const referral = (await system.callWith(equipment, 'GET', `/pathways/${id}`)).body.events[0] as {
      data: Record<string, unknown>;
    };
    expect(referral.data).toMatchObject({
      service: 'equipment',
      consentRequired: false,
      patient: { name: patient.name, address: patient.address },
    });
    expect(
      (
        await system.callWith(equipment, 'POST', `/pathways/${id}/referral-response`, {
          referralId: 'ref-1',
          agency: 'equipment',
          response: 'ready',
        })
      ).status,
    ).toBe(200);

    // Housing needs the person's consent: no referral, and the wait is on the patient, not on housing.
    let view = await system.call('GET', `/pathways/${id}`);
    expect(view.body.state.referrals.map((r: { service: string }) => r.service)).toEqual(['equipment']);
    expect(view.body.delay.reasons).toEqual([
      expect.objectContaining({ code: 'consent_required', agency: 'housing', waitingOn: 'patient' }),
    ]);
    expect(view.body.awaitingAgencies).toEqual([]);
    const blocked = await command('discharge', { date: dayFromToday(0), destination: 'other' });
    expect(blocked).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('consent required from: housing') },
    });
    const blamed = await command('delay-reason', { code: 'homeless_nrpf', agency: 'housing' });
    expect(blamed).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/^agency: housing has no referral on this pathway/) },
    });
    expect((await system.callWith(await system.token('agency:housing'), 'GET', `/pathways/${id}`)).status).toBe(404);

    const refused = await command('consent', { agency: 'housing', given: false });
    expect(refused).toMatchObject({ status: 200, body: { stage: 'ready_for_discharge' } });
    view = await system.call('GET', `/pathways/${id}`);
    expect(view.body.state.consents).toEqual({ housing: false });
    expect(view.body.delay.reasons).toEqual([]);
    expect(
      (await command('discharge', { date: dayFromToday(0), destination: 'other', departure: 'patient_choice' })).status,
    ).toBe(200);
  });
});

describe('row 10: first-hour fixes over HTTP', () => {
  /** Temporal visibility lists the pathway (the start's check reads it). */
  const listed = (pathwayId: string) =>
    eventually(
      async () => {
        for await (const execution of system.client.workflow.list({
          query: `WorkflowId = '${pathwayId}' AND HomewardStage IS NOT NULL`,
        }))
          return execution.workflowId;
        return undefined;
      },
      (found) => found === pathwayId,
    );

  it('a homeless patient starts without an address (no fixed abode, ZZ99 3VZ); a second stay in hospital for the same NHS number is refused naming the first, until it is discharged', async () => {
    const { address: _address, ...patient } = admission().patient;
    const first = admission({ patient: { ...patient, housingStatus: 'homeless' } as never });
    const firstId = `pathway-${first.admissionId}`;
    expect((await system.call('POST', '/pathways', first)).status).toBe(201);
    const view = await system.call('GET', `/pathways/${firstId}`);
    expect(view.body.state.patient.address).toEqual({
      line1: 'No fixed abode',
      town: first.localAuthority,
      postcode: 'ZZ99 3VZ',
    });

    await listed(firstId);
    const second = admission({ patient: view.body.state.patient });
    const refused = await system.call('POST', '/pathways', second);
    expect(refused).toMatchObject({
      status: 409,
      body: { error: 'patient_in_hospital', message: expect.stringContaining(`${firstId} (stage admitted)`) },
    });
    expect(JSON.stringify(refused.body)).not.toContain(patient.nhsNumber);
    // The same admission again is still the same pathway.
    expect(await system.call('POST', '/pathways', first)).toMatchObject({ status: 200, body: { created: false } });

    await system.call('POST', `/pathways/${firstId}/consent`, { agency: 'housing', given: false });
    await system.call('POST', `/pathways/${firstId}/assessment`, { ...jointAssessment, pathway: 'P0', needs: [] });
    expect(
      (
        await system.call('POST', `/pathways/${firstId}/discharge`, {
          date: dayFromToday(0),
          destination: 'temporary-accommodation',
        })
      ).status,
    ).toBe(200);
    await eventually(
      () => system.call('POST', '/pathways', second),
      (r) => r.status !== 409,
    );
    expect((await system.call('GET', `/pathways/pathway-${second.admissionId}`)).status).toBe(200);
  });
});

describe('row 6: after a readmission, the new stay resumes or releases each held package', () => {
  it('reads the held packages from the readmitted pathway; the new plan resumes equipment, with the link, and releases the welfare check', async () => {
    const { id, body, command } = await started();
    expect((await command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['equipment'] })).status).toBe(200);
    expect(
      (await command('referral-response', { referralId: 'ref-1', agency: 'equipment', response: 'ready' })).status,
    ).toBe(200);
    expect((await command('discharge', { date: dayFromToday(0), destination: 'usual-residence' })).status).toBe(200);
    const newAdmissionId = `${body.admissionId}R`;
    const readmitted = await command('readmission', { newAdmissionId, admittedOn: dayFromToday(0) });
    expect(readmitted).toMatchObject({ status: 200, body: { linkedPathwayId: `pathway-${newAdmissionId}` } });

    const newId = `pathway-${newAdmissionId}`;
    const linked = await system.call('GET', `/pathways/${newId}`);
    expect(linked.body.state.heldPackages).toEqual([
      { referralId: 'ref-1', service: 'equipment', agency: 'equipment' },
      { referralId: 'ref-2', service: 'welfare-check', agency: 'community-health' },
    ]);
    await system.call('POST', `/pathways/${newId}/discharge-ready`, { date: dayFromToday(0) });
    expect(
      (
        await system.call('POST', `/pathways/${newId}/assessment`, {
          ...jointAssessment,
          pathway: 'P1',
          needs: ['equipment'],
        })
      ).status,
    ).toBe(200);
    const events = ((await system.call('GET', `/pathways/${newId}`)).body.timeline as Recorded[]).map((e) => e.event);
    expect(events.find((e) => e.type === 'referral.requested')).toMatchObject({
      service: 'equipment',
      resumes: { pathwayId: id, referralId: 'ref-1' },
    });
    expect(events.find((e) => e.type === 'held_package.released')).toMatchObject({
      previousPathwayId: id,
      referralId: 'ref-2',
      agency: 'community-health',
    });
  });
});
