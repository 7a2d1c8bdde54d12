import type { PoolClient } from 'pg';
import type { PathwayEvent } from '../schemas/events';

/**
 * Whom a row is about, as far as the staff's pages need to tell two patients on one ward apart:
 * initials and an age band. The read model holds nothing else of the patient in clear (the name,
 * NHS number, date of birth and address stay sealed in `pathway_events.personal`), and this is
 * derived once, when the projector still has the whole event, so no page or query needs a key.
 * Minimisation: two letters and a band of ten or more years do not identify a person from the
 * read model alone, yet are what a ward list shows beside a bed.
 */
export interface PatientSummary {
  initials: string;
  ageBand: AgeBand;
}

/** Bands wide enough not to narrow a person down, and split where discharge planning changes (adult, older, frailty). */
export const ageBands = ['0-17', '18-64', '65-74', '75-84', '85+'] as const;
export type AgeBand = (typeof ageBands)[number];

/** The first letter of the first and of the last name (one letter for a single name): "Mary Ann O'Neill" → "MO". */
export function initialsOf(name: string): string {
  const words = name
    .split(/[\s,]+/)
    .map((word) => word.match(/\p{L}/u)?.[0])
    .filter((letter): letter is string => Boolean(letter));
  const picked = words.length > 1 ? [words[0], words.at(-1)!] : words;
  return picked.join('').toLocaleUpperCase('en-GB');
}

/** Age in whole years on `day` (YYYY-MM-DD) for a date of birth, as a band. */
export function ageBandOn(dateOfBirth: string, day: string): AgeBand {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  if (age < 18) return '0-17';
  if (age < 65) return '18-64';
  if (age < 75) return '65-74';
  if (age < 85) return '75-84';
  return '85+';
}

/** The summary a started pathway's patient gives, aged at admission (a fixed figure: the row does not change as the stay goes on). */
export function patientSummary(event: PathwayEvent): PatientSummary | undefined {
  if (event.type !== 'pathway.started' || !event.patient) return undefined;
  return {
    initials: initialsOf(event.patient.name),
    ageBand: ageBandOn(event.patient.dateOfBirth, event.admittedAt.slice(0, 10)),
  };
}

/** Records the summary of each whole `pathway.started` among `events` (a redelivered start changes nothing). */
export async function savePatientSummaries(
  client: PoolClient,
  events: { pathwayId: string; event: PathwayEvent }[],
): Promise<void> {
  const rows = events.flatMap(({ pathwayId, event }) => {
    const summary = patientSummary(event);
    return summary ? [{ pathway_id: pathwayId, initials: summary.initials, age_band: summary.ageBand }] : [];
  });
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO pathway_patients (pathway_id, initials, age_band)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(pathway_id text, initials text, age_band text)
     ON CONFLICT (pathway_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
