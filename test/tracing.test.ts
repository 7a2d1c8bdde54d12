import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, stopTracing } from '../telemetry/tracing';
import { topics } from '../kafka/topics';
import { admission } from './support/fixtures';
import { eventually, startSystem } from './support/system';

// Tracing on, in this process, where startSystem runs the API, the worker and the projector: the
// SDK's in-memory exporter holds every span they end, the workflow's included (through its sink).
const exporter = new InMemorySpanExporter();
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  startTracing('homeward-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
  system = await startSystem();
});
afterAll(async () => {
  await system?.stop();
  await stopTracing();
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('one trace follows a command', () => {
  it('from the HTTP request through the Update, the publishing activity and the Kafka produce to the projector consuming the event', async () => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    expect((await system.call('POST', '/pathways', body)).status).toBe(201);
    await eventually(() => system.call('GET', `/pathways/${id}/timeline`), (r) => r.status === 200);
    exporter.reset();

    const date = new Date().toISOString().slice(0, 10);
    expect((await system.call('POST', `/pathways/${id}/expected-discharge-date`, { date })).status).toBe(200);

    const request = await eventually(
      async () => exporter.getFinishedSpans().find((s) => s.name === 'request' && s.attributes['http.route'] === '/pathways/:id/:command'),
      Boolean,
    );
    const trace = request!.spanContext().traceId;
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === trace);
    const isConsume = (s: ReadableSpan) => s.name.startsWith('process ') && s.attributes['messaging.destination.name'] === topics.pathwayEvents;
    const found = await eventually(async () => inTrace().some(isConsume), Boolean, 30_000).catch(() => false);
    const summary = exporter.getFinishedSpans().map((s) => `${s.name} ${s.spanContext().traceId.slice(0, 6)}/${s.spanContext().spanId.slice(0, 6)}<-${parentOf(s)?.slice(0, 6) ?? 'root'}`);
    expect(found, `the projector's consume in the request's trace ${trace.slice(0, 6)}; spans: ${summary.join('; ')}`).toBe(true);
    const consumed = inTrace().find(isConsume);
    const spans = inTrace();
    const named = (pattern: RegExp) => {
      const span = spans.find((s) => pattern.test(s.name));
      expect(span, `a span named ${pattern} in the request's trace; it has ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
      return span!;
    };
    const update = named(/^StartWorkflowUpdate:expected-discharge-date$/);
    const activity = named(/^RunActivity:publishEvents$/);
    const produce = named(/^send homeward events$/);
    // The chain, each the descendant of the one before: the consume's parent is the produce.
    expect(parentOf(consumed!)).toBe(produce.spanContext().spanId);
    expect(parentOf(produce)).toBe(activity.spanContext().spanId);
    const ancestors = (span: ReadableSpan): string[] => {
      const parent = spans.find((s) => s.spanContext().spanId === parentOf(span));
      return parent ? [parent.spanContext().spanId, ...ancestors(parent)] : [];
    };
    expect(ancestors(activity)).toContain(update.spanContext().spanId);
    expect(ancestors(update)).toContain(request!.spanContext().spanId);
    expect(consumed!.attributes['messaging.message.id']).toMatch(new RegExp(`^${id}/\\d+$`));

    // Nothing personal on any span: not the NHS number, the name, or the path's own values.
    const attributes = JSON.stringify(spans.map((s) => s.attributes));
    expect(attributes).not.toContain(body.patient.nhsNumber);
    expect(attributes).not.toContain(body.patient.name);
    expect(request!.attributes['url.path']).toBe('/pathways/:id/:command');
  });
});
