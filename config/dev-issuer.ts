import crypto from 'node:crypto';
import http from 'node:http';
import { importJWK, SignJWT } from 'jose';
import { nhsNumberClaim, PersonRole, StaffRole } from '../schemas/actor';
import { NhsNumber, PlaceName } from '../schemas/common';
import type { DevSecrets } from './dev-secrets';
import { patientKey } from './patient-key';

/**
 * The local development token issuer that `npm start` runs, on loopback only: an OIDC discovery
 * document, a JWKS with the data dir's public key, and the authorization code flow with PKCE
 * (S256) that the staff pages sign in through: `/authorize` shows a page to pick a role (where a
 * trust's issuer would ask for a smartcard), `/token` trades a one-time code for a token. Tokens
 * are signed by whoever holds the data dir's private key, exactly as a real issuer would sign
 * them, so the API verifies them through the same code path as a trust's own identity provider.
 * Never in production.
 */
export const devIssuerUrl = (port: number) => `http://127.0.0.1:${port}/dev-issuer`;

/** The client id the development issuer knows (a trust registers Homeward with its own and sets HOMEWARD_OIDC_CLIENT_ID). */
export const devClientId = 'homeward';
/** A code is good once, and for a minute: long enough for the page to trade it, too short to be worth stealing. */
const codeSeconds = 60;
const sessionCookie = 'homeward_dev_session';

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce?: string;
  role: StaffRole | PersonRole;
  sites?: string[];
  /** A patient's or carer's own NHS number, as NHS login would assert it. */
  nhsNumber?: string;
  subject: string;
  expiresAt: number;
}

export interface DevIssuerOptions {
  /** The API's HOMEWARD_OIDC_AUDIENCE. */
  audience?: string;
}

export async function startDevIssuer(
  secrets: DevSecrets,
  port: number,
  options: DevIssuerOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  let issuer = '';
  const audience = options.audience ?? 'homeward';
  const codes = new Map<string, Grant>();
  // A signed-in person's choice, as a real issuer's session: /authorize answers at once until sign-out.
  const sessions = new Map<string, Pick<Grant, 'role' | 'sites' | 'subject' | 'nhsNumber'>>();
  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) json(response, 500, { error: 'server_error' });
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /dev-issuer/.well-known/openid-configuration') {
      return json(
        response,
        200,
        {
          issuer,
          jwks_uri: `${issuer}/jwks.json`,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          end_session_endpoint: `${issuer}/logout`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
          scopes_supported: ['openid', 'profile'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: [secrets.issuer.alg],
        },
        { 'cache-control': 'max-age=60' },
      );
    }
    if (route === 'GET /dev-issuer/jwks.json')
      return json(response, 200, { keys: [secrets.issuer.publicJwk] }, { 'cache-control': 'max-age=60' });
    if (route === 'GET /dev-issuer/authorize' || route === 'POST /dev-issuer/authorize') {
      const fields = request.method === 'POST' ? new URLSearchParams(await readBody(request)) : url.searchParams;
      const checked = authorizationRequest(fields);
      if ('error' in checked) return html(response, 400, errorPage(checked.error));
      const { redirectUri, state } = checked;
      const back = (params: Record<string, string>) =>
        redirect(
          response,
          `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${new URLSearchParams({ ...params, ...(state ? { state } : {}) })}`,
        );
      let who: Pick<Grant, 'role' | 'sites' | 'subject' | 'nhsNumber'> | undefined;
      if (request.method === 'POST') {
        if (fields.get('choice') === 'cancel')
          return back({ error: 'access_denied', error_description: 'The user cancelled the sign-in' });
        const role = StaffRole.or(PersonRole).safeParse(fields.get('role'));
        const sites = (fields.get('sites') ?? '')
          .split(',')
          .map((site) => site.trim())
          .filter(Boolean);
        if (!role.success) return html(response, 400, chooser(fields, 'Choose a role.'), new URL(redirectUri).origin);
        if (PersonRole.safeParse(role.data).success) {
          // Where NHS login would prove who the person is: here they say their NHS number.
          const nhsNumber = NhsNumber.safeParse((fields.get('nhs_number') ?? '').replace(/\s/g, ''));
          if (!nhsNumber.success)
            return html(
              response,
              400,
              chooser(fields, 'Enter your NHS number: 10 digits, like 943 476 5919.'),
              new URL(redirectUri).origin,
            );
          who = { role: role.data, subject: personSubject(role.data, nhsNumber.data), nhsNumber: nhsNumber.data };
        } else {
          if (!sites.every((site) => PlaceName.safeParse(site).success))
            return html(
              response,
              400,
              chooser(fields, 'Sites are site codes, separated by commas.'),
              new URL(redirectUri).origin,
            );
          who = { role: role.data, subject: `dev:${role.data}`, ...(sites.length ? { sites } : {}) };
        }
        const session = crypto.randomBytes(24).toString('base64url');
        sessions.set(session, who);
        response.setHeader('set-cookie', `${sessionCookie}=${session}; Path=/dev-issuer; HttpOnly; SameSite=Lax`);
      } else if (fields.get('prompt') !== 'login') {
        who = sessions.get(cookie(request, sessionCookie) ?? '');
      }
      if (!who) return html(response, 200, chooser(fields), new URL(redirectUri).origin);
      const code = crypto.randomBytes(32).toString('base64url');
      codes.set(code, {
        clientId: checked.clientId,
        redirectUri,
        challenge: checked.challenge,
        nonce: checked.nonce,
        ...who,
        expiresAt: Date.now() + codeSeconds * 1000,
      });
      return back({ code });
    }
    if (route === 'POST /dev-issuer/token') {
      const fields = new URLSearchParams(await readBody(request));
      const refuse = (error: string, description: string) =>
        json(response, 400, { error, error_description: description }, cors);
      if (fields.get('grant_type') !== 'authorization_code')
        return refuse('unsupported_grant_type', 'grant_type must be authorization_code');
      const code = fields.get('code') ?? '';
      const grant = codes.get(code);
      // One use only: a code presented twice is refused, whatever the outcome of the first time.
      codes.delete(code);
      if (!grant || grant.expiresAt < Date.now())
        return refuse('invalid_grant', 'The code is unknown, used or expired');
      if (fields.get('client_id') !== grant.clientId)
        return refuse('invalid_grant', 'client_id is not the one the code was issued to');
      if (fields.get('redirect_uri') !== grant.redirectUri)
        return refuse('invalid_grant', 'redirect_uri is not the one the code was issued for');
      const verifier = fields.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
        return refuse('invalid_request', 'code_verifier must be 43-128 characters of [A-Za-z0-9._~-]');
      if (crypto.createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
        return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
      const accessToken = await signDevToken(secrets, {
        issuer,
        audience,
        role: grant.role,
        sites: grant.sites,
        subject: grant.subject,
        nhsNumber: grant.nhsNumber,
      });
      const key = await importJWK(secrets.issuer.privateJwk, secrets.issuer.alg);
      const idToken = await new SignJWT({
        ...(grant.nonce ? { nonce: grant.nonce } : {}),
        name: `Development ${grant.role}`,
      })
        .setProtectedHeader({ alg: secrets.issuer.alg, kid: secrets.issuer.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(grant.clientId)
        .setSubject(grant.subject)
        .setIssuedAt()
        .setExpirationTime(`${devTokenSeconds}s`)
        .sign(key);
      return json(
        response,
        200,
        {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: devTokenSeconds,
          id_token: idToken,
          scope: 'openid profile',
        },
        { ...cors, 'cache-control': 'no-store' },
      );
    }
    if (route === 'OPTIONS /dev-issuer/token') {
      response.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
      });
      return response.end();
    }
    if (route === 'GET /dev-issuer/logout') {
      sessions.delete(cookie(request, sessionCookie) ?? '');
      response.setHeader('set-cookie', `${sessionCookie}=; Path=/dev-issuer; HttpOnly; SameSite=Lax; Max-Age=0`);
      const after = url.searchParams.get('post_logout_redirect_uri');
      if (after && loopback(after)) return redirect(response, after);
      return html(response, 200, page('Signed out', '<p>You are signed out of the development issuer.</p>'));
    }
    if (request.method !== 'GET' && request.method !== 'POST')
      return json(response, 405, { error: 'method_not_allowed' });
    return json(response, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  issuer = devIssuerUrl(typeof address === 'object' && address ? address.port : port);
  return {
    url: issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A development person's subject: stable per NHS number, without the number (a subject is logged and rate-limited by). */
const personSubject = (role: string, nhsNumber: string) =>
  `dev:${role}:${patientKey(nhsNumber, 'development subject').slice(0, 12)}`;

/** The browser's page on another port trades its code here: a public client, so any origin (it is loopback only, and the code needs its verifier). */
const cors = { 'access-control-allow-origin': '*' };

/** Development redirects go back to this machine only: an authorization code is never sent elsewhere. */
function loopback(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
      !url.hash
    );
  } catch {
    return false;
  }
}

type AuthorizationRequest = {
  clientId: string;
  redirectUri: string;
  challenge: string;
  state?: string;
  nonce?: string;
};

/** What RFC 6749 §4.1.1 and RFC 7636 ask of the request; an unusable redirect URI is never redirected to. */
function authorizationRequest(fields: URLSearchParams): AuthorizationRequest | { error: string } {
  const redirectUri = fields.get('redirect_uri') ?? '';
  if (fields.get('client_id') !== devClientId)
    return { error: `Unknown client_id: the development issuer knows "${devClientId}"` };
  if (!loopback(redirectUri))
    return {
      error: 'redirect_uri must be an http(s) address on this machine (127.0.0.1 or localhost), without a fragment',
    };
  if (fields.get('response_type') !== 'code') return { error: 'response_type must be code' };
  if (fields.get('code_challenge_method') !== 'S256')
    return { error: 'code_challenge_method must be S256 (PKCE; plain is refused)' };
  const challenge = fields.get('code_challenge') ?? '';
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
    return { error: 'code_challenge must be the base64url SHA-256 of the code verifier (43 characters)' };
  const state = fields.get('state') ?? undefined;
  const nonce = fields.get('nonce') ?? undefined;
  if ((state?.length ?? 0) > 512 || (nonce?.length ?? 0) > 512)
    return { error: 'state and nonce are at most 512 characters' };
  return { clientId: devClientId, redirectUri, challenge, state, nonce };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} — Homeward development issuer</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1d2733}fieldset{border:1px solid #aeb7bd;margin:0 0 1rem}label{display:block;margin:0.3rem 0}button{margin-right:0.5rem;padding:0.4rem 1rem}.error{color:#b00020}</style></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function errorPage(message: string): string {
  return page('Sign-in request refused', `<p class="error" role="alert">${escape(message)}</p>`);
}

/** Where a trust's issuer would ask for a smartcard: a development user picks who to be. */
function chooser(fields: URLSearchParams, problem?: string): string {
  const keep = [
    'client_id',
    'redirect_uri',
    'response_type',
    'code_challenge',
    'code_challenge_method',
    'state',
    'nonce',
    'scope',
  ]
    .filter((name) => fields.get(name) !== null)
    .map((name) => `<input type="hidden" name="${name}" value="${escape(fields.get(name)!)}">`)
    .join('');
  const roleNames: Record<StaffRole | PersonRole, string> = {
    'discharge-team': 'Discharge team (the board)',
    manager: 'Manager (the dashboard)',
    patient: 'Patient (my plan; NHS login in England)',
    carer: 'Carer (the plan of the person I care for)',
  };
  const roles = [...StaffRole.options, ...PersonRole.options]
    .map(
      (role, i) =>
        `<label><input type="radio" name="role" value="${role}"${(fields.get('role') ?? (i === 0 ? role : '')) === role ? ' checked' : ''}> ${roleNames[role]}</label>`,
    )
    .join('');
  return page(
    'Sign in to Homeward',
    `${problem ? `<p class="error" role="alert">${escape(problem)}</p>` : ''}
<p>This is the development issuer: a trust's identity provider (NHS CIS2) asks for a smartcard here, and NHS login proves a patient's or carer's identity.</p>
<form method="post" action="/dev-issuer/authorize">${keep}
<fieldset><legend>Sign in as</legend>${roles}</fieldset>
<label for="sites">Sites (optional, comma-separated; none: every site)</label>
<input id="sites" name="sites" value="${escape(fields.get('sites') ?? '')}" autocomplete="off">
<label for="nhs_number">NHS number (patient or carer: your own)</label>
<input id="nhs_number" name="nhs_number" value="${escape(fields.get('nhs_number') ?? '')}" inputmode="numeric" autocomplete="off">
<p><button type="submit" name="choice" value="sign-in">Sign in</button><button type="submit" name="choice" value="cancel">Cancel</button></p>
</form>`,
  );
}

function json(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** `redirectOrigin`: where the form's answer redirects to (browsers hold the redirect to form-action too). */
function html(response: http.ServerResponse, status: number, body: string, redirectOrigin?: string) {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${redirectOrigin ? ` ${redirectOrigin}` : ''}; frame-ancestors 'none'`,
  });
  response.end(body);
}

function redirect(response: http.ServerResponse, location: string) {
  response.writeHead(303, { location, 'cache-control': 'no-store' });
  response.end();
}

function cookie(request: http.IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 16_384) throw new Error('body too large');
  }
  return body;
}

export interface DevTokenRequest {
  issuer: string;
  audience: string;
  /** `discharge-team`, `manager`, `agency:<agency>`, `patient` or `carer`. */
  role: string;
  sites?: string[];
  /** A patient's or carer's own NHS number: the claim NHS login asserts. */
  nhsNumber?: string;
  subject?: string;
  ttlSeconds?: number;
}

/** An hour: well inside the API's default maximum lifetime (HOMEWARD_OIDC_MAX_TOKEN_LIFETIME). */
const devTokenSeconds = 3600;

/** Signed as a trust's issuer would: `typ` JWT, `iat` now, a lifetime the API accepts. */
export async function signDevToken(secrets: DevSecrets, request: DevTokenRequest): Promise<string> {
  const key = await importJWK(secrets.issuer.privateJwk, secrets.issuer.alg);
  return new SignJWT({
    roles: [request.role],
    ...(request.sites?.length ? { sites: request.sites } : {}),
    ...(request.nhsNumber ? { [nhsNumberClaim]: request.nhsNumber } : {}),
  })
    .setProtectedHeader({ alg: secrets.issuer.alg, kid: secrets.issuer.kid, typ: 'JWT' })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(
      request.subject ?? (request.nhsNumber ? personSubject(request.role, request.nhsNumber) : `dev:${request.role}`),
    )
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? devTokenSeconds}s`)
    .sign(key);
}
