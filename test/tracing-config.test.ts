import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { traceFields } from '../config/logger';
import { consuming } from '../telemetry/kafka-spans';
import { startTracing, stopTracing, tracedSpans, tracingRequested } from '../telemetry/tracing';

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
    expect(
      tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
    ).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });
});

describe('log lines name their trace', () => {
  it("carry the active span's trace and span id, and nothing outside a span", async () => {
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

describe('a consumed message continues the trace it carries', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const message = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    ({
      key: null,
      value: Buffer.from(JSON.stringify({ id: 'msg-1', ...body })),
      timestamp: '0',
      attributes: 0,
      offset: '7',
      headers,
    }) as never;

  it.each([
    ['the traceparent header', message({ traceparent })],
    ['the CloudEvents binary-mode header', message({ ce_traceparent: traceparent })],
    ["the structured event's attribute", message({}, { traceparent })],
  ])("from %s: the consume span is the sender's child, and the handler runs inside it", async (_from, carrying) => {
    const exporter = new InMemorySpanExporter();
    startTracing('homeward-consume-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    try {
      const inside = await consuming('homeward.agency.responses', 2, carrying, async () => traceFields());
      await tracedSpans.forceFlush();
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('process homeward.agency.responses');
      expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(span.attributes).toMatchObject({
        'messaging.kafka.offset': 7,
        'messaging.destination.partition.id': '2',
        'messaging.message.id': 'msg-1',
      });
      expect(inside).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: span.spanContext().spanId });
    } finally {
      await stopTracing();
    }
  });

  it('a message with none starts a trace of its own', async () => {
    const exporter = new InMemorySpanExporter();
    startTracing('homeward-consume-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    try {
      await consuming(
        'homeward.agency.responses',
        0,
        message({ traceparent: '00-' + '0'.repeat(32) + '-00f067aa0ba902b7-01' }),
        async () => undefined,
      );
      await tracedSpans.forceFlush();
      const [span] = exporter.getFinishedSpans();
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe('0'.repeat(32));
    } finally {
      await stopTracing();
    }
  });
});
