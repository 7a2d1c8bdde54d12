import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../api/authenticate';
import { loadConfig } from '../config';
import { devClientId, startDevIssuer } from '../config/dev-issuer';
import { devEnvironment, generateDevSecrets } from '../config/dev-secrets';

// The development issuer's authorization code flow with PKCE, over real HTTP, and its tokens
// verified by the API's own authenticator (no browser: test/dashboard.test.ts signs in through a page).
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let authenticate: ReturnType<typeof createAuthenticator>;
const redirectUri = 'http://127.0.0.1:9/signed-in';

beforeAll(async () => {
  const secrets = await generateDevSecrets();
  issuer = await startDevIssuer(secrets, 0);
  authenticate = createAuthenticator(
    loadConfig({ ...devEnvironment(secrets, 'homeward'), HOMEWARD_OIDC_ISSUER: issuer.url }).oidc,
  );
});
afterAll(() => issuer?.close());

const pkce = () => {
  const verifier = crypto.randomBytes(48).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};
const authorizeQuery = (challenge: string, more: Record<string, string> = {}) =>
  new URLSearchParams({
    response_type: 'code',
    client_id: devClientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'dashboard.s1',
    nonce: 'n1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...more,
  });

/** The role page's form, posted as the browser would; the issuer answers with a redirect carrying the code. */
async function authorize(challenge: string, role = 'manager', sites = '') {
  const response = await fetch(`${issuer.url}/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...Object.fromEntries(authorizeQuery(challenge)), role, sites, choice: 'sign-in' }),
  });
  expect(response.status).toBe(303);
  const back = new URL(response.headers.get('location')!);
  return { back, cookie: response.headers.get('set-cookie')!.split(';')[0] };
}
const token = (code: string, verifier: string, more: Record<string, string> = {}) =>
  fetch(`${issuer.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: devClientId,
      code_verifier: verifier,
      ...more,
    }),
  });

describe('the development issuer', () => {
  it('discovery names the endpoints of the authorization code flow, with S256 only', async () => {
    const document = await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json();
    expect(document).toMatchObject({
      issuer: issuer.url,
      authorization_endpoint: `${issuer.url}/authorize`,
      token_endpoint: `${issuer.url}/token`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('asks who to be, then trades a one-time code and its verifier for a token the API accepts', async () => {
    const { verifier, challenge } = pkce();
    const chooser = await fetch(`${issuer.url}/authorize?${authorizeQuery(challenge)}`);
    expect(chooser.status).toBe(200);
    expect(await chooser.text()).toContain('name="role" value="discharge-team"');

    const { back } = await authorize(challenge, 'discharge-team', 'SITE-A, SITE-B');
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('dashboard.s1');
    const code = back.searchParams.get('code')!;
    const answer = await token(code, verifier);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await answer.json()) as { access_token: string; id_token: string };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const idClaims = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString());
    expect(idClaims).toMatchObject({ nonce: 'n1', aud: devClientId, iss: issuer.url });
    expect(await authenticate(`Bearer ${body.access_token}`)).toEqual({
      subject: 'dev:discharge-team',
      role: 'discharge-team',
      sites: ['SITE-A', 'SITE-B'],
    });

    // Once only.
    const again = await token(code, verifier);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a verifier that does not match, and burns the code', async () => {
    const { challenge, verifier } = pkce();
    const { back } = await authorize(challenge);
    const code = back.searchParams.get('code')!;
    const wrong = await token(code, pkce().verifier);
    expect(await wrong.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: 'code_verifier does not match the code_challenge',
    });
    expect(await (await token(code, verifier)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code sent back for another redirect URI or client', async () => {
    const { challenge, verifier } = pkce();
    const first = (await authorize(challenge)).back.searchParams.get('code')!;
    expect(await (await token(first, verifier, { redirect_uri: 'http://127.0.0.1:9/other' })).json()).toMatchObject({
      error: 'invalid_grant',
    });
    const second = (await authorize(challenge)).back.searchParams.get('code')!;
    expect(await (await token(second, verifier, { client_id: 'someone-else' })).json()).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('refuses plain PKCE, no PKCE, a foreign redirect URI and an unknown client, without redirecting', async () => {
    const { challenge } = pkce();
    for (const [more, message] of [
      [{ code_challenge_method: 'plain' }, 'code_challenge_method must be S256'],
      [{ code_challenge: '' }, 'code_challenge must be'],
      [{ redirect_uri: 'https://attacker.example/cb' }, 'redirect_uri must be'],
      [{ client_id: 'other' }, 'Unknown client_id'],
    ] as const) {
      const response = await fetch(`${issuer.url}/authorize?${authorizeQuery(challenge, more)}`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(message);
    }
  });

  it('remembers who signed in until sign-out, as an issuer session does', async () => {
    const { challenge } = pkce();
    const { cookie } = await authorize(challenge, 'manager');
    const again = await fetch(`${issuer.url}/authorize?${authorizeQuery(challenge)}`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(again.status).toBe(303);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    const out = await fetch(
      `${issuer.url}/logout?post_logout_redirect_uri=${encodeURIComponent('http://127.0.0.1:9/dashboard')}`,
      { redirect: 'manual', headers: { cookie } },
    );
    expect(out.headers.get('location')).toBe('http://127.0.0.1:9/dashboard');
    expect(
      (await fetch(`${issuer.url}/authorize?${authorizeQuery(challenge)}`, { redirect: 'manual', headers: { cookie } }))
        .status,
    ).toBe(200);
  });
});
