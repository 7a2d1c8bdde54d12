import { createHash } from 'node:crypto';
import type { DeadLetter, RejectionNotice } from '../kafka/inbound-consumer';
import { agencyOfResponses, topics } from '../kafka/topics';
import { cloudEventType, eventSource, type CloudEvent } from '../schemas/cloudevent';
import type { ResponseRejected } from '../schemas/inbound';
import { parseLoosely } from '../telemetry/trace-context';

/**
 * An agency whose answer was refused hears of it on its own events topic, which only it reads:
 * a `response.rejected` event keyed by its messageId, with its own message and the reason. The
 * shared DLQ, which also holds the hospital's ADT messages, stays the trust's.
 */
export const agencyRejectionNotice: RejectionNotice = (letter: DeadLetter) => {
  const agency = agencyOfResponses(letter.topic);
  if (!agency) return [];
  const sent = parseLoosely(letter.value);
  const { messageId, traceId } = letter;
  const pathwayId = typeof sent?.pathwayId === 'string' ? sent.pathwayId.slice(0, 100) : undefined;
  const envelope: CloudEvent = {
    specversion: '1.0',
    // Deterministic, like every event id: a redelivered rejection is the same rejection.
    id: `rejected/${createHash('sha256').update(`${letter.topic}/${letter.partition}/${letter.offset}`).digest('hex').slice(0, 24)}`,
    source: eventSource,
    type: cloudEventType('response.rejected'),
    subject: pathwayId ?? 'unknown',
    time: letter.failedAt,
    datacontenttype: 'application/json',
    sequence: 1,
    data: {
      messageId,
      ...(traceId ? { traceId } : {}),
      reason: letter.reason,
      message: letter.value,
      ...(letter.truncated ? { truncated: letter.truncated } : {}),
      partition: letter.partition,
      offset: letter.offset,
    } satisfies ResponseRejected,
  };
  const headers = { ce_id: envelope.id, ce_type: envelope.type, 'content-type': 'application/cloudevents+json' };
  return [
    {
      topic: topics.agencyEvents(agency),
      key: messageId ?? pathwayId ?? envelope.id,
      value: JSON.stringify(envelope),
      headers,
    },
  ];
};
