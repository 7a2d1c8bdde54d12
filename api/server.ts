import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createDataConverter } from '../codec/data-converter';
import type { Config } from '../config';
import { createApplication, type Application } from '../app';
import { AppError } from '../app/errors';
import type { Actor } from '../schemas/actor';
import { createAuthenticator } from './authenticate';
import { healthReport } from '../health/registry';
import { sendAppError } from './errors';
import { openApiDocument } from './openapi';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

type Params = { id: string; command: string };
type Authenticate = (authorization: string | undefined) => Promise<Actor>;

/**
 * Every route but /health and /openapi.json needs a verified token: the route only turns the
 * request into a use case call with the token's actor; what is allowed is the application's call.
 */
export const routes: { method: 'GET' | 'POST'; url: string; run: (app: Application, actor: Actor, request: FastifyRequest<{ Params: Params }>) => Promise<unknown>; status?: (result: never) => number }[] = [
  { method: 'GET', url: '/pathways', run: async (app, actor, request) => ({ pathways: await app.queries.list(actor, request.query) }) },
  { method: 'GET', url: '/pathways/:id', run: (app, actor, request) => app.pathways.read(actor, request.params.id) },
  { method: 'GET', url: '/pathways/:id/timeline', run: (app, actor, request) => app.pathways.timeline(actor, request.params.id) },
  { method: 'POST', url: '/pathways/:id/:command', run: (app, actor, request) => app.pathways.command(actor, request.params.id, request.params.command, request.body) },
  { method: 'GET', url: '/reports/delays', run: (app, actor, request) => app.queries.delayReport(actor, request.query) },
];

/** The HTTP API: authentication and translation only; the use cases live in app/. */
export function buildApp(application: Application, authenticate: Authenticate, logger: Logger) {
  // Long path parameters reach the handler (and get a plain 404) instead of fastify's own 414.
  const app = Fastify({ loggerInstance: logger.child({ component: 'api' }), routerOptions: { maxParamLength: 16_384 } });
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
      return reply.status(405).header('allow', allowed.join(', ')).send({ error: 'method_not_allowed', message: `${request.method} is not allowed here; allowed: ${allowed.join(', ')}` });
    }
    return reply.status(404).send({ error: 'not_found', message: 'No such route' });
  });

  app.setErrorHandler((error: FastifyError | AppError, _request, reply) => {
    if (error instanceof AppError) return sendAppError(reply, error);
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own: malformed JSON, wrong content type, body too large.
      return reply.status(status).send({ error: 'bad_request', message: error.message });
    }
    // Never echo internals (they may carry request data); the log has the stack.
    app.log.error({ err: { type: (error as Error).name, message: (error as Error).message } }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'Internal error; see the server log' });
  });

  // This process's long-running parts (the inbound consumers, when they run here) say how they are.
  app.get('/health', async () => healthReport());
  app.get('/openapi.json', async () => openApiDocument());

  const actorOf = (request: FastifyRequest) => authenticate(request.headers.authorization);
  app.post('/pathways', async (request, reply) => {
    const result = await application.pathways.start(await actorOf(request), request.body);
    return reply
      .status(result.created ? 201 : 200)
      .header('location', `/pathways/${result.pathwayId}`)
      .send(result);
  });
  for (const route of routes) {
    app.route<{ Params: Params }>({ method: route.method, url: route.url, handler: async (request) => route.run(application, await actorOf(request), request) });
  }
  return app;
}

export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  // Refuse to start rather than serve patients' data to anyone.
  const authenticate = createAuthenticator(config.oidc);
  // Lazy, so the API starts (and answers 503) while Temporal is down; few quick retries, so a
  // request learns within about a second that Temporal is unreachable instead of hanging.
  const connection = Connection.lazy({
    address: config.temporal.address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 400 }))],
  });
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codecKeys) });
  const application = createApplication(client, config);
  const app = buildApp(application, authenticate, logger);
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  return {
    url: `http://${host}:${port}`,
    async close() {
      await app.close();
      await connection.close();
    },
  };
}
