import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ApiError } from './errors';
import { openApiDocument } from './openapi';
import { PathwayService } from './pathway-service';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** The HTTP API: routes only; what they do lives in PathwayService. */
export function buildApp(service: PathwayService, logger: Logger) {
  const app = Fastify({ loggerInstance: logger.child({ component: 'api' }) });

  app.setErrorHandler((error: FastifyError | ApiError, _request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).send({ error: error.code, message: error.message, issues: error.issues });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own: malformed JSON, wrong content type, body too large.
      return reply.status(status).send({ error: 'bad_request', message: error.message });
    }
    // Never echo internals (they may carry request data); the log has the stack.
    app.log.error({ err: { type: (error as Error).name, message: (error as Error).message } }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'Internal error; see the server log' });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/openapi.json', async () => openApiDocument());

  app.post('/pathways', async (request, reply) => {
    const result = await service.start(request.body);
    return reply
      .status(result.created ? 201 : 200)
      .header('location', `/pathways/${result.pathwayId}`)
      .send(result);
  });
  app.get('/pathways', async (request) => ({ pathways: await service.list(request.query) }));
  app.get<{ Params: { id: string } }>('/pathways/:id', async (request) => service.get(request.params.id));
  app.post<{ Params: { id: string; command: string } }>('/pathways/:id/:command', async (request) =>
    service.command(request.params.id, request.params.command, request.body),
  );
  app.get('/reports/delays', async (request) => service.delayReport(request.query));
  return app;
}

export async function startApi(config: Config, logger: Logger): Promise<RunningApi> {
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = buildApp(new PathwayService(client, config), logger);
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
