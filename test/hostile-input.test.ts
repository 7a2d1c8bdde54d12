import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { admission } from './support/fixtures';
import { startSystem } from './support/system';
import { TcpProxy } from './support/tcp-proxy';

// What a careless user or a hostile client sends, on the real API and Temporal: a clear 4xx, never a 500.
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.stop();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('a start that the pathway could never read is refused', () => {
  it('an expected discharge date before admission: 422, and no pathway is left behind', async () => {
    const body = admission({ admittedAt: `${day(-2)}T10:00:00.000Z`, expectedDischargeDate: day(-5) });
    const response = await system.call('POST', '/pathways', body);
    expect(response).toMatchObject({ status: 422, body: { message: expect.stringMatching(/expectedDischargeDate: before admission/) } });
    expect((await system.call('GET', `/pathways/pathway-${body.admissionId}`)).status).toBe(404);
  });

  it('a date of birth in the future: 422 naming it', async () => {
    const body = admission();
    body.patient.dateOfBirth = day(30);
    expect(await system.call('POST', '/pathways', body)).toMatchObject({ status: 422, body: { issues: [{ path: 'patient.dateOfBirth', message: 'in the future' }] } });
  });
});

describe('unknown fields are refused, naming them', () => {
  it('on a start, inside the patient block, and on a command', async () => {
    const ward = await system.call('POST', '/pathways', { ...admission(), ward: '7B' });
    expect(ward).toMatchObject({ status: 422, body: { issues: [{ path: 'body', message: expect.stringContaining('"ward"') }] } });
    const base = admission();
    const religion = await system.call('POST', '/pathways', { ...base, patient: { ...base.patient, religion: 'none' } });
    expect(religion).toMatchObject({ status: 422, body: { issues: [{ path: 'patient', message: expect.stringContaining('"religion"') }] } });
    await system.call('POST', '/pathways', base);
    const colour = await system.call('POST', `/pathways/pathway-${base.admissionId}/discharge-ready`, { date: day(0), colour: 'red' });
    expect(colour).toMatchObject({ status: 422, body: { message: expect.stringContaining('"colour"') } });
  });
});

describe('the same admission id', () => {
  it('with the same body is an idempotent 200; with a different one, 409 naming the fields (not their values)', async () => {
    const body = admission();
    expect((await system.call('POST', '/pathways', body)).status).toBe(201);
    expect(await system.call('POST', '/pathways', body)).toMatchObject({ status: 200, body: { created: false } });
    const changed = { ...body, site: 'ELSEWHERE', patient: { ...body.patient, name: 'Someone Else' } };
    const conflict = await system.call('POST', '/pathways', changed);
    expect(conflict).toMatchObject({ status: 409, body: { error: 'admission_conflict', message: expect.stringMatching(/different patient\.name, site$/) } });
    expect(JSON.stringify(conflict.body)).not.toContain('Someone Else');
  });
});

describe('odd paths, filters and methods', () => {
  it('NUL bytes and huge numbers in filters: 422 naming the filter', async () => {
    expect(await system.call('GET', '/pathways?site=A%00B')).toMatchObject({ status: 422, body: { issues: [{ path: 'site' }] } });
    expect(await system.call('GET', '/pathways?delayedForDays=9007199254740990')).toMatchObject({ status: 422, body: { issues: [{ path: 'delayedForDays' }] } });
    expect(await system.call('GET', '/reports/delays?localAuthority=%01')).toMatchObject({ status: 422, body: { issues: [{ path: 'localAuthority' }] } });
    expect(await system.call('GET', '/pathways?colour=red')).toMatchObject({ status: 422 });
  });

  it('empty ids and commands named after object properties: 404', async () => {
    const body = admission();
    await system.call('POST', '/pathways', body);
    const id = `pathway-${body.admissionId}`;
    expect((await system.call('GET', '/pathways/')).status).toBe(404);
    expect((await system.call('POST', '/pathways//discharge-ready', { date: day(0) })).status).toBe(404);
    expect((await system.call('GET', '/pathways/%00')).status).toBe(404);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(await system.call('POST', `/pathways/${id}/${name}`, {})).toMatchObject({ status: 404, body: { error: 'unknown_command' } });
    }
  });

  it('a method a route does not take: 405 with Allow', async () => {
    const deleted = await system.call('DELETE', '/pathways');
    expect(deleted.status).toBe(405);
    expect(deleted.headers.get('allow')).toBe('GET, HEAD, POST');
    const put = await system.call('PUT', '/pathways/pathway-x/discharge', {});
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect((await system.call('GET', '/nowhere')).status).toBe(404);
  });
});

describe('Temporal unavailable', () => {
  it('answers 503 with Retry-After within 2 s, and recovers by itself when Temporal is back', async () => {
    const [host, port] = inject('temporalAddress').split(':');
    const proxy = new TcpProxy({ host, port: Number(port) });
    await proxy.open();
    const behind = await startSystem({ TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}` });
    try {
      const body = admission();
      expect((await behind.call('POST', '/pathways', body)).status).toBe(201);
      await proxy.close();
      for (const [method, path, payload] of [
        ['GET', `/pathways/pathway-${body.admissionId}`],
        ['POST', `/pathways/pathway-${body.admissionId}/discharge-ready`, { date: day(0) }],
        ['POST', '/pathways', admission()],
      ] as const) {
        const started = Date.now();
        const response = await behind.call(method, path, payload);
        expect({ path, status: response.status, error: response.body.error }).toEqual({ path, status: 503, error: 'temporal_unavailable' });
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
      // The managers' list and reports come from the read model: Temporal being down does not stop them.
      expect((await behind.call('GET', '/pathways')).status).toBe(200);
      await proxy.open();
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = (await behind.call('GET', `/pathways/pathway-${body.admissionId}`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    } finally {
      await proxy.close();
      await behind.stop();
    }
  });
});
