import { z } from 'zod';
import type { RoutingContext } from './data-minimisation';
import { CloudEvent, eventId, eventSource } from './cloudevent';
import { AccessibleFormat } from './commands';
import { NhsNumber, type Agency } from './common';
import type { PathwayEvent } from './events';
import { dayText, provider } from './plain-english';

/**
 * What the patient is told when their plan changes (issue 27), on `homeward.notifications`, in a
 * shape an NHS Notify or NHS App messaging adapter sends as it stands: whom (NHS number: NHS App
 * messages and NHS Notify address a person by it), by which channel, which template, and the
 * template's personalisation: a provider and a day, never clinical detail, never a member of staff.
 */
export const NotificationTemplate = z.enum([
  'start-date-set',
  'start-date-moved',
  'discharge-confirmed',
  'first-visit-due',
  'review-booked',
]);
export type NotificationTemplate = z.infer<typeof NotificationTemplate>;

/** `nhsapp`: an NHS App message; `letter`: a printed letter, for a format only paper (or its audio and braille variants) carries. */
export const NotificationChannel = z.enum(['nhsapp', 'letter']);

export const Notification = z.strictObject({
  /** `<pathwayId>/<sequence>/<template>`: the same change always makes the same notification, so an adapter sends it once. */
  notificationId: z.string().min(1),
  recipient: z.strictObject({ nhsNumber: NhsNumber }),
  channel: NotificationChannel,
  templateId: NotificationTemplate,
  /** The template's fields, in plain English ("the reablement team", "Monday 24 November"). */
  personalisation: z.strictObject({
    provider: z.string().max(120).optional(),
    day: z.string().max(60).optional(),
    previousDay: z.string().max(60).optional(),
  }),
  /** How the patient needs information (NHS Accessible Information Standard): the adapter picks the template's variant. */
  accessibleInformation: z
    .strictObject({ formats: z.array(AccessibleFormat), language: z.string().optional() })
    .optional(),
});
export type Notification = z.infer<typeof Notification>;

export const notificationType = 'uk.nhs.discharge.notification.requested.v1';
export const NotificationEvent = CloudEvent.extend({ type: z.literal(notificationType), data: Notification });
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** Formats a message on a screen cannot carry. */
const paperFormats = new Set(['large-print', 'braille', 'audio']);

type Told = { templateId: NotificationTemplate; personalisation: Notification['personalisation'] };

/** The change an event makes that matters to the patient, if any. */
function told(event: PathwayEvent, context: RoutingContext): Told | undefined {
  const day = (date: string) => dayText(date, event.at.slice(0, 10));
  const from = (referralId: string, agency: Agency) => provider(context.referralAgencies[referralId] ?? agency);
  switch (event.type) {
    case 'referral.ready': {
      const who = from(event.referralId, event.agency);
      return event.movedFrom
        ? {
            templateId: 'start-date-moved',
            personalisation: { provider: who, day: day(event.readyFrom), previousDay: day(event.movedFrom) },
          }
        : { templateId: 'start-date-set', personalisation: { provider: who, day: day(event.readyFrom) } };
    }
    case 'discharge.recorded':
      return { templateId: 'discharge-confirmed', personalisation: { day: day(event.date) } };
    case 'support.first_visit_due':
      // Told ahead of the day only: a reminder recorded late, on the day or after, tells them nothing new.
      return event.at.slice(0, 10) < event.on
        ? {
            templateId: 'first-visit-due',
            personalisation: { provider: from(event.referralId, event.agency), day: day(event.on) },
          }
        : undefined;
    case 'intermediate_care.started':
      return { templateId: 'review-booked', personalisation: { day: day(event.firstReviewDue) } };
    case 'review.recorded':
      return event.outcome === 'continue'
        ? { templateId: 'review-booked', personalisation: { day: day(event.nextReviewDue) } }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The notification one recorded event asks for: none for most events, one for a change that
 * matters to the patient. The id follows the event's, so an activity retried sends the same one.
 */
export function notificationFor(
  pathwayId: string,
  sequence: number,
  event: PathwayEvent,
  context: RoutingContext,
): NotificationEvent | undefined {
  const change = told(event, context);
  if (!change) return undefined;
  const accessible = context.accessibleInformation;
  const id = `${eventId(pathwayId, sequence)}/${change.templateId}`;
  return NotificationEvent.parse({
    specversion: '1.0',
    id,
    source: eventSource,
    type: notificationType,
    subject: pathwayId,
    time: event.at,
    datacontenttype: 'application/json',
    sequence,
    data: {
      notificationId: id,
      recipient: { nhsNumber: context.patient.nhsNumber },
      channel: accessible?.formats.some((format) => paperFormats.has(format)) ? 'letter' : 'nhsapp',
      ...change,
      ...(accessible ? { accessibleInformation: accessible } : {}),
    },
  });
}
