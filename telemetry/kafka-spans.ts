import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { parseLoosely, traceparentOf } from './trace-context';

/**
 * Kafka spans, as OpenTelemetry's messaging conventions name them. Their attributes are the topic,
 * partition, offset and CloudEvent id (`<pathwayId>/<sequence>`), never a message's content. With
 * tracing off these are no-op spans and no `traceparent` is written.
 */
// Asked for each span, not kept: a tracer taken before tracing starts (or restarts) would stay a no-op one.
const tracer = () => trace.getTracer('homeward-kafka');

const kafkaAttributes = { 'messaging.system': 'kafka' };

/**
 * Runs `send` (which answers how many messages it sent) inside a producer span and gives it that span's W3C `traceparent` (undefined with
 * tracing off), for every message it sends to carry as the CloudEvents distributed-tracing extension.
 */
export async function producing(send: (traceparent: string | undefined) => Promise<number>): Promise<number> {
  return tracer().startActiveSpan(
    'send homeward events',
    { kind: SpanKind.PRODUCER, attributes: { ...kafkaAttributes, 'messaging.operation.type': 'send' } },
    (span) =>
      endingSpans([span], async () => {
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        const sent = await send(carrier.traceparent);
        span.setAttribute('messaging.batch.message_count', sent);
        return sent;
      }),
  );
}

/**
 * Runs `handle` inside a consumer span for one message: a child of the trace the message carries
 * (its `traceparent` header or CloudEvents attribute), so its handling continues the sender's trace.
 */
export async function consuming<T>(
  topic: string,
  partition: number,
  message: KafkaMessage,
  handle: () => Promise<T>,
): Promise<T> {
  const span = consumeSpan(topic, partition, message);
  return context.with(trace.setSpan(context.active(), span), () => endingSpans([span], handle));
}

/** Whether a message carries a trace to continue. */
export function carriesTrace(message: KafkaMessage): boolean {
  return (
    traceparentOf(message.headers as Record<string, unknown> | undefined, parseLoosely(message.value?.toString())) !==
    undefined
  );
}

/** A consumer span for one message of a batch, parented by the message's trace; the caller ends it. */
export function consumeSpan(topic: string, partition: number, message: KafkaMessage): Span {
  const body = parseLoosely(message.value?.toString());
  const traceparent = traceparentOf(message.headers as Record<string, unknown> | undefined, body);
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  const attributes: Record<string, string | number> = {
    ...kafkaAttributes,
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.destination.partition.id': String(partition),
    'messaging.kafka.offset': Number(message.offset),
  };
  if (typeof body?.id === 'string') attributes['messaging.message.id'] = body.id.slice(0, 200);
  return tracer().startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
}

/** Ends the spans when `run` settles, marking them failed (with the error's message only) if it threw. */
export async function endingSpans<T>(spans: Span[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    for (const span of spans)
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}
