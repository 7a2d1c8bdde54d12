import { z } from 'zod';

/** Every type Homeward publishes is this, the event's own type, and its version: see cloudEventType. */
const typePrefix = 'uk.nhs.discharge.';

/** Where Homeward's events come from, as a CloudEvents `source` URI reference. */
export const eventSource = 'urn:homeward:discharge-pathway';

/** CloudEvents 1.0 JSON envelope (structured mode) around every event Homeward publishes. */
export const CloudEvent = z.object({
  specversion: z.literal('1.0'),
  /** `<pathwayId>/<sequence>`: the same event always has the same id, so consumers can de-duplicate. */
  id: z.string().min(1),
  source: z.string().min(1),
  /** e.g. `referral.requested` at version 1 (cloudEventType). */
  type: z.string().regex(new RegExp(`^${typePrefix.replaceAll('.', '\\.')}[a-z_.]+\\.v\\d+$`)),
  /** The pathway id. */
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  /** Position of the event in its pathway (1, 2, 3 …): lets consumers order and spot gaps. */
  sequence: z.number().int().positive(),
  data: z.record(z.string(), z.unknown()),
  /** Extension: the role of whoever caused the event (`system` for timers and the ADT feed). */
  actorrole: z.enum(['discharge-team', 'manager', 'agency', 'system', 'patient', 'carer']).optional(),
  /** Extension: the agency that acted, when an agency did. */
  actoragency: z.string().optional(),
  /** Extension, on the trust's own topics only: who acted (token subject). Never on another agency's topic. */
  actorsubject: z.string().optional(),
  /** Extension, on the trust's own topics only: the sites a site-limited actor may act on, comma-separated. */
  actorsites: z.string().optional(),
  /** Extension (CloudEvents distributed tracing): the W3C trace context of the command that caused the event, when traced. */
  traceparent: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
});
export type CloudEvent = z.infer<typeof CloudEvent>;

export function cloudEventType(eventType: string, version = 1): string {
  return `${typePrefix}${eventType}.v${version}`;
}

/** The event's type and version (`referral.requested.v1`) of one of Homeward's CloudEvent types; another type as it is. */
export const unprefixedType = (type: string): string =>
  type.startsWith(typePrefix) ? type.slice(typePrefix.length) : type;

/** The event's own type alone (`referral.requested`): what a person reads. */
export const shortType = (type: string): string => unprefixedType(type).replace(/\.v\d+$/, '');

/** The pathway event type a CloudEvent type names at that version; undefined when it names none. */
export function eventTypeOf(type: string, version = 1): string | undefined {
  const suffix = `.v${version}`;
  const rest = unprefixedType(type);
  return rest !== type && rest.length > suffix.length && rest.endsWith(suffix)
    ? rest.slice(0, -suffix.length)
    : undefined;
}

export function eventId(pathwayId: string, sequence: number): string {
  return `${pathwayId}/${sequence}`;
}
