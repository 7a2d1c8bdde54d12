import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../api/server';
import { Env } from '../config';
import type { Application } from '../app';
import type { Actor } from '../schemas/actor';

// The 500 path: an error no use case foresaw (a driver's message may quote a query or a row) must
// reach the caller as a generic answer with an id that finds the log line, and nothing of itself.
describe('an unexpected error in a route', () => {
  it("answers 500 with a generic body and a correlation id that the log line carries; the error's message reaches neither", async () => {
    const leaky = new Error(
      'duplicate key value violates unique constraint "pathways_pkey" DETAIL: Key (nhs_number)=(9434765919)',
    );
    // The application layer failing as nothing expects: the error handler under test is the real one.
    const application = { queries: { list: async () => Promise.reject(leaky) } } as unknown as Application;
    const actor: Actor = { subject: 'test:manager', role: 'manager' };
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const app = await buildApp(application, async () => actor, logger, {
      rateLimitPerMinute: Env.parse({}).HOMEWARD_RATE_LIMIT_PER_MINUTE,
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/pathways', headers: { authorization: 'Bearer x' } });
      expect(response.statusCode).toBe(500);
      const body = response.json() as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(['correlationId', 'error', 'message']);
      expect(body.error).toBe('internal');
      expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.message).toContain(body.correlationId);
      expect(response.headers['x-correlation-id']).toBe(body.correlationId);
      for (const secret of ['9434765919', 'pathways_pkey', 'constraint', 'at ', 'Error'])
        expect(response.body, secret).not.toContain(secret);

      const logged = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.correlationId === body.correlationId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, msg: 'request failed' });
      // Where it failed, for whoever looks it up; not its message, which quoted a patient's NHS number.
      expect(logged[0].err).toMatchObject({
        type: 'Error',
        frames: expect.arrayContaining([expect.stringContaining('api-errors.test.ts')]),
      });
      expect(lines.join('')).not.toContain('9434765919');
    } finally {
      await app.close();
    }
  });
});

describe('request ids', () => {
  it('every answer carries X-Request-Id, the caller’s when it is a plain token, and every log line of the request carries it', async () => {
    const application = { queries: { list: async () => ({ pathways: [] }) } } as unknown as Application;
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const app = await buildApp(application, async () => ({ subject: 'test:manager', role: 'manager' }), logger, {
      rateLimitPerMinute: 600,
    });
    try {
      const minted = await app.inject({ method: 'GET', url: '/pathways', headers: { authorization: 'Bearer x' } });
      expect(minted.statusCode).toBe(200);
      expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const given = await app.inject({
        method: 'GET',
        url: '/pathways',
        headers: { authorization: 'Bearer x', 'x-request-id': 'gateway-7f3a.42' },
      });
      expect(given.headers['x-request-id']).toBe('gateway-7f3a.42');
      // Not a plain token (a log line's worth of text, or too long): replaced, never echoed.
      for (const hostile of ['a b\nforged: line', 'x'.repeat(129)]) {
        const answer = await app.inject({
          method: 'GET',
          url: '/pathways',
          headers: { authorization: 'Bearer x', 'x-request-id': hostile },
        });
        expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const ofGiven = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.reqId === 'gateway-7f3a.42');
      // fastify's "incoming request" and "request completed"
      expect(ofGiven.map((entry) => entry.msg)).toEqual(['incoming request', 'request completed']);
    } finally {
      await app.close();
    }
  });

  it('a 500’s correlation id is its request id', async () => {
    const application = { queries: { list: async () => Promise.reject(new Error('boom')) } } as unknown as Application;
    const app = await buildApp(
      application,
      async () => ({ subject: 'test:manager', role: 'manager' }),
      pino({ level: 'silent' }),
      { rateLimitPerMinute: 600 },
    );
    try {
      const response = await app.inject({
        method: 'GET',
        url: '/pathways',
        headers: { authorization: 'Bearer x', 'x-request-id': 'req-500' },
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ correlationId: 'req-500' });
      expect(response.headers['x-correlation-id']).toBe('req-500');
    } finally {
      await app.close();
    }
  });
});
