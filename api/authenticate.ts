import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config';
import { actorFromClaims } from '../app/identity';
import { AppError, unauthenticated } from '../app/errors';
import type { Actor } from '../schemas/actor';

/**
 * Bearer tokens from the trust's OIDC issuer, verified against its JWKS: signature, issuer,
 * audience, expiry, issue time and lifetime (within the clock skew), type, and only the pinned
 * algorithms (never `none` or a shared-secret HS*).
 */
export function createAuthenticator(
  oidc: Config['oidc'],
  patientKeySecret?: string,
): (authorization: string | undefined) => Promise<Actor> {
  if (!oidc.issuer)
    throw new Error(
      'Invalid configuration: HOMEWARD_OIDC_ISSUER is not set: the API accepts no request without a token issuer (npm start runs a development one)',
    );
  const issuer = oidc.issuer;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const jwks = () =>
    (keys ??= discoverJwks(issuer, oidc.jwksUrl).catch((error: unknown) => {
      keys = undefined; // try discovery again on the next request
      throw error;
    }));

  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '');
    if (!authorization) throw new AppError('unauthenticated', 'missing_token', 'Missing Authorization: Bearer <token>');
    if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>"');
    try {
      const { payload, protectedHeader } = await jwtVerify(match[1], await jwks(), {
        issuer,
        audience: oidc.audience,
        algorithms: oidc.algorithms,
        requiredClaims: ['exp', 'sub'],
        // Requires iat, refuses one in the future beyond the skew, and a token older than any may live.
        maxTokenAge: oidc.maxTokenLifetimeSeconds,
        clockTolerance: oidc.clockSkewSeconds,
      });
      checkTokenType(protectedHeader.typ);
      checkLifetime(payload.iat!, payload.exp!, oidc.maxTokenLifetimeSeconds);
      return actorFromClaims(payload as Record<string, unknown>, { ...oidc, patientKeySecret });
    } catch (error) {
      throw asAuthError(error);
    }
  };
}

/**
 * An access token (RFC 9068 `at+jwt`) or a plain JWT; any other type is a token minted for
 * something else (a logout token, a DPoP proof) that happens to carry our issuer's signature.
 */
function checkTokenType(typ: unknown): void {
  if (typ === undefined) return;
  const type = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (type !== 'jwt' && type !== 'at+jwt')
    throw unauthenticated(`Token type (typ) ${JSON.stringify(typ)} is not an access token: expected JWT or at+jwt`);
}

/** A token minted to live longer than the deployment allows is refused outright, however young it is now. */
function checkLifetime(iat: number, exp: number, maxSeconds: number): void {
  const lifetime = exp - iat;
  if (lifetime > maxSeconds)
    throw unauthenticated(
      `Token lifetime (exp - iat) of ${lifetime} seconds is longer than the ${maxSeconds} seconds this API accepts`,
    );
}

async function discoverJwks(issuer: string, jwksUrl: string | undefined): Promise<JWTVerifyGetKey> {
  if (jwksUrl) return createRemoteJWKSet(new URL(jwksUrl));
  const document = await discover(issuer);
  if (typeof document.jwks_uri !== 'string')
    throw new AppError(
      'unavailable',
      'issuer_unusable',
      `The token issuer's discovery document (${discoveryUrl(issuer)}) has no jwks_uri`,
    );
  return createRemoteJWKSet(new URL(document.jwks_uri));
}

const discoveryUrl = (issuer: string) => new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);

/** The issuer's OpenID discovery document (its keys, and the endpoints the staff pages sign in through). */
export async function discover(issuer: string): Promise<Record<string, unknown>> {
  const url = discoveryUrl(issuer);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch {
    throw new AppError(
      'unavailable',
      'issuer_unreachable',
      `The token issuer's discovery document (${url}) cannot be reached`,
    );
  }
  const document = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok || !document || typeof document !== 'object') {
    throw new AppError(
      'unavailable',
      'issuer_unusable',
      `The token issuer's discovery document (${url}) is not a JSON object`,
    );
  }
  return document as Record<string, unknown>;
}

function asAuthError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return unauthenticated('Token expired');
  if (error instanceof errors.JWTClaimValidationFailed) return unauthenticated(claimRefusal(error));
  if (error instanceof errors.JOSEAlgNotAllowed)
    return unauthenticated('Token signed with an algorithm this API does not accept');
  if (error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
    return new AppError('unavailable', 'issuer_unreachable', "The token issuer's keys cannot be fetched right now");
  }
  if (error instanceof errors.JOSEError) return unauthenticated('Invalid token');
  return error;
}

function claimRefusal(error: errors.JWTClaimValidationFailed): string {
  if (error.reason === 'missing') return `Token claim ${error.claim} is missing`;
  if (error.claim === 'iat' && error.reason === 'check_failed') return 'Token claim iat is in the future';
  return `Token claim ${error.claim} is not acceptable`;
}
