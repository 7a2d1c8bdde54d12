import { publicActor } from '../schemas/actor';
import { cloudEventType, eventId, eventSource, type CloudEvent } from '../schemas/cloudevent';
import type { Agency } from '../schemas/common';
import { agencyViews, type RoutingContext } from '../schemas/data-minimisation';
import { notificationFor } from '../schemas/notifications';
import type { RecordedPathwayEvent } from '../workflows/definitions';
import type { OutboundMessage } from './publisher';
import { topics } from './topics';

// What goes on each topic for a recorded event: the envelopes the publishing activity sends, and
// that an agency's HTTP read shows exactly as its topic carried them. Pure: no client here.

/** The full event as the trust's own topics carry it, with who caused it. */
export function toCloudEvent(pathwayId: string, recorded: RecordedPathwayEvent): CloudEvent {
  const { type, at, ...data } = recorded.event;
  const actor = recorded.actor;
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
    ...(actor
      ? {
          actorrole: actor.role,
          ...(actor.agency ? { actoragency: actor.agency } : {}),
          actorsubject: actor.subject,
          ...(actor.sites ? { actorsites: actor.sites.join(',') } : {}),
        }
      : {}),
  };
}

/**
 * What one agency other than the trust receives of one event: its minimised view, with the
 * actor's role and agency but never a person's identity. Empty when the event does not concern it.
 */
export function agencyEnvelopes(
  pathwayId: string,
  recorded: RecordedPathwayEvent,
  context: RoutingContext,
  agency: Agency,
): CloudEvent[] {
  // The trust's own topic: every event in full, as on the audit stream.
  if (agency === 'acute-trust') return [toCloudEvent(pathwayId, recorded)];
  const {
    actorsubject: _subject,
    actorsites: _sites,
    actorrole: _role,
    actoragency: _agency,
    ...envelope
  } = toCloudEvent(pathwayId, recorded);
  const actor = recorded.actor ? publicActor(recorded.actor) : undefined;
  const extensions = actor ? { actorrole: actor.role, ...(actor.agency ? { actoragency: actor.agency } : {}) } : {};
  return agencyViews(recorded.event, context)
    .filter((view) => view.to.includes(agency))
    .map((view) => ({ ...envelope, ...extensions, data: view.data }));
}

/** One message; with a `traceparent`, the CloudEvents distributed-tracing extension, in the event and as headers. */
const message = (topic: string, envelope: CloudEvent, traceparent?: string): OutboundMessage => ({
  topic,
  key: envelope.subject,
  value: JSON.stringify(traceparent ? { ...envelope, traceparent } : envelope),
  headers: {
    ce_id: envelope.id,
    ce_type: envelope.type,
    'content-type': 'application/cloudevents+json',
    ...(traceparent ? { traceparent, ce_traceparent: traceparent } : {}),
  },
});

/**
 * Messages for one recorded event: in full on the audit topic and the trust's own topic, and as
 * each concerned agency's minimised view on that agency's topic. The id is the same everywhere.
 */
export function route(
  pathwayId: string,
  recorded: RecordedPathwayEvent,
  context: RoutingContext,
  traceparent?: string,
): OutboundMessage[] {
  const messages = [message(topics.pathwayEvents, toCloudEvent(pathwayId, recorded), traceparent)];
  const concerned = new Set<Agency>([
    'acute-trust',
    ...agencyViews(recorded.event, context).flatMap((view) => view.to),
  ]);
  for (const agency of concerned) {
    for (const view of agencyEnvelopes(pathwayId, recorded, context, agency))
      messages.push(message(topics.agencyEvents(agency), view, traceparent));
  }
  // A change that matters to the patient: one notification, on its own topic, for the trust's NHS Notify / NHS App adapter.
  const notification = notificationFor(pathwayId, recorded.sequence, recorded.event, context);
  if (notification) messages.push(message(topics.notifications, notification, traceparent));
  return messages;
}
