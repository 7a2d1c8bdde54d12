import { SignJWT, generateKeyPair, importJWK, type JWTHeaderParameters } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission, jointAssessment } from './support/fixtures';
import { testSecrets } from './support/secrets';
import { eventually, startSystem } from './support/system';

// The trust boundary on the real API, Temporal and a real issuer (discovery + JWKS over HTTP);
// tokens are signed with the run's issuer key, never faked.
let system: Awaited<ReturnType<typeof startSystem>>;
let pathwayId: string;
beforeAll(async () => {
  system = await startSystem();
  const body = admission();
  pathwayId = `pathway-${body.admissionId}`;
  await system.call('POST', '/pathways', body);
  // Referrals: ref-1 reablement → intermediate-care, ref-2 equipment → equipment. None to housing.
  await system.call('POST', `/pathways/${pathwayId}/assessment`, {
    ...jointAssessment,
    pathway: 'P1',
    needs: ['reablement', 'equipment'],
  });
  // Timelines come from the read model: wait until the projector has the referrals.
  await eventually(
    () => system.call('GET', `/pathways/${pathwayId}/timeline`),
    (r) => r.body.timeline?.length === 4,
  );
});
afterAll(async () => {
  await system?.stop();
});

type Expectation = 'allowed' | 403 | 404;
const reads = new Set(['getPathway', 'getTimeline']);
// Answers, delay reasons, and what the agencies write back (issue 24).
const agencyCommands = new Set([
  'command-referral-response',
  'command-delay-reason',
  'command-episode-review',
  'command-transition-plan',
  'command-funding-decision',
  'command-support-started',
  'command-support-not-started',
  'command-housing-outcome',
  'command-start-date-moved',
]);
const managersReads = new Set(['listPathways', 'delayReport', 'sitrepReport', 'delayTrend', 'worklist']);

/** The role matrix, written out here (not taken from the rules under test). */
const matrix: Record<string, (operationId: string) => Expectation> = {
  'discharge-team': () => 'allowed',
  manager: (op) => (reads.has(op) || managersReads.has(op) ? 'allowed' : 403),
  // Referred on the pathway: reads its own view, answers referrals, records its delay reasons.
  // Its list holds only the pathways it is referred on (read-model.test.ts checks what it holds).
  'agency:equipment': (op) => (reads.has(op) || agencyCommands.has(op) || op === 'listPathways' ? 'allowed' : 403),
  // Not referred: the pathway does not exist for it; its list is empty.
  'agency:housing': (op) => (op === 'listPathways' ? 'allowed' : reads.has(op) || agencyCommands.has(op) ? 404 : 403),
};

interface Operation {
  method: string;
  path: string;
  operationId: string;
  secured: boolean;
}

async function operations(): Promise<Operation[]> {
  const document = (await system.call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path: path.replace('{id}', pathwayId),
      operationId: operation.operationId,
      secured: operation.security === undefined || operation.security.length > 0,
    })),
  );
}

describe('who may do what, for every route of the OpenAPI document', () => {
  it('every secured route answers 401 with WWW-Authenticate: Bearer without a valid token', async () => {
    const ops = await operations();
    // The staff pages hold no data: they sign in through the issuer and read through the secured API.
    expect(
      ops
        .filter((op) => !op.secured)
        .map((op) => op.operationId)
        .sort(),
    ).toEqual(['board', 'dashboard', 'health', 'openapi', 'signInSettings', 'signedIn']);
    const wrongKey = (await generateKeyPair('ES256')).privateKey;
    const forged = await new SignJWT({ roles: ['discharge-team'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'someone-else' })
      .setIssuer(system.issuer)
      .setAudience('homeward')
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(wrongKey);
    const invalidTokens: Record<string, string | null> = {
      none: null,
      junk: 'junk',
      expired: await system.token('discharge-team', { ttlSeconds: -60 }),
      'wrong audience': await system.token('discharge-team', { audience: 'someone-else' }),
      'wrong issuer': await system.token('discharge-team', { issuer: 'http://127.0.0.1:1/elsewhere' }),
      'signed by another key': forged,
      'alg none': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', roles: ['discharge-team'], aud: 'homeward', iss: system.issuer, exp: 9e9 })).toString('base64url')}.`,
    };
    for (const op of ops.filter((o) => o.secured)) {
      for (const [kind, bearer] of Object.entries(invalidTokens)) {
        const response = await system.callWith(bearer, op.method, op.path, op.method === 'POST' ? {} : undefined);
        expect({ op: op.operationId, kind, status: response.status }).toEqual({
          op: op.operationId,
          kind,
          status: 401,
        });
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="homeward"/);
        if (kind === 'expired') expect(response.body.message).toBe('Token expired');
      }
    }
    for (const op of ops.filter((o) => !o.secured))
      expect((await system.callWith(null, op.method, op.path)).status).toBe(200);
  });

  it('each role gets exactly its rights: 403 naming the permission, 404 for a pathway an agency may not see', async () => {
    const ops = (await operations()).filter((op) => op.secured);
    for (const [role, expect_] of Object.entries(matrix)) {
      const bearer = await system.token(role);
      for (const op of ops) {
        const expected = expect_(op.operationId);
        // An empty body: an allowed command is then refused as invalid (422), never run.
        const response = await system.callWith(bearer, op.method, op.path, op.method === 'POST' ? {} : undefined);
        const got = [401, 403, 404].includes(response.status) ? response.status : 'allowed';
        expect({ role, op: op.operationId, got }).toEqual({ role, op: op.operationId, got: expected });
        if (response.status === 403)
          expect(response.body.message).toMatch(
            /^Needs permission (pathway:start|pathways:list|reports:read|command:[a-z-]+)/,
          );
        if (expected === 'allowed') expect([200, 201, 409, 422]).toContain(response.status);
      }
    }
  });

  it('a token with no Homeward role is refused with 403 naming what is missing', async () => {
    const response = await system.callWith(await system.token('porter'), 'GET', `/pathways/${pathwayId}`);
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/names none of discharge-team, manager, agency:<agency>/);
  });
});

describe('site limits and agencies acting only as themselves', () => {
  it('staff limited to other sites cannot see, list, report on or start pathways of this site', async () => {
    const elsewhere = await system.token('manager', { sites: ['ELSEWHERE'] });
    expect((await system.callWith(elsewhere, 'GET', `/pathways/${pathwayId}`)).status).toBe(404);
    expect((await system.callWith(elsewhere, 'GET', '/pathways?site=LEEDS-GEN')).status).toBe(403);
    const listed = await system.callWith(elsewhere, 'GET', '/pathways?status=all&limit=1000');
    expect(listed.status).toBe(200);
    expect(listed.body.pathways.filter((p: { site: string }) => p.site !== 'ELSEWHERE')).toEqual([]);
    expect((await system.callWith(elsewhere, 'GET', '/worklist?site=LEEDS-GEN')).status).toBe(403);
    const board = await system.callWith(elsewhere, 'GET', '/worklist');
    expect(board.body.pathways.filter((p: { site: string }) => p.site !== 'ELSEWHERE')).toEqual([]);
    const team = await system.token('discharge-team', { sites: ['ELSEWHERE'] });
    const start = await system.callWith(team, 'POST', '/pathways', admission());
    expect(start).toMatchObject({
      status: 403,
      body: { message: expect.stringMatching(/site LEEDS-GEN is not one of this user's sites/) },
    });
    expect((await system.callWith(team, 'POST', '/pathways', admission({ site: 'ELSEWHERE' }))).status).toBe(201);
    const own = await system.token('manager', { sites: ['LEEDS-GEN'] });
    expect((await system.callWith(own, 'GET', `/pathways/${pathwayId}`)).status).toBe(200);
  });

  it('an agency answers only its own referrals and records delay reasons only as itself', async () => {
    const equipment = await system.token('agency:equipment');
    const asOther = await system.callWith(equipment, 'POST', `/pathways/${pathwayId}/referral-response`, {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'declined',
    });
    expect(asOther).toMatchObject({
      status: 403,
      body: { message: expect.stringMatching(/acts only as itself \(equipment\)/) },
    });
    const othersReferral = await system.callWith(equipment, 'POST', `/pathways/${pathwayId}/referral-response`, {
      referralId: 'ref-1',
      agency: 'equipment',
      response: 'declined',
    });
    expect(othersReferral).toMatchObject({ status: 409, body: { error: 'unknown_referral' } });
    const delay = await system.callWith(equipment, 'POST', `/pathways/${pathwayId}/delay-reason`, {
      code: 'homeless_nrpf',
      agency: 'housing',
    });
    expect(delay.status).toBe(403);
    const own = await system.callWith(equipment, 'POST', `/pathways/${pathwayId}/referral-response`, {
      referralId: 'ref-2',
      agency: 'equipment',
      response: 'accepted',
    });
    expect(own).toMatchObject({ status: 200, body: { events: [{ type: 'referral.accepted' }] } });
    const view = await system.call('GET', `/pathways/${pathwayId}`);
    expect(view.body.state.referrals.map((r: { status: string }) => r.status)).toEqual(['requested', 'accepted']);
  });

  it("an agency probing referral ids learns nothing: another agency's referral is answered as one that does not exist, and nothing is recorded", async () => {
    const equipment = await system.token('agency:equipment');
    const answer = (bearer: string, referralId: string) =>
      system.callWith(bearer, 'POST', `/pathways/${pathwayId}/referral-response`, {
        referralId,
        agency: 'equipment',
        response: 'declined',
      });
    const updatesAccepted = async () =>
      (await system.client.workflow.getHandle(pathwayId).fetchHistory()).events?.filter(
        (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
      ).length;
    const accepted = await updatesAccepted();
    // ref-1 is intermediate care's; there is no ref-3.
    const others = await answer(equipment, 'ref-1');
    const none = await answer(equipment, 'ref-3');
    expect(others).toMatchObject({
      status: 409,
      body: { error: 'unknown_referral', message: 'referralId: no referral ref-1 of yours on this pathway' },
    });
    expect({
      status: none.status,
      body: { ...none.body, message: String(none.body.message).replace('ref-3', 'ref-1') },
    }).toEqual({ status: others.status, body: others.body });
    expect(JSON.stringify(others.body)).not.toContain('intermediate-care');
    // Refused by the Update's validator: not even an accepted Update in the workflow's history.
    expect(await updatesAccepted()).toBe(accepted);
    // The discharge team, the trust's own staff answering on an agency's behalf, is told whose referral it is.
    expect(await answer(await system.token('discharge-team'), 'ref-1')).toMatchObject({
      status: 409,
      body: { error: 'wrong_agency', message: 'referral ref-1 is addressed to intermediate-care, not equipment' },
    });
    expect(await answer(await system.token('discharge-team'), 'ref-3')).toMatchObject({
      status: 409,
      body: { error: 'unknown_referral', message: 'referralId: no referral ref-3 on this pathway' },
    });
  });
});

/**
 * A token signed with the run's issuer key as an attacker holding a token from a careless or
 * compromised client would shape it: any claims, header and times (seconds from now; `iat: null`
 * leaves it out). Defaults are a well-formed manager token.
 */
async function issued(
  claims: Record<string, unknown>,
  shape: { header?: Partial<JWTHeaderParameters>; iat?: number | null; exp?: number } = {},
): Promise<string> {
  const { issuer } = testSecrets();
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: ['manager'], ...claims })
    .setProtectedHeader({ alg: issuer.alg, kid: issuer.kid, ...shape.header })
    .setIssuer(system.issuer)
    .setAudience('homeward')
    .setSubject('mallory')
    .setExpirationTime(now + (shape.exp ?? 600));
  if (shape.iat !== null) jwt.setIssuedAt(now + (shape.iat ?? 0));
  return jwt.sign(await importJWK(issuer.privateJwk, issuer.alg));
}

describe('a token that would widen its holder’s rights is refused (issue 19)', () => {
  const read = (bearer: string) => system.callWith(bearer, 'GET', `/pathways/${pathwayId}`);
  const refusedAs401 = (response: Awaited<ReturnType<typeof read>>, message: string | RegExp) => {
    expect({ status: response.status, message: response.body.message }).toEqual({
      status: 401,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="homeward"/);
  };

  it('a malformed sites claim is 401 naming the claim, never every site and never 500', async () => {
    const named = 'Token claim sites must be a non-empty list of at most 50 site codes';
    // The pathway is at LEEDS-GEN; before the fix `sites: []` read it as an unlimited manager.
    for (const sites of [[], [''], ['x'.repeat(65)], [7], ['ELSEWHERE', 7], 'LEEDS-GEN']) {
      const bearer = await issued({ sites });
      refusedAs401(await read(bearer), named);
      refusedAs401(await system.callWith(bearer, 'GET', '/pathways?status=all'), named);
    }
    expect((await read(await issued({ sites: ['LEEDS-GEN'] }))).status).toBe(200);
    expect((await read(await issued({}))).status).toBe(200);
  });

  it('a token naming several Homeward roles is 403 naming them, in either order', async () => {
    for (const roles of [
      ['agency:social-care', 'agency:housing'],
      ['agency:housing', 'agency:social-care'],
    ]) {
      const response = await system.callWith(await issued({ roles }), 'GET', '/pathways');
      expect({ status: response.status, message: response.body.message }).toEqual({
        status: 403,
        message:
          "Needs permission exactly one Homeward role: the token's roles claim names several (agency:housing, agency:social-care)",
      });
    }
    for (const roles of [
      ['discharge-team', 'manager'],
      ['manager', 'agency:equipment'],
    ]) {
      const start = await system.callWith(await issued({ roles }), 'POST', '/pathways', admission());
      expect(start).toMatchObject({
        status: 403,
        body: {
          message: expect.stringMatching(/names several \((discharge-team, manager|agency:equipment, manager)\)$/),
        },
      });
    }
  });

  it('a token minted to live for 100 years is 401 naming its lifetime; one issued in the future, or with no iat, is 401', async () => {
    const century = 100 * 365 * 86_400;
    refusedAs401(
      await read(await issued({}, { exp: century })),
      `Token lifetime (exp - iat) of ${century} seconds is longer than the 7200 seconds this API accepts`,
    );
    refusedAs401(await read(await issued({}, { iat: 3600, exp: 4200 })), 'Token claim iat is in the future');
    refusedAs401(await read(await issued({}, { iat: null })), 'Token claim iat is missing');
    // The issuer's clock a little ahead (within HOMEWARD_OIDC_CLOCK_SKEW) and the longest lifetime allowed still pass.
    expect((await read(await issued({}, { iat: 30 }))).status).toBe(200);
    expect((await read(await issued({}, { iat: -100, exp: 7100 }))).status).toBe(200);
  });

  it('only an access token is accepted: typ absent, JWT or at+jwt; a logout token or a DPoP proof is 401', async () => {
    for (const typ of ['JWT', 'at+jwt', 'application/at+jwt', undefined])
      expect({ typ, status: (await read(await issued({}, { header: { typ } }))).status }).toEqual({ typ, status: 200 });
    for (const typ of ['logout+jwt', 'dpop+jwt', 'secevent+jwt'])
      refusedAs401(await read(await issued({}, { header: { typ } })), /^Token type \(typ\) .* is not an access token/);
  });
});

describe('configuration', () => {
  it('the API refuses to start without a token issuer', async () => {
    const { startApi } = await import('../api/server');
    const pino = (await import('pino')).default;
    const config = { ...system.config, oidc: { ...system.config.oidc, issuer: undefined } };
    await expect(startApi(config, pino({ level: 'silent' }))).rejects.toThrow(/HOMEWARD_OIDC_ISSUER is not set/);
  });
});
