import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission } from './support/fixtures';
import { startSystem } from './support/system';

// Hostile requests generated from the API's own OpenAPI document, against the real API and
// Temporal: never a 5xx, only documented status codes, and a 422 always names the field.
let system: Awaited<ReturnType<typeof startSystem>>;
let existing: string;
beforeAll(async () => {
  // Thousands of requests from one client in under a minute: the rate limit is not what is fuzzed here.
  system = await startSystem({ HOMEWARD_RATE_LIMIT_PER_MINUTE: '100000' });
  const body = admission();
  existing = `pathway-${body.admissionId}`;
  await system.call('POST', '/pathways', body);
});
afterAll(async () => {
  await system?.stop();
});

interface Operation {
  method: string;
  path: string;
  operationId: string;
  responses: string[];
  query: string[];
  body?: { properties?: Record<string, unknown> };
}

const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '../..', '%2F', '__proto__', 'constructor', ' ', '\u202e', 'é', '9'.repeat(400)),
  fc.string({ minLength: 5_000, maxLength: 20_000 }),
);
const oddValue = fc.oneof(
  oddString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);

describe('hostile requests from /openapi.json', () => {
  it('never a 5xx, only documented answers, and 422s name the field', async () => {
    const document = (await system.call('GET', '/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            responses: Record<string, unknown>;
            parameters?: { name: string; in: string }[];
            requestBody?: { content: Record<string, { schema: Operation['body'] }> };
          }
        >
      >;
    };
    const operations: Operation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        responses: Object.keys(op.responses),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: op.requestBody?.content['application/json'].schema,
      })),
    );
    const request = fc.record({
      operation: fc.constantFrom(...operations),
      // '.' and '..' never reach the server as an id: the client resolves them out of the path.
      id: fc.oneof(
        fc.constant(existing),
        oddString.filter((id) => id !== '.' && id !== '..'),
      ),
      // Known fields with wrong or odd values, some left out, and unknown fields.
      fields: fc.dictionary(
        fc.oneof(
          fc.constantFrom('date', 'patient', 'site', 'agency', 'referralId', 'participants', 'code', 'reason'),
          fc.string({ maxLength: 12 }),
        ),
        oddValue,
        { maxKeys: 5 },
      ),
      rawBody: fc.option(
        fc.oneof(fc.string({ maxLength: 50 }), fc.constant('{"a":'), fc.constant('[]'), fc.constant('null')),
        { freq: 5 },
      ),
      queryValues: fc.array(oddString, { minLength: 1, maxLength: 3 }),
    });
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, async ({ operation, id, fields, rawBody, queryValues }) => {
        const path = operation.path.replace('{id}', encodeURIComponent(id));
        const query = operation.query
          .slice(0, queryValues.length)
          .map((name, i) => `${name}=${encodeURIComponent(queryValues[i])}`)
          .join('&');
        const body = operation.method === 'POST' ? (operation.body?.properties ? { ...fields } : fields) : undefined;
        const response = await system.call(
          operation.method,
          `${path}${query ? `?${query}` : ''}`,
          rawBody === null ? body : undefined,
          operation.method === 'POST' && rawBody !== null ? rawBody : undefined,
        );
        const documented =
          operation.responses.includes(String(response.status)) ||
          (response.status === 404 && operation.path.includes('{id}'));
        if (response.status >= 500 || !documented)
          failures.push(
            `${operation.method} ${operation.path} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`,
          );
        if (response.status === 422) {
          const issues = response.body.issues as { path: string; message: string }[] | undefined;
          if (!issues?.length || issues.some((i) => !i.path || !i.message))
            failures.push(`${operation.operationId}: 422 without naming the field`);
        }
        return true;
      }),
      { numRuns: 2_500, interruptAfterTimeLimit: 45_000 },
    );
    expect(failures).toEqual([]);
  }, 90_000);
});
