import { randomBytes, randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTracing, stopTracing } from '../telemetry/tracing';
import { inboundTopics, topics } from '../kafka/topics';
import { startInboundBridges, type RunningBridges } from '../bridges/inbound';
import { exclusive } from './support/exclusive';
import { admission, jointAssessment } from './support/fixtures';
import { positionGroupAtEnd, TopicReader } from './support/kafka';
import { externalProducer } from './support/produce';
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
/** The ids of a span's ancestors among `spans`, nearest first. */
const ancestorsIn = (spans: ReadableSpan[]) => {
  const ancestors = (span: ReadableSpan): string[] => {
    const parent = spans.find((s) => s.spanContext().spanId === parentOf(span));
    return parent ? [parent.spanContext().spanId, ...ancestors(parent)] : [];
  };
  return ancestors;
};
/** The first span of `spans` whose name matches, asserted to be there. */
const namedIn = (spans: ReadableSpan[], what: string) => (pattern: RegExp) => {
  const span = spans.find((s) => pattern.test(s.name));
  expect(span, `a span named ${pattern} in ${what}; it has ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
  return span!;
};

describe('one trace follows a command', () => {
  it('from the HTTP request through the Update, the publishing activity and the Kafka produce to the projector consuming the event', async () => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    expect((await system.call('POST', '/pathways', body)).status).toBe(201);
    await eventually(
      () => system.call('GET', `/pathways/${id}/timeline`),
      (r) => r.status === 200,
    );
    exporter.reset();

    const date = new Date().toISOString().slice(0, 10);
    expect((await system.call('POST', `/pathways/${id}/expected-discharge-date`, { date })).status).toBe(200);

    const request = await eventually(
      async () =>
        exporter
          .getFinishedSpans()
          .find((s) => s.name === 'request' && s.attributes['http.route'] === '/pathways/:id/:command'),
      Boolean,
    );
    const trace = request!.spanContext().traceId;
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === trace);
    const isConsume = (s: ReadableSpan) =>
      s.name.startsWith('process ') && s.attributes['messaging.destination.name'] === topics.pathwayEvents;
    const found = await eventually(async () => inTrace().some(isConsume), Boolean, 30_000).catch(() => false);
    const summary = exporter
      .getFinishedSpans()
      .map(
        (s) =>
          `${s.name} ${s.spanContext().traceId.slice(0, 6)}/${s.spanContext().spanId.slice(0, 6)}<-${parentOf(s)?.slice(0, 6) ?? 'root'}`,
      );
    expect(
      found,
      `the projector's consume in the request's trace ${trace.slice(0, 6)}; spans: ${summary.join('; ')}`,
    ).toBe(true);
    const consumed = inTrace().find(isConsume);
    const spans = inTrace();
    const named = namedIn(spans, "the request's trace");
    const update = named(/^StartWorkflowUpdate:expected-discharge-date$/);
    const activity = named(/^RunActivity:publishEvents$/);
    const produce = named(/^send homeward events$/);
    // The chain, each the descendant of the one before: the consume's parent is the produce.
    expect(parentOf(consumed!)).toBe(produce.spanContext().spanId);
    expect(parentOf(produce)).toBe(activity.spanContext().spanId);
    const ancestors = ancestorsIn(spans);
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

describe("an agency's trace continues through the inbound bridges", () => {
  // The bridges in this process too, in a group of their own at the topics' end; files whose
  // bridges consume the inbound topics take turns (test/support/exclusive.ts).
  let bridges: RunningBridges;
  let release: () => void;
  let agency: Awaited<ReturnType<typeof externalProducer>>;
  let reader: TopicReader;
  beforeAll(async () => {
    release = await exclusive('inbound-bridges');
    const groupId = `homeward-inbound-test-${randomUUID()}`;
    await positionGroupAtEnd(inject('kafkaBrokers'), groupId, inboundTopics());
    bridges = await startInboundBridges(system.config, pino({ level: 'silent' }), groupId);
    agency = await externalProducer('agency-intermediate-care');
    reader = await new TopicReader(inject('kafkaBrokers')).start([topics.dlq]);
  });
  afterAll(async () => {
    await reader?.stop();
    await agency?.close();
    // Given back even if stopping fails, or the other files would wait for ever.
    await Promise.resolve(bridges?.stop()).finally(() => release?.());
  });

  const responses = topics.agencyResponses('intermediate-care');
  /** The agency's own trace, as its system would send it: a W3C traceparent of a span of its own. */
  const agencySpan = () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') });
  /** The agency's trace as the CloudEvents Kafka binding's binary mode carries it: the `ce_traceparent` header. */
  const cloudEventsHeaders = ({ traceId, spanId }: { traceId: string; spanId: string }) => ({
    ce_type: 'uk.nhs.discharge.referral.response',
    ce_traceparent: `00-${traceId}-${spanId}-01`,
  });
  /** A new stay whose reablement is referred to intermediate care (ref-1). */
  const referredToIntermediateCare = async (): Promise<string> => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    expect((await system.call('POST', '/pathways', body)).status).toBe(201);
    const assessed = await system.call('POST', `/pathways/${id}/assessment`, {
      ...jointAssessment,
      pathway: 'P1',
      needs: ['reablement'],
    });
    expect(assessed.status).toBe(200);
    return id;
  };
  const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

  it('its response becomes, in its own trace, the bridge’s consume, the Update, the publishing activity and the produce', async () => {
    const id = await referredToIntermediateCare();

    const sender = agencySpan();
    await agency.send(
      responses,
      id,
      { messageId: 'm-traced', pathwayId: id, referralId: 'ref-1', response: 'accepted' },
      cloudEventsHeaders(sender),
    );

    // The workflow's spans (between the Update and the activity) reach the exporter through the
    // worker's sink, after the activity's own: wait until the chain is whole, or the time is up.
    const whole = () => {
      const spans = spansOf(sender.traceId);
      const [update, activity] = ['StartWorkflowUpdate:referral-response', 'RunActivity:publishEvents'].map((name) =>
        spans.find((s) => s.name === name),
      );
      return Boolean(
        update &&
        activity &&
        spans.some((s) => s.name === 'send homeward events') &&
        ancestorsIn(spans)(activity).includes(update.spanContext().spanId),
      );
    };
    await eventually(async () => whole(), Boolean, 30_000).catch(() => undefined);
    const spans = spansOf(sender.traceId);
    const named = namedIn(spans, "the agency's trace");
    const consumed = named(new RegExp(`^process ${responses.replace(/\./g, '\\.')}$`));
    const update = named(/^StartWorkflowUpdate:referral-response$/);
    const activity = named(/^RunActivity:publishEvents$/);
    const produce = named(/^send homeward events$/);
    // The bridge's consume is the child of the agency's span; each after it descends from the one before.
    expect(parentOf(consumed)).toBe(sender.spanId);
    expect(consumed.attributes['messaging.destination.name']).toBe(responses);
    const ancestors = ancestorsIn(spans);
    expect(ancestors(update)).toContain(consumed.spanContext().spanId);
    expect(ancestors(activity)).toContain(update.spanContext().spanId);
    expect(parentOf(produce)).toBe(activity.spanContext().spanId);
    // What it published is the referral's acceptance.
    expect(
      (await system.call('GET', `/pathways/${id}`)).body.state.referrals.find(
        (r: { referralId: string }) => r.referralId === 'ref-1',
      )?.status,
    ).toBe('accepted');
  });

  it('a response it refuses goes to the DLQ naming the message it answers and its trace, and its consume is in that trace', async () => {
    const id = await referredToIntermediateCare();
    const sender = agencySpan();
    const messageId = `m-refused-${randomUUID()}`;
    // Intermediate care is referred (ref-1), but there is no ref-9: refused by the pathway's rules, not by the schema.
    await agency.send(
      responses,
      id,
      { messageId, pathwayId: id, referralId: 'ref-9', response: 'accepted' },
      cloudEventsHeaders(sender),
    );

    const letters = await reader.waitFor((all) => all.some((m) => m.value.messageId === messageId), 30_000);
    const letter = letters.find((m) => m.value.messageId === messageId)!.value;
    expect(letter).toMatchObject({
      reason: expect.stringMatching(/^unknown_referral: /),
      topic: responses,
      key: id,
      messageId,
      traceId: sender.traceId,
    });
    const consumed = await eventually(
      async () => spansOf(sender.traceId).find((s) => s.name === `process ${responses}`),
      Boolean,
    );
    expect(parentOf(consumed!)).toBe(sender.spanId);
    // The pathway refused the Update, so nothing was published in that trace.
    const names = spansOf(sender.traceId).map((s) => s.name);
    expect(names).toContain('StartWorkflowUpdate:referral-response');
    expect(names).not.toContain('send homeward events');
  });
});
