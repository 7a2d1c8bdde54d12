import { Actor } from '../schemas/actor';
import { CloudEvent, eventId, eventTypeOf } from '../schemas/cloudevent';
import { PathwayEvent } from '../schemas/events';
import type { RecordedPathwayEvent } from '../workflows/definitions';

export interface ProjectedEvent {
  pathwayId: string;
  recorded: RecordedPathwayEvent;
}

export type Decoded = { ok: true; event: ProjectedEvent } | { ok: false; reason: string };

/** Issue paths and messages only: a rejected event's values (a patient's) never reach a reason. */
const reasonOf = (what: string, issues: { path: PropertyKey[]; message: string }[]) =>
  `${what}: ${issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ')}`;

/**
 * A message of `homeward.pathway.events` as the recorded event it was published from: the
 * CloudEvent (`activities/publish.ts` toCloudEvent) read back, actor extensions included.
 */
export function decodeCloudEvent(value: string | null | undefined): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const envelope = CloudEvent.safeParse(json);
  if (!envelope.success) return { ok: false, reason: reasonOf('not a CloudEvent', envelope.error.issues) };
  const { type, time, subject, sequence, id, data, actorrole, actoragency, actorsubject, actorsites } = envelope.data;
  if (id !== eventId(subject, sequence)) return { ok: false, reason: `id is not <subject>/<sequence>` };
  const event = { ...data, type: eventTypeOf(type), at: time };
  const parsed = PathwayEvent.safeParse(event);
  if (!parsed.success) return { ok: false, reason: reasonOf(`not a pathway event (${type})`, parsed.error.issues) };
  let actor: Actor | undefined;
  if (actorrole) {
    const candidate = Actor.safeParse({
      subject: actorsubject,
      role: actorrole,
      ...(actoragency ? { agency: actoragency } : {}),
      ...(actorsites ? { sites: actorsites.split(',') } : {}),
    });
    if (!candidate.success) return { ok: false, reason: reasonOf('actor extensions', candidate.error.issues) };
    actor = candidate.data;
  }
  // The event as published, not as parsed: a field added by a newer Homeward is kept, not stripped.
  return {
    ok: true,
    event: { pathwayId: subject, recorded: { sequence, event: event as PathwayEvent, ...(actor ? { actor } : {}) } },
  };
}
