import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric a Homeward process exports, named once (docs/operations.md lists them; the alert
 * rules and the dashboard in deploy/ name nothing else). Labels are codes, stages, sites, topics
 * and routes: never a pathway id, a person or a value from a message.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** HTTP requests by route pattern (`/pathways/:id`, not the id), method and status. */
export const httpRequests = new Counter({
  name: 'homeward_http_requests_total',
  help: 'HTTP requests the API answered, by route pattern, method and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: 'homeward_http_request_duration_seconds',
  help: 'Time the API took to answer, by route pattern, method and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Inbound messages (ADT feed, agencies' responses) by what the bridges did with them. */
export const inboundMessages = new Counter({
  name: 'homeward_inbound_messages_total',
  help: 'Inbound Kafka messages handled by the bridges, by topic and outcome (applied, duplicate, dead_lettered, retried)',
  labelNames: ['topic', 'outcome'] as const,
  registers: [registry],
});

/** Dead letters by the reason's code (`invalid`, `unknown_referral`, …: the part before its first colon). */
export const dlqEntries = new Counter({
  name: 'homeward_dlq_entries_total',
  help: 'Inbound messages sent to homeward.dlq, by inbound topic and reason code',
  labelNames: ['topic', 'reason'] as const,
  registers: [registry],
});

export const inboundLag = new Gauge({
  name: 'homeward_inbound_consumer_lag_messages',
  help: 'Messages on an inbound partition the bridges have not handled yet, as of their last fetch',
  labelNames: ['group', 'topic', 'partition'] as const,
  registers: [registry],
});

export const eventsPublished = new Counter({
  name: 'homeward_events_published_total',
  help: 'CloudEvents the publishing activity wrote to Kafka, by topic',
  labelNames: ['topic'] as const,
  registers: [registry],
});

export const projectorEvents = new Counter({
  name: 'homeward_projector_events_total',
  help: 'Messages of homeward.pathway.events the projector read, by outcome (applied, skipped: applied before, rejected: not a pathway event)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** A dead letter's reason as a label: its code, never the text after it (which names fields, and is unbounded). */
export function reasonCode(reason: string): string {
  const code = reason.split(':')[0].trim();
  return /^[a-z][a-z_]{0,40}$/.test(code) ? code : 'other';
}

/**
 * The Temporal SDK's own metrics (sticky cache, task slots, schedule-to-start and replay latency)
 * come from its Rust core, which serves them on a loopback port of its own; /metrics appends them,
 * so each process has one scrape target.
 */
let temporalMetricsUrl: string | undefined;

export function serveTemporalMetricsFrom(url: string): void {
  temporalMetricsUrl = url;
}

/** This process's metrics in Prometheus' text format: its own, then the Temporal SDK's when it runs one. */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  const own = await registry.metrics();
  let temporal = '';
  if (temporalMetricsUrl) {
    try {
      const response = await fetch(temporalMetricsUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) temporal = await response.text();
    } catch {
      // A scrape without the SDK's metrics beats none: their absence is itself visible.
    }
  }
  return { contentType: registry.contentType, body: temporal ? `${own.trimEnd()}\n${temporal}` : own };
}
