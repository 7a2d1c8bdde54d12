import { context, propagation, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
// The SDK's own reading of OTEL_TRACES_EXPORTER and the OTLP settings, shared with the workflow's spans.
import { getSpanProcessorsFromEnv } from '@opentelemetry/sdk-node/build/src/utils';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/**
 * Whether the standard OpenTelemetry environment asks for traces: an exporter named (other than
 * `none`) or an OTLP endpoint given, and the SDK not disabled. Off by default, so `npm start` and
 * the tests pay nothing for tracing unless an operator sets one of these.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters =
    env.OTEL_TRACES_EXPORTER?.split(',')
      .map((name) => name.trim())
      .filter(Boolean) ?? [];
  if (exporters.length > 0) return !exporters.every((name) => name === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * The instrumentations every role's traces use: HTTP server spans from Fastify (registered as each
 * Fastify instance is created, so the API's construction needs no change) and PostgreSQL queries.
 * The statement text is recorded with its $1 placeholders only, never their values.
 */
export function instrumentations() {
  return [
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      // url.path would carry the request's path and query string (a search's terms): the route pattern instead.
      requestHook: (span, request) => span.setAttribute('url.path', request.routeOptions.url ?? 'unmatched'),
    }),
    new PgInstrumentation({ enhancedDatabaseReporting: false }),
  ];
}

let started: NodeSDK | undefined;

/**
 * Temporal's workflow spans come in OpenTelemetry 1.x's shape (its interceptors' SDK version):
 * parent and scope under their 1.x names, which 2.x exporters would not find.
 */
function currentShape(span: ReadableSpan): ReadableSpan {
  const old = span as ReadableSpan & {
    parentSpanId?: string;
    instrumentationLibrary?: ReadableSpan['instrumentationScope'];
  };
  if (span.instrumentationScope || !old.instrumentationLibrary) return span;
  const context = span.spanContext();
  return {
    ...span,
    spanContext: () => context,
    instrumentationScope: old.instrumentationLibrary,
    ...(old.parentSpanId
      ? {
          parentSpanContext: {
            traceId: context.traceId,
            spanId: old.parentSpanId,
            traceFlags: context.traceFlags,
            isRemote: false,
          },
        }
      : {}),
  };
}
let processors: SpanProcessor[] = [];

/**
 * The span processors this process exports with (none while tracing is off), as one: for spans made
 * outside the SDK's tracer provider, the workflow's (which leave Temporal's sandbox through a sink).
 */
export const tracedSpans: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span) => processors.forEach((processor) => processor.onEnd(currentShape(span))),
  forceFlush: async () => void (await Promise.all(processors.map((processor) => processor.forceFlush()))),
  shutdown: async () => undefined,
};

/**
 * Starts the OpenTelemetry Node SDK for one role when the environment asks for it (exporter,
 * endpoint, sampler, resource all from the standard `OTEL_*` variables); does nothing otherwise.
 * Called before the role loads anything it traces: pg is instrumented only if loaded after this.
 */
export function startTracing(
  serviceName: string,
  options: { env?: NodeJS.ProcessEnv; spanProcessors?: SpanProcessor[] } = {},
): { shutdown(): Promise<void> } | undefined {
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingRequested(env)) return undefined;
  if (started) return started;
  processors = options.spanProcessors ?? getSpanProcessorsFromEnv(undefined);
  // OTEL_SERVICE_NAME, when set, names the service instead.
  started = new NodeSDK({
    instrumentations: instrumentations(),
    spanProcessors: processors,
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName }),
  });
  started.start();
  return started;
}

/** Flushes and stops the SDK, if this process started it (a role's clean stop); rejects when the last spans could not be exported. */
export async function stopTracing(): Promise<void> {
  const sdk = started;
  started = undefined;
  try {
    await sdk?.shutdown();
  } finally {
    processors = [];
    // Unregistered too, so that tracing started again (a test's) is the global one.
    if (sdk) {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  }
}
