import { z } from 'zod';
import { StartPayload, requestSchemas } from '../schemas/commands';
import { ListFilters, ReportFilters, SitrepQuery, TrendQuery, WorklistQuery } from '../app/filters';

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const errorResponse = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error', 'message'],
        properties: {
          error: { type: 'string' },
          message: { type: 'string', description: 'Names the field or rule at fault; never contains personal data' },
          correlationId: { type: 'string', description: 'On a 500 only: quote it to find the server log line' },
          issues: {
            type: 'array',
            items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
  },
});

const pathParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

const freshness =
  'Says how fresh the read model is: `freshness` in the body (the last event applied, events still to read), and headers X-Read-Model-Last-Event-At and X-Read-Model-Lag';

type Paths = Record<string, Record<string, { responses: Record<string | number, unknown> }>>;

const tooManyRequests = errorResponse(
  'Too many requests from this client (a token’s subject, or without one an address) in a minute; Retry-After says when to try again',
);

/** Every operation but /health: limited per client. */
function limited<P extends Paths>(paths: P): P {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations))
      (operation.responses as Record<number, unknown>)[429] = tooManyRequests;
  }
  return paths;
}

/** Every operation but /health, /openapi.json and the dashboard's page: a bearer token, and the answers for its absence. */
function secured<P extends Paths>(paths: P): P {
  for (const operations of Object.values(limited(paths))) {
    for (const operation of Object.values(operations)) {
      Object.assign(operation, { security: [{ bearer: [] }] });
      (operation.responses as Record<number, unknown>)[401] = errorResponse(
        'No valid token (missing, malformed, expired, wrong issuer or audience); WWW-Authenticate: Bearer',
      );
      (operation.responses as Record<number, unknown>)[403] = errorResponse(
        'The token’s role lacks the permission named in the message',
      );
      // Node's HTTP server refuses a request line or headers over 16 KiB before any route runs.
      (operation.responses as Record<number, unknown>)[431] = errorResponse('Request line or headers too large');
      (operation.responses as Record<number, unknown>)[503] ??= errorResponse(
        'Temporal (or the token issuer) cannot be reached; Retry-After says when to try again',
      );
      (operation.responses as Record<number, unknown>)[500] = errorResponse(
        'Unexpected failure: a generic message and `correlationId` (also X-Correlation-Id), which finds the server log line; never the internal error',
      );
    }
  }
  return paths;
}

const queryParameters = (schema: z.ZodObject) => {
  const document = jsonSchema(schema);
  const required = new Set(document.required ?? []);
  return Object.entries(document.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
  }));
};

/** The OpenAPI 3.1 document, built from the same zod schemas that validate requests. */
export function openApiDocument() {
  const commandPaths = Object.fromEntries(
    Object.entries(requestSchemas).map(([name, schema]) => [
      `/pathways/{id}/${name}`,
      {
        post: {
          summary: `Pathway command: ${name}`,
          operationId: `command-${name}`,
          parameters: [pathParameter],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schema as z.ZodType) } } },
          responses: {
            200: { description: 'Accepted: the events it produced and the new stage' },
            400: errorResponse('Malformed request'),
            404: errorResponse('Unknown pathway or command, or a pathway this token may not see'),
            409: errorResponse('Not allowed in the pathway’s current stage, with the reason'),
            422: errorResponse('Invalid field'),
          },
        },
      },
    ]),
  );
  /** A static staff page: no data; it signs in through the issuer (authorization code + PKCE) and reads everything through the API. */
  const page = (title: string, operationId: string) => ({
    get: {
      summary: `${title}: a static page holding no data; it signs in through the trust’s issuer and reads through the API`,
      operationId,
      security: [],
      responses: { 200: { description: 'HTML', content: { 'text/html': {} } } },
    },
  });
  return {
    openapi: '3.1.0',
    info: { title: 'Homeward discharge pathway API', version: '1.0.0' },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token from the trust’s OIDC issuer; roles discharge-team, manager, agency:<agency>',
        },
      },
    },
    paths: {
      '/health': {
        get: {
          summary: 'Liveness, and the read model projector’s lag',
          operationId: 'health',
          security: [],
          responses: {
            200: { description: 'Up; `projector`: status ok|lagging|stale|unavailable, lagEvents, lastEventAt' },
          },
        },
      },
      ...limited({
        '/openapi.json': {
          get: {
            summary: 'This document',
            operationId: 'openapi',
            security: [],
            responses: { 200: { description: 'OpenAPI 3.1' } },
          },
        },
        '/dashboard': page('The managers’ live dashboard', 'dashboard'),
        '/board': page('The discharge team’s board: their site’s pathways and the commands they give most', 'board'),
        '/signed-in': page(
          'Where the trust’s issuer sends the browser back with a one-time code (the redirect URI); serves the page that asked',
          'signedIn',
        ),
        '/auth/settings': {
          get: {
            summary:
              'What the staff pages sign in with: the issuer’s authorization and token endpoints, the client id, the redirect URI and scopes (no secret: a public client using PKCE)',
            operationId: 'signInSettings',
            security: [],
            responses: {
              200: {
                description: 'authorizationEndpoint, tokenEndpoint, endSessionEndpoint?, clientId, redirectUri?, scope',
              },
              503: errorResponse('Sign-in in the browser is not configured, or the issuer cannot be reached'),
            },
          },
        },
      }),
      ...secured({
        '/pathways': {
          post: {
            summary: 'Start a pathway for an admission (idempotent per admissionId)',
            operationId: 'startPathway',
            requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(StartPayload) } } },
            responses: {
              201: { description: 'Started' },
              200: { description: 'Already started for this admission, with the same details' },
              409: errorResponse(
                'This admission already has a pathway, started with different details (the fields are named)',
              ),
              400: errorResponse('Malformed request'),
              422: errorResponse('Invalid field'),
            },
          },
          get: {
            summary:
              'Managers’ list from the read model: which pathways are stuck or delayed, and why; sorted, a page at a time. An agency gets only the pathways it is referred on, minimised (stage, dates, whether its reply is awaited), with the filters stage, site, pathway, status, the date ranges and sort by lastEventAt, admittedAt or dischargeDate',
            operationId: 'listPathways',
            parameters: queryParameters(ListFilters),
            responses: {
              200: { description: `Matching pathways and nextCursor for the next page. ${freshness}` },
              422: errorResponse('Invalid or unknown filter, named'),
            },
          },
        },
        '/pathways/{id}': {
          get: {
            summary:
              'A pathway’s state and timeline (an agency gets the minimised events its Kafka topic carries); from the read model once its workflow is gone',
            operationId: 'getPathway',
            parameters: [pathParameter],
            responses: {
              200: {
                description: 'State and timeline; `source: read-model` and `freshness` when read from the read model',
              },
              404: errorResponse('Unknown pathway, or one this token may not see'),
            },
          },
        },
        '/pathways/{id}/timeline': {
          get: {
            summary:
              'A pathway’s permanent timeline from the read model, with who did what (an agency gets its own minimised events); kept after the workflow is gone',
            operationId: 'getTimeline',
            parameters: [pathParameter],
            responses: {
              200: { description: `Timeline. ${freshness}` },
              404: errorResponse('Unknown pathway, or one this token may not see'),
              503: errorResponse(
                'The token issuer cannot be reached; or `personal_data_sealed`: the events’ personal data was sealed with a key this server’s HOMEWARD_CODEC_KEYS lacks (the message names its id)',
              ),
            },
          },
        },
        ...commandPaths,
        '/reports/delays': {
          get: {
            summary:
              'Stays with a discharge ready date: counts, delayed now and bed-days lost (every episode) by band (every band in the natural order, then none: no DRD now), reason, agency, site, local authority and pathway',
            operationId: 'delayReport',
            parameters: queryParameters(ReportFilters),
            responses: {
              200: {
                description: `Report as JSON, or CSV with a header row (dimension,key,pathways,delayed,bedDaysLost) on Accept: text/csv or format=csv. ${freshness}`,
                content: { 'application/json': {}, 'text/csv': {} },
              },
              422: errorResponse('Invalid or unknown filter, named'),
            },
          },
        },
        '/reports/sitrep': {
          get: {
            summary:
              'A daily SitRep-style return per site: patients with a DRD that day, delayed by band, by reason code, by pathway; today (UTC) without a date',
            operationId: 'sitrepReport',
            parameters: queryParameters(SitrepQuery),
            responses: {
              200: {
                description: `CSV with a header row, one line per site (the same as JSON with format=json). ${freshness}`,
                content: { 'text/csv': {}, 'application/json': {} },
              },
              422: errorResponse('Invalid date or format, or an unknown parameter, named'),
            },
          },
        },
        '/reports/trend': {
          get: {
            summary: 'Per day over the last days: patients with a DRD, delayed, bed-days lost (the dashboard’s chart)',
            operationId: 'delayTrend',
            parameters: queryParameters(TrendQuery),
            responses: {
              200: { description: `Days, oldest first. ${freshness}` },
              422: errorResponse('Invalid or unknown parameter, named'),
            },
          },
        },
        '/worklist': {
          get: {
            summary:
              'The discharge team’s board: stays in hospital on a site, each with its stage, open referrals, consents missing, delay reasons and the next action with its deadline',
            operationId: 'worklist',
            parameters: queryParameters(WorklistQuery),
            responses: {
              200: { description: `pathways, oldest admission first (at most 500). ${freshness}` },
              422: errorResponse('Invalid or unknown parameter, named'),
            },
          },
        },
      }),
    },
  };
}
