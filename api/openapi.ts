import { z } from 'zod';
import { StartPayload, commandSchemas } from '../schemas/commands';
import { ListFilters } from './pathway-service';

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
          issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  },
});

const queryParameters = (schema: z.ZodObject) =>
  Object.entries(jsonSchema(schema).properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));

/** The OpenAPI 3.1 document, built from the same zod schemas that validate requests. */
export function openApiDocument() {
  const commandPaths = Object.fromEntries(
    Object.entries(commandSchemas).map(([name, schema]) => [
      `/pathways/{id}/${name}`,
      {
        post: {
          summary: `Pathway command: ${name}`,
          operationId: `command-${name}`,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schema as z.ZodType) } } },
          responses: {
            200: { description: 'Accepted: the events it produced and the new stage' },
            400: errorResponse('Malformed request'),
            404: errorResponse('Unknown pathway'),
            409: errorResponse('Not allowed in the pathway’s current stage, with the reason'),
            422: errorResponse('Invalid field'),
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: { title: 'Homeward discharge pathway API', version: '1.0.0' },
    paths: {
      '/pathways': {
        post: {
          summary: 'Start a pathway for an admission (idempotent per admissionId)',
          operationId: 'startPathway',
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(StartPayload) } } },
          responses: {
            201: { description: 'Started' },
            200: { description: 'Already started for this admission' },
            400: errorResponse('Malformed request'),
            422: errorResponse('Invalid field'),
          },
        },
        get: {
          summary: 'Managers’ list: which pathways are stuck or delayed, and why',
          operationId: 'listPathways',
          parameters: queryParameters(ListFilters),
          responses: { 200: { description: 'Matching pathways' }, 422: errorResponse('Invalid filter') },
        },
      },
      '/pathways/{id}': {
        get: {
          summary: 'A pathway’s state and timeline',
          operationId: 'getPathway',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'State and timeline' }, 404: errorResponse('Unknown pathway') },
        },
      },
      ...commandPaths,
      '/reports/delays': {
        get: {
          summary: 'Delay counts and bed-days lost by band, reason, agency and site',
          operationId: 'delayReport',
          parameters: queryParameters(ListFilters.omit({ limit: true })),
          responses: { 200: { description: 'Report' }, 422: errorResponse('Invalid filter') },
        },
      },
    },
  };
}
