import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { admission, jointAssessment } from './support/fixtures';
import { eventually, startSystem } from './support/system';
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
    expect(response).toMatchObject({
      status: 422,
      body: { message: expect.stringMatching(/expectedDischargeDate: before admission/) },
    });
    expect((await system.call('GET', `/pathways/pathway-${body.admissionId}`)).status).toBe(404);
  });

  it('a date of birth in the future: 422 naming it', async () => {
    const body = admission();
    body.patient.dateOfBirth = day(30);
    expect(await system.call('POST', '/pathways', body)).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'patient.dateOfBirth', message: 'in the future' }] },
    });
  });
});

describe('unknown fields are refused, naming them', () => {
  it('on a start, inside the patient block, and on a command', async () => {
    const bed = await system.call('POST', '/pathways', { ...admission(), bed: '7B-12' });
    expect(bed).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'body', message: expect.stringContaining('"bed"') }] },
    });
    const base = admission();
    const religion = await system.call('POST', '/pathways', {
      ...base,
      patient: { ...base.patient, religion: 'none' },
    });
    expect(religion).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'patient', message: expect.stringContaining('"religion"') }] },
    });
    await system.call('POST', '/pathways', base);
    const colour = await system.call('POST', `/pathways/pathway-${base.admissionId}/discharge-ready`, {
      date: day(0),
      colour: 'red',
    });
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
    expect(conflict).toMatchObject({
      status: 409,
      body: { error: 'admission_conflict', message: expect.stringMatching(/different patient\.name, site$/) },
    });
    expect(JSON.stringify(conflict.body)).not.toContain('Someone Else');
  });
});

describe('odd paths, filters and methods', () => {
  it('NUL bytes and huge numbers in filters: 422 naming the filter', async () => {
    expect(await system.call('GET', '/pathways?site=A%00B')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'site' }] },
    });
    expect(await system.call('GET', '/pathways?delayedForDays=9007199254740990')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'delayedForDays' }] },
    });
    expect(await system.call('GET', '/reports/delays?localAuthority=%01')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'localAuthority' }] },
    });
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
      expect(await system.call('POST', `/pathways/${id}/${name}`, {})).toMatchObject({
        status: 404,
        body: { error: 'unknown_command' },
      });
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

describe('lists longer than any real one', () => {
  it('60,000 consents, on a start or an assessment, and 31 participants: 422 naming the field, and nothing recorded', async () => {
    const consents = Array.from({ length: 60_000 }, () => 'social-care');
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    expect(await system.call('POST', '/pathways', { ...body, consents })).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'consents', message: expect.stringMatching(/<=18 items/) }] },
    });
    expect((await system.call('GET', `/pathways/${id}`)).status).toBe(404);
    await system.call('POST', '/pathways', body);
    const assessment = { ...jointAssessment, pathway: 'P1', needs: ['reablement'] };
    expect(await system.call('POST', `/pathways/${id}/assessment`, { ...assessment, consents })).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'consents' }] },
    });
    const crowd = Array.from({ length: 31 }, () => ({ role: 'nurse' }));
    expect(
      await system.call('POST', `/pathways/${id}/assessment`, { ...assessment, participants: crowd }),
    ).toMatchObject({ status: 422, body: { issues: [{ path: 'participants' }] } });
    expect((await system.call('GET', `/pathways/${id}`)).body.timeline).toHaveLength(1);
    // Every agency twice over is still a list a client might send.
    const everyAgencyTwice = [
      'acute-trust',
      'social-care',
      'community-health',
      'intermediate-care',
      'equipment',
      'housing',
      'gp',
      'voluntary',
      'care-home',
    ].flatMap((a) => [a, a]);
    expect(
      (await system.call('POST', `/pathways/${id}/assessment`, { ...assessment, consents: everyAgencyTwice })).status,
    ).toBe(200);
  });
});

describe('answers that may hold patient data', () => {
  it('are never stored and never sniffed: a pathway, its timeline, a list, a report and errors; the API document may be cached', async () => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    await system.call('POST', '/pathways', body);
    const answers = {
      pathway: await system.call('GET', `/pathways/${id}`),
      timeline: await eventually(
        () => system.call('GET', `/pathways/${id}/timeline`),
        (r) => r.status === 200,
      ),
      list: await system.call('GET', '/pathways?status=all'),
      sitrep: await system.call('GET', `/reports/sitrep?date=${day(0)}`),
      'unknown pathway': await system.call('GET', '/pathways/pathway-nobody'),
      'no token': await system.callWith(null, 'GET', `/pathways/${id}`),
      'invalid command': await system.call('POST', `/pathways/${id}/discharge-ready`, { date: 'soon' }),
      health: await system.callWith(null, 'GET', '/health'),
    };
    const seen = Object.entries(answers).map(([what, r]) => ({
      what,
      status: r.status,
      cache: r.headers.get('cache-control'),
      sniff: r.headers.get('x-content-type-options'),
    }));
    const statuses: Record<string, number> = { 'unknown pathway': 404, 'no token': 401, 'invalid command': 422 };
    expect(seen).toEqual(
      Object.keys(answers).map((what) => ({
        what,
        status: statuses[what] ?? 200,
        cache: 'no-store',
        sniff: 'nosniff',
      })),
    );
    const document = await system.callWith(null, 'GET', '/openapi.json');
    expect([document.headers.get('cache-control'), document.headers.get('x-content-type-options')]).toEqual([
      'public, max-age=300',
      'nosniff',
    ]);
  });
});

describe('a client that floods the API', () => {
  it("gets 429 with Retry-After past its limit, whatever token it signs in with; other clients and /health carry on; bad tokens share their address's allowance", async () => {
    const limited = await startSystem({ HOMEWARD_RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const flooder = await limited.token('manager', { subject: 'flooder' });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.callWith(flooder, 'GET', '/pathways')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const refused = await limited.callWith(flooder, 'GET', '/pathways');
      expect(refused).toMatchObject({
        status: 429,
        body: { error: 'rate_limited', message: expect.stringMatching(/at most 5 a minute/) },
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      // The client is the subject: a fresh token for the same subject is the same client.
      const fresh = await limited.token('manager', { subject: 'flooder', ttlSeconds: 600 });
      expect(fresh).not.toBe(flooder);
      expect((await limited.callWith(fresh, 'GET', '/pathways')).status).toBe(429);
      // Another client is not held back, nor is the health check.
      expect(
        (await limited.callWith(await limited.token('manager', { subject: 'calm' }), 'GET', '/pathways')).status,
      ).toBe(200);
      for (let i = 0; i < 8; i++) expect((await limited.callWith(null, 'GET', '/health')).status).toBe(200);
      // Without a valid token the address is the client: a new bad token buys no new allowance.
      const bad: number[] = [];
      for (let i = 0; i < 6; i++) bad.push((await limited.callWith(`not-a-token-${i}`, 'GET', '/pathways')).status);
      expect(bad).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      await limited.stop();
    }
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
        expect({ path, status: response.status, error: response.body.error }).toEqual({
          path,
          status: 503,
          error: 'temporal_unavailable',
        });
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
