import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission, dayFromToday, jointAssessment } from './support/fixtures';
import { startSystem } from './support/system';

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
    expect((await command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] })).status).toBe(200);
    const cancel = await command('cancel', { reason: 'self_discharged' });
    expect(cancel).toMatchObject({ status: 409, body: { message: expect.stringMatching(/selfDischarge: true/) } });

    const left = await command('discharge', { date: dayFromToday(0), destination: 'usual-residence', selfDischarge: true });
    expect(left).toMatchObject({ status: 200, body: { stage: 'readmission_watch' } });
    const view = await system.call('GET', `/pathways/${id}`);
    expect(types(view)).toContain('readmission_watch.started');
    expect(types(view)).not.toContain('referral.on_hold');
    expect(view.body.state.discharge).toMatchObject({ date: dayFromToday(0), selfDischarge: true });
    expect(view.body.awaitingAgencies).toContain('intermediate-care');

    // The provider sees the urgency on its own view (the events its Kafka topic carries) and can still answer.
    const provider = await system.token('agency:intermediate-care');
    const seen = await system.callWith(provider, 'GET', `/pathways/${id}`);
    const urgent = (seen.body.events as { type: string; data: Record<string, unknown> }[]).find((e) => e.type === 'uk.nhs.discharge.referral.urgent.v1');
    expect(urgent?.data).toEqual({ referralId: 'ref-1', agency: 'intermediate-care', reason: 'self_discharged', neededFrom: dayFromToday(0) });
    const ready = await system.callWith(provider, 'POST', `/pathways/${id}/referral-response`, { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' });
    expect(ready).toMatchObject({ status: 200, body: { stage: 'intermediate_care' } });
  });
});

describe('row 2: no gap in support without a decision', () => {
  it('refuses a discharge before reablement starts, naming it and the gap; with a bridge it goes ahead, and a welfare check goes to community health that day', async () => {
    const { id, command } = await started();
    expect((await command('assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement'] })).status).toBe(200);
    const provider = await system.token('agency:intermediate-care');
    const ready = await system.callWith(provider, 'POST', `/pathways/${id}/referral-response`, { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready', readyFrom: dayFromToday(10) });
    expect(ready).toMatchObject({ status: 200, body: { stage: 'ready_for_discharge' } });

    const home = { date: dayFromToday(0), destination: 'usual-residence' };
    const refused = await command('discharge', home);
    expect(refused).toMatchObject({ status: 409, body: { error: 'support_gap', message: expect.stringContaining(`reablement (ref-1) starts on ${dayFromToday(10)}, 10 day(s) after`) } });
    const short = await command('discharge', { ...home, bridge: { by: 'family', until: dayFromToday(3) } });
    expect(short).toMatchObject({ status: 409, body: { message: expect.stringMatching(/^bridge\.until: /) } });

    const bridged = await command('discharge', { ...home, bridge: { by: 'family', until: dayFromToday(9) } });
    expect(bridged).toMatchObject({ status: 200, body: { stage: 'readmission_watch' } });
    const view = await system.call('GET', `/pathways/${id}`);
    const events = (view.body.timeline as Recorded[]).map((e) => e.event);
    expect(events.find((e) => e.type === 'discharge.recorded')).toMatchObject({ supportGap: { services: [{ service: 'reablement', days: 10 }], bridge: { by: 'family', until: dayFromToday(9) } } });
    expect(events.at(-1)).toMatchObject({ type: 'referral.requested', service: 'welfare-check', agency: 'community-health', purpose: 'follow-up' });

    // Community health sees the pathway and answers its welfare check after the discharge.
    const community = await system.token('agency:community-health');
    const checked = await system.callWith(community, 'POST', `/pathways/${id}/referral-response`, { referralId: 'ref-2', agency: 'community-health', response: 'ready' });
    expect(checked).toMatchObject({ status: 200, body: { stage: 'readmission_watch' } });
  });
});
