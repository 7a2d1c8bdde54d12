import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/server';
import { Env } from '../config';
import { startDevIssuer } from '../config/dev-issuer';
import { generateDevSecrets } from '../config/dev-secrets';
import type { Application } from '../app';

// The staff pages' serving and sign-in settings, against the real development issuer's discovery
// (no use case runs: the pages hold no data). The browser flow itself: test/dashboard.test.ts.
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
const lines: string[] = [];
let app: Awaited<ReturnType<typeof buildApp>>;
const limits = { rateLimitPerMinute: Env.parse({}).HOMEWARD_RATE_LIMIT_PER_MINUTE };

beforeAll(async () => {
  issuer = await startDevIssuer(await generateDevSecrets(), 0);
  const logger = pino(
    { level: 'info' },
    new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
  );
  app = await buildApp({} as Application, async () => Promise.reject(new Error('no token here')), logger, limits, {
    issuer: issuer.url,
    browser: { clientId: 'homeward', scope: 'openid profile' },
  });
});
afterAll(async () => {
  await app?.close();
  await issuer?.close();
});

describe('the staff pages', () => {
  it('give the issuer’s endpoints to sign in with, and allow the page to reach its token endpoint only', async () => {
    const settings = await app.inject({ method: 'GET', url: '/auth/settings' });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toEqual({
      authorizationEndpoint: `${issuer.url}/authorize`,
      tokenEndpoint: `${issuer.url}/token`,
      endSessionEndpoint: `${issuer.url}/logout`,
      clientId: 'homeward',
      scope: 'openid profile',
    });
    const page = await app.inject({ method: 'GET', url: '/board' });
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${new URL(issuer.url).origin};`);
    expect(page.body).toContain('<script src="/assets/board.js" defer></script>');
  });

  it('serve, at the one redirect URI, the page that asked (its state), and log the path without the code', async () => {
    const code = 'c0de-that-must-not-be-logged';
    const board = await app.inject({ method: 'GET', url: `/signed-in?code=${code}&state=board.abc` });
    expect(board.body).toContain('/assets/board.js');
    expect(board.headers['referrer-policy']).toBe('no-referrer');
    const dashboard = await app.inject({ method: 'GET', url: `/signed-in?code=${code}&state=dashboard.abc` });
    expect(dashboard.body).toContain('/assets/dashboard.js');
    expect(lines.some((line) => line.includes('"path":"/signed-in"'))).toBe(true);
    expect(lines.join('')).not.toContain(code);
  });

  it('say plainly when the browser sign-in is not configured (a production API without a client id)', async () => {
    const bare = await buildApp(
      {} as Application,
      async () => Promise.reject(new Error('no')),
      pino({ level: 'silent' }),
      limits,
      { issuer: issuer.url, browser: { scope: 'openid' } },
    );
    try {
      const response = await bare.inject({ method: 'GET', url: '/auth/settings' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        error: 'sign_in_not_configured',
        message: expect.stringContaining('HOMEWARD_OIDC_CLIENT_ID and HOMEWARD_OIDC_REDIRECT_URI'),
      });
    } finally {
      await bare.close();
    }
  });
});
