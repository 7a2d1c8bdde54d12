import type { EventOf, EventType, PathwayEvent } from './events';

type FieldOf<T extends EventType> = Exclude<keyof EventOf<T>, 'type' | 'at'>;

/**
 * The fields of each event that say who a person is or tell their story: the patient's identity,
 * the carer's and representative's details, and free text written about the person (assessment
 * notes and summary, review goals and notes, an agency's reason for declining). The read model keeps
 * them sealed (codec/personal-data-cipher.ts); everything else of an event stays readable, and the
 * managers' rows are folded from that alone. Delay-reason notes are not here: the managers' list
 * shows them, as the cause of a delay.
 */
export const personalFields: { readonly [T in EventType]?: readonly FieldOf<T>[] } = {
  'pathway.started': ['patient'],
  'assessment.completed': ['notes', 'bestInterests', 'carer', 'summary'],
  'carer.recorded': ['carer'],
  'referral.declined': ['reason'],
  'review.recorded': ['goals', 'notes'],
  // A disability or a first language says something about the person.
  'accessible_information.recorded': ['formats', 'language'],
};

/** An event's personal fields, by name. */
export type PersonalPart = Record<string, unknown>;

/**
 * The event without its personal fields, and those fields (absent when it has none). The rest is
 * typed as the event, though a required personal field (`patient`, `goals`) is missing: evolve
 * only copies them into the state, so folding the rest gives the state less its personal parts
 * (projections/personal-data.test.ts).
 */
export function splitPersonal(event: PathwayEvent): { rest: PathwayEvent; personal?: PersonalPart } {
  const fields: readonly string[] = personalFields[event.type] ?? [];
  const entries = Object.entries(event);
  const personal = entries.filter(([name, value]) => fields.includes(name) && value !== undefined);
  if (personal.length === 0) return { rest: event };
  return {
    rest: Object.fromEntries(entries.filter(([name]) => !fields.includes(name))) as PathwayEvent,
    personal: Object.fromEntries(personal),
  };
}

/** The event whole again. */
export const joinPersonal = (rest: PathwayEvent, personal?: PersonalPart): PathwayEvent =>
  personal ? ({ ...rest, ...personal } as PathwayEvent) : rest;
