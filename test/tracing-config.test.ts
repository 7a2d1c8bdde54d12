import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { traceFields } from '../config/logger';
import { startTracing, stopTracing, tracingRequested } from '../telemetry/tracing';

describe('tracing is on only when the OTEL_* environment asks for it', () => {
  it('is off with no OpenTelemetry setting (npm start, the tests)', () => {
    expect(tracingRequested({})).toBe(false);
  });
  it('is on with an exporter named or an OTLP endpoint given', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  });
  it('stays off when the exporter is none or the SDK is disabled', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });
});

describe('log lines name their trace', () => {
  it('carry the active span\'s trace and span id, and nothing outside a span', async () => {
    startTracing('homeward-log-test', { spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    try {
      expect(traceFields()).toEqual({});
      const [fields, span] = trace.getTracer('test').startActiveSpan('a request', (active) => {
        active.end();
        return [traceFields(), active.spanContext()];
      });
      expect(fields).toEqual({ traceId: span.traceId, spanId: span.spanId });
      expect(fields.traceId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await stopTracing();
    }
  });
});
