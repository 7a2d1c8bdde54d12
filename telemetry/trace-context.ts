/**
 * W3C Trace Context as Homeward's Kafka messages carry it: on the CloudEvents it publishes, the
 * distributed-tracing extension `traceparent` (in the structured event, and as the `traceparent`
 * header); on a message it reads, the `traceparent` or `ce_traceparent` header, or the event's own
 * `traceparent` attribute. Nothing here needs tracing to be on: a dead letter names the trace of
 * the message it keeps whether or not this process traces.
 */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a W3C `traceparent`, when it is a valid one (not all zeros). */
export function traceIdOf(traceparent: unknown): string | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = traceparentPattern.exec(traceparent.trim());
  if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return match[1];
}

/** A Kafka message's `traceparent`: its header (plain, or the CloudEvents binary mode's), else the structured event's attribute. */
export function traceparentOf(
  headers: Record<string, unknown> | undefined,
  body?: Record<string, unknown>,
): string | undefined {
  for (const candidate of [headers?.traceparent, headers?.ce_traceparent, body?.traceparent]) {
    const value = Buffer.isBuffer(candidate) ? candidate.toString() : candidate;
    if (traceIdOf(value)) return value as string;
  }
  return undefined;
}

/** A message's value as a JSON object, or undefined: only to read ids from, never to trust. */
export function parseLoosely(value: string | null | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
