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
  it('answers 500 with a generic body and a correlation id that the log line carries; the error\'s message reaches neither', async () => {
    const leaky = new Error('duplicate key value violates unique constraint "pathways_pkey" DETAIL: Key (nhs_number)=(9434765919)');
    // The application layer failing as nothing expects: the error handler under test is the real one.
    const application = { queries: { list: async () => Promise.reject(leaky) } } as unknown as Application;
    const actor: Actor = { subject: 'test:manager', role: 'manager' };
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }));
    const app = await buildApp(application, async () => actor, logger, { rateLimitPerMinute: Env.parse({}).HOMEWARD_RATE_LIMIT_PER_MINUTE });
    try {
      const response = await app.inject({ method: 'GET', url: '/pathways', headers: { authorization: 'Bearer x' } });
      expect(response.statusCode).toBe(500);
      const body = response.json() as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(['correlationId', 'error', 'message']);
      expect(body.error).toBe('internal');
      expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.message).toContain(body.correlationId);
      expect(response.headers['x-correlation-id']).toBe(body.correlationId);
      for (const secret of ['9434765919', 'pathways_pkey', 'constraint', 'at ', 'Error']) expect(response.body, secret).not.toContain(secret);

      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.correlationId === body.correlationId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, msg: 'request failed' });
      // Where it failed, for whoever looks it up; not its message, which quoted a patient's NHS number.
      expect(logged[0].err).toMatchObject({ type: 'Error', frames: expect.arrayContaining([expect.stringContaining('api-errors.test.ts')]) });
      expect(lines.join('')).not.toContain('9434765919');
    } finally {
      await app.close();
    }
  });
});
