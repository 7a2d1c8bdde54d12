import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { AppError } from '../app/errors';
import { labelsScript } from '../schemas/labels';
import { discover } from './authenticate';

const directory = path.join(__dirname, '..', 'pages');
/** The staff pages (the managers' dashboard, the discharge team's board) and the patient's and carer's plan. */
const pages = { dashboard: 'dashboard.html', board: 'board.html', 'my-plan': 'my-plan.html' } as const;
type PageName = keyof typeof pages;
const assets: Record<string, string> = {
  'auth.js': 'text/javascript; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'board.js': 'text/javascript; charset=utf-8',
  'my-plan.js': 'text/javascript; charset=utf-8',
  'pages.css': 'text/css; charset=utf-8',
};

export type SignInConfig = Pick<Config['oidc'], 'issuer' | 'browser'>;

/** What a page needs to sign in through the trust's issuer (no secret: the pages are a public client using PKCE). */
export interface SignInSettings {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint?: string;
  clientId: string;
  /** Absent in development: the page's own origin + `/signed-in`. */
  redirectUri?: string;
  scope: string;
}

/**
 * The staff pages: static files served from this repository (no CDN, no framework). They hold no
 * pathway data, so they need no token to load; each signs in through the trust's issuer
 * (authorization code + PKCE, in the browser) and reads every figure through the token-protected
 * API. The CSP keeps them to this origin, and to the issuer's token endpoint for the code exchange.
 */
export function registerPages(app: FastifyInstance, oidc: SignInConfig) {
  let settings: Promise<SignInSettings> | undefined;
  const signIn = () =>
    (settings ??= signInSettings(oidc).catch((error: unknown) => {
      settings = undefined; // ask the issuer again next time
      throw error;
    }));
  const headers = async () => {
    const tokenOrigin = await signIn().then(
      (s) => new URL(s.tokenEndpoint).origin,
      () => undefined,
    );
    return {
      'content-security-policy': `default-src 'self'; connect-src 'self'${tokenOrigin ? ` ${tokenOrigin}` : ''}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      // The sign-in code in /signed-in's address is never sent on to another site.
      'referrer-policy': 'no-referrer',
    };
  };
  const send = async (reply: FastifyReply, page: PageName) =>
    reply
      .headers(await headers())
      .type('text/html; charset=utf-8')
      .send(fs.readFileSync(path.join(directory, pages[page])));

  app.get('/dashboard', (_request, reply) => send(reply, 'dashboard'));
  app.get('/board', (_request, reply) => send(reply, 'board'));
  app.get('/my-plan', (_request, reply) => send(reply, 'my-plan'));
  // The one redirect URI the issuer knows: the page that asked says so in its `state` (`board.<random>`).
  app.get('/signed-in', (request: FastifyRequest<{ Querystring: { state?: string } }>, reply) => {
    const page = String(request.query.state ?? '').split('.')[0];
    return send(reply, page === 'board' || page === 'my-plan' ? page : 'dashboard');
  });
  app.get('/auth/settings', async (_request, reply) => reply.header('cache-control', 'no-cache').send(await signIn()));
  // The one table of labels (schemas/labels.ts), as the CLI and the CSV headers use it.
  app.get('/assets/labels.js', async (_request, reply) =>
    reply
      .headers(await headers())
      .type('text/javascript; charset=utf-8')
      .send(labelsScript()),
  );
  app.get('/assets/:file', async (request: FastifyRequest<{ Params: { file: string } }>, reply) => {
    const type = Object.hasOwn(assets, request.params.file) ? assets[request.params.file] : undefined;
    if (!type) return reply.status(404).send({ error: 'not_found', message: 'No such page asset' });
    return reply
      .headers(await headers())
      .type(type)
      .send(fs.readFileSync(path.join(directory, request.params.file)));
  });
}

async function signInSettings(oidc: SignInConfig): Promise<SignInSettings> {
  const { clientId, redirectUri, scope } = oidc.browser;
  if (!oidc.issuer || !clientId) {
    throw new AppError(
      'unavailable',
      'sign_in_not_configured',
      'Sign-in in the browser is not configured: set HOMEWARD_OIDC_CLIENT_ID and HOMEWARD_OIDC_REDIRECT_URI',
    );
  }
  const document = await discover(oidc.issuer);
  const endpoint = (name: string) => {
    const value = document[name];
    if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
      throw new AppError(
        'unavailable',
        'issuer_unusable',
        `The token issuer's discovery document has no ${name}: it does not offer the authorization code flow`,
      );
    }
    return value;
  };
  const methods = document.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256'))
    throw new AppError('unavailable', 'issuer_unusable', 'The token issuer does not offer PKCE with S256');
  const endSession = document.end_session_endpoint;
  return {
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    ...(typeof endSession === 'string' ? { endSessionEndpoint: endSession } : {}),
    clientId,
    ...(redirectUri ? { redirectUri } : {}),
    scope,
  };
}
