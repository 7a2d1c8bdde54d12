import http from 'node:http';
import { importJWK, SignJWT } from 'jose';
import type { DevSecrets } from './dev-secrets';

/**
 * The local development token issuer that `npm start` runs: an OIDC discovery document and a
 * JWKS with the data dir's public key, on loopback only. Tokens are signed by whoever holds the
 * data dir's private key (`homeward token`), exactly as a real issuer would sign them, so the API
 * verifies them through the same code path as a trust's own identity provider. Never in production.
 */
export const devIssuerUrl = (port: number) => `http://127.0.0.1:${port}/dev-issuer`;

export async function startDevIssuer(secrets: DevSecrets, port: number): Promise<{ url: string; close(): Promise<void> }> {
  let issuer = '';
  const server = http.createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { error: 'method_not_allowed' });
    if (request.url === '/dev-issuer/.well-known/openid-configuration') {
      return send(200, { issuer, jwks_uri: `${issuer}/jwks.json`, id_token_signing_alg_values_supported: [secrets.issuer.alg] });
    }
    if (request.url === '/dev-issuer/jwks.json') return send(200, { keys: [secrets.issuer.publicJwk] });
    return send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  issuer = devIssuerUrl(typeof address === 'object' && address ? address.port : port);
  return {
    url: issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface DevTokenRequest {
  issuer: string;
  audience: string;
  /** `discharge-team`, `manager` or `agency:<agency>`. */
  role: string;
  sites?: string[];
  subject?: string;
  ttlSeconds?: number;
}

/** An hour: well inside the API's default maximum lifetime (HOMEWARD_OIDC_MAX_TOKEN_LIFETIME). */
const devTokenSeconds = 3600;

/** Signed as a trust's issuer would: `typ` JWT, `iat` now, a lifetime the API accepts. */
export async function signDevToken(secrets: DevSecrets, request: DevTokenRequest): Promise<string> {
  const key = await importJWK(secrets.issuer.privateJwk, secrets.issuer.alg);
  return new SignJWT({ roles: [request.role], ...(request.sites?.length ? { sites: request.sites } : {}) })
    .setProtectedHeader({ alg: secrets.issuer.alg, kid: secrets.issuer.kid, typ: 'JWT' })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(request.subject ?? `dev:${request.role}`)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? devTokenSeconds}s`)
    .sign(key);
}
