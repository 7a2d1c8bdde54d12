import { randomUUID } from 'node:crypto';
import { clientInterceptors } from '../telemetry/temporal';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createDataConverter } from '../codec/data-converter';
import type { Config } from '../config';
import { connectionOptions } from '../config/temporal-connection';
import { createApplication, type Application } from '../app';
import { AppError } from '../app/errors';
import type { Actor } from '../schemas/actor';
import { connectDatabase, type Database } from '../readmodel/database';
import type { Freshness } from '../readmodel/freshness';
import { checkSchema } from '../readmodel/migrate';
import { createAuthenticator } from './authenticate';
import { delayReportCsv, sitrepCsv } from './csv';
import { registerPages, type SignInConfig } from './pages';
import { exposition, httpRequestDuration, httpRequests } from '../health/metrics';
import { healthReport } from '../health/registry';
import type { Checks } from '../health/server';
import { sendAppError } from './errors';
import { openApiDocument } from './openapi';

export interface RunningApi {
  url: string;
  /** The readiness probe's: Temporal's frontend and the read model answer. */
  checks: Checks;
  close(): Promise<void>;
}

type Params = { id: string; command: string };
type Authenticate = (authorization: string | undefined) => Promise<Actor>;
type Request = FastifyRequest<{ Params: Params }>;

/** CSV when asked for by `?format=csv` (the use case read it) or `Accept: text/csv`. */
const wantsCsv = (request: Request, format?: string) =>
  format === 'csv' || /\btext\/csv\b/.test(request.headers.accept ?? '');

function csv(reply: FastifyReply, filename: string, body: string) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(body);
}

/**
 * Every route but /health, /openapi.json and the staff pages' static files and sign-in settings needs a verified token: the route only turns the
 * request into a use case call with the token's actor; what is allowed is the application's call.
 */
export const routes: {
  method: 'GET' | 'POST';
  url: string;
  run: (app: Application, actor: Actor, request: Request, reply: FastifyReply) => Promise<unknown>;
}[] = [
  { method: 'GET', url: '/pathways', run: (app, actor, request) => app.queries.list(actor, request.query) },
  { method: 'GET', url: '/pathways/:id', run: (app, actor, request) => app.pathways.read(actor, request.params.id) },
  {
    method: 'GET',
    url: '/pathways/:id/timeline',
    run: (app, actor, request) => app.pathways.timeline(actor, request.params.id),
  },
  {
    method: 'POST',
    url: '/pathways/:id/:command',
    run: (app, actor, request) => app.pathways.command(actor, request.params.id, request.params.command, request.body),
  },
  {
    method: 'GET',
    url: '/reports/delays',
    run: async (app, actor, request, reply) => {
      const { format, ...report } = await app.queries.delayReport(actor, request.query);
      freshnessHeaders(reply, report.freshness);
      return wantsCsv(request, format) ? csv(reply, `delays-${report.asOf}.csv`, delayReportCsv(report)) : report;
    },
  },
  {
    method: 'GET',
    url: '/reports/sitrep',
    run: async (app, actor, request, reply) => {
      const { format, ...sitrep } = await app.queries.sitrep(actor, request.query);
      freshnessHeaders(reply, sitrep.freshness);
      return format === 'json' ? sitrep : csv(reply, `sitrep-${sitrep.date}.csv`, sitrepCsv(sitrep.date, sitrep.sites));
    },
  },
  { method: 'GET', url: '/reports/trend', run: (app, actor, request) => app.queries.trend(actor, request.query) },
  { method: 'GET', url: '/worklist', run: (app, actor, request) => app.queries.worklist(actor, request.query) },
  // The patient's or carer's own plan: bound by their token, never named by an id in the address.
  { method: 'GET', url: '/me', run: (app, actor) => app.plans.read(actor) },
  {
    method: 'POST',
    url: '/me/consents/:id/withdraw',
    run: (app, actor, request) => app.plans.withdrawConsent(actor, request.params.id),
  },
  {
    method: 'POST',
    url: '/me/carers/:id/revoke',
    run: (app, actor, request) => app.plans.revokeCarerAccess(actor, request.params.id),
  },
];

/**
 * Each request's id: the caller's `X-Request-Id` when it is a plain token (a gateway's, to join
 * its logs to ours), else a new one. Every log line of the request and its answer's
 * `X-Request-Id` carry it.
 */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Every read from the read model says how fresh it is: in the JSON body, and in headers (which CSV has too). */
function freshnessHeaders(reply: FastifyReply, fresh: Freshness | undefined) {
  if (fresh)
    reply
      .header('x-read-model-last-event-at', fresh.lastEventAt ?? '')
      .header('x-read-model-lag', String(fresh.lagEvents));
}

/** The HTTP API: authentication and translation only; the use cases live in app/. */
export async function buildApp(
  application: Application,
  authenticate: Authenticate,
  logger: Logger,
  limits: Pick<Config['http'], 'rateLimitPerMinute'>,
  signIn: SignInConfig = { browser: { scope: 'openid' } },
) {
  // Long path parameters reach the handler (and get a plain 404) instead of fastify's own 414. The
  // request log has the path without its query: a sign-in code or a filter stays out of the logs.
  const loggerInstance = logger.child(
    { component: 'api' },
    {
      serializers: {
        req: (request: FastifyRequest) => ({ method: request.method, path: request.url.split('?')[0], id: request.id }),
      },
    },
  );
  const app = Fastify({ loggerInstance, routerOptions: { maxParamLength: 16_384 }, genReqId: requestId });
  // Each request's token is verified once: the rate limit counts by its subject, the route acts as it.
  const actors = new WeakMap<FastifyRequest, Promise<Actor>>();
  const actorOf = (request: FastifyRequest) => {
    let actor = actors.get(request);
    if (!actor) actors.set(request, (actor = authenticate(request.headers.authorization)));
    return actor;
  };
  // Per client, before the body is read: a token's subject (one person or system, whatever its
  // address), else the address, so a bad token buys nobody a fresh allowance. /health is exempt.
  // Loaded before any route is declared, so that every route gets it.
  await app.register(rateLimit, {
    max: limits.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) =>
      actorOf(request).then(
        (actor) => `subject:${actor.subject}`,
        () => `address:${normalizeIP(request.ip)}`,
      ),
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(
          `Too many requests from this client (at most ${limits.rateLimitPerMinute} a minute); retry in ${context.after}`,
        ),
        { statusCode: context.statusCode },
      ),
  });
  // Every answer may hold patient data, errors included: no browser or proxy keeps a copy, and none
  // is read as another type than it says. The API document and the dashboard's static files hold
  // none and say their own caching.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  // What each path pattern answers to, so a wrong method gets 405 with Allow rather than 404.
  const registered: { pattern: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.]/g, '\\.').replace(/:[^/]+/g, '[^/]+')}$`);
    for (const method of [route.method].flat()) registered.push({ pattern, method });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = [...new Set(registered.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
    if (allowed.length > 0) {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({
          error: 'method_not_allowed',
          message: `${request.method} is not allowed here; allowed: ${allowed.join(', ')}`,
        });
    }
    return reply.status(404).send({ error: 'not_found', message: 'No such route' });
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) return sendAppError(reply, error);
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own (malformed JSON, wrong content type, body too large) and the rate limit's (Retry-After set).
      return reply
        .status(status)
        .send({ error: status === 429 ? 'rate_limited' : 'bad_request', message: error.message });
    }
    // Never echo internals: the caller gets an id that finds the log line. An unforeseen error's
    // message may quote request data or a row, so the log gets its type and where it was thrown.
    const correlationId = request.id;
    const frames = ((error as Error).stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .map((line) => line.trim());
    request.log.error({ correlationId, err: { type: (error as Error).name, frames } }, 'request failed');
    return reply
      .status(500)
      .header('x-correlation-id', correlationId)
      .send({
        error: 'internal',
        message: `Internal error; quote ${correlationId} to the service desk`,
        correlationId,
      });
  });

  // This process's long-running parts (the inbound consumers, when they run here) say how they
  // are, and the read model how far its projector is behind (no pathway data: no token needed).
  // 503 when a part is down, so that a load balancer or a probe needs no JSON to see it.
  app.get('/health', { config: { rateLimit: false } }, async (_request, reply) => {
    const report = healthReport();
    return reply
      .status(report.status === 'ok' ? 200 : 503)
      .send({ ...report, projector: await application.queries.projector() });
  });
  // No token, as /health: counts by route, stage and site, never a pathway or a person.
  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    const { contentType, body } = await exposition();
    return reply.type(contentType).send(body);
  });
  // By the route's pattern, so that ids never become labels; a path no route matches is `unmatched`.
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/openapi.json', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(openApiDocument()),
  );
  await app.register(async (scope) => registerPages(scope, signIn));

  app.post('/pathways', async (request, reply) => {
    const result = await application.pathways.start(await actorOf(request), request.body);
    return reply
      .status(result.created ? 201 : 200)
      .header('location', `/pathways/${result.pathwayId}`)
      .send(result);
  });
  for (const route of routes) {
    app.route<{ Params: Params }>({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const result = await route.run(application, await actorOf(request), request, reply);
        if (!reply.sent) freshnessHeaders(reply, (result as { freshness?: Freshness } | undefined)?.freshness);
        return result;
      },
    });
  }
  return app;
}

export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  // Refuse to start rather than serve patients' data to anyone.
  const authenticate = createAuthenticator(config.oidc, config.patientKeySecret);
  // Lazy, so the API starts (and answers 503) while Temporal is down; few quick retries, so a
  // request learns within about a second that Temporal is unreachable instead of hanging.
  const connection = Connection.lazy({
    ...connectionOptions(config.temporal),
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 400 }))],
  });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config),
    interceptors: clientInterceptors(),
  });
  const db: Database = connectDatabase(config.database.url, { application: 'homeward-api' });
  await checkSchema(db).catch(async (error: unknown) => {
    await db.end();
    throw error;
  });
  const application = createApplication(client, config, db);
  const app = await buildApp(application, authenticate, logger, config.http, config.oidc);
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  return {
    url: `http://${host}:${port}`,
    checks: { temporal: () => client.workflowService.getSystemInfo({}), postgresql: () => db.query('SELECT 1') },
    async close() {
      await app.close();
      await connection.close();
      await db.end();
    },
  };
}
