import { cloudEventType, eventId, eventSource, type CloudEvent } from '../schemas/cloudevent';
import type { EventPublisher, OutboundMessage } from '../kafka/publisher';
import { topics } from '../kafka/topics';
import { agencyViews, type RoutingContext } from '../schemas/agency-views';
import type { RecordedPathwayEvent } from '../workflows/definitions';

export interface PublishRequest {
  pathwayId: string;
  events: RecordedPathwayEvent[];
  /** The pathway as it stands, for routing: whom each event concerns and what they may see. */
  context: RoutingContext;
}

export function toCloudEvent(pathwayId: string, recorded: RecordedPathwayEvent): CloudEvent {
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

const message = (topic: string, envelope: CloudEvent): OutboundMessage => ({
  topic,
  key: envelope.subject,
  value: JSON.stringify(envelope),
  headers: { ce_id: envelope.id, ce_type: envelope.type, 'content-type': 'application/cloudevents+json' },
});

/**
 * Messages for one recorded event: in full on the audit topic and the trust's own topic, and as
 * each concerned agency's minimised view on that agency's topic. The id is the same everywhere.
 */
export function route(pathwayId: string, recorded: RecordedPathwayEvent, context: RoutingContext): OutboundMessage[] {
  const envelope = toCloudEvent(pathwayId, recorded);
  const messages = [message(topics.pathwayEvents, envelope), message(topics.agencyEvents('acute-trust'), envelope)];
  for (const view of agencyViews(recorded.event, context)) {
    for (const agency of view.to) {
      if (agency === 'acute-trust') continue;
      messages.push(message(topics.agencyEvents(agency), { ...envelope, data: view.data }));
    }
  }
  return messages;
}

export function createPublishActivities(publisher: EventPublisher) {
  return {
    /** Idempotent by construction: a retry re-sends the same ids, which consumers de-duplicate. */
    async publishEvents(request: PublishRequest): Promise<number> {
      const messages = request.events.flatMap((recorded) => route(request.pathwayId, recorded, request.context));
      await publisher.publish(messages);
      return messages.length;
    },
  };
}
