import { cloudEventType, eventId, eventSource, type CloudEvent } from '../schemas/cloudevent';
import type { EventPublisher, OutboundMessage } from '../kafka/publisher';
import { topics } from '../kafka/topics';

/** An event as the workflow recorded it: the sequence number is its identity. */
export interface RecordedEvent {
  sequence: number;
  event: { type: string; at: string } & Record<string, unknown>;
}

export interface PublishRequest {
  pathwayId: string;
  events: RecordedEvent[];
}

export function toCloudEvent(pathwayId: string, recorded: RecordedEvent): CloudEvent {
  const { type, at, ...data } = recorded.event;
  return {
    specversion: '1.0',
    id: eventId(pathwayId, recorded.sequence),
    source: eventSource,
    type: cloudEventType(type),
    subject: pathwayId,
    time: at,
    datacontenttype: 'application/json',
    sequence: recorded.sequence,
    data,
  };
}

/** Messages for one recorded event: the full event for the trust's audit topic. */
export function route(pathwayId: string, recorded: RecordedEvent): OutboundMessage[] {
  const envelope = toCloudEvent(pathwayId, recorded);
  return [
    {
      topic: topics.pathwayEvents,
      key: pathwayId,
      value: JSON.stringify(envelope),
      headers: { 'ce_id': envelope.id, 'ce_type': envelope.type, 'content-type': 'application/cloudevents+json' },
    },
  ];
}

export function createPublishActivities(publisher: EventPublisher) {
  return {
    /** Idempotent by construction: a retry re-sends the same ids, which consumers de-duplicate. */
    async publishEvents(request: PublishRequest): Promise<number> {
      const messages = request.events.flatMap((recorded) => route(request.pathwayId, recorded));
      await publisher.publish(messages);
      return messages.length;
    },
  };
}
