import type { PoolClient } from 'pg';
import type { PersonalDataCipher } from '../codec/personal-data-cipher';
import { eventId } from '../schemas/cloudevent';
import type { PathwayEvent } from '../schemas/events';
import { joinPersonal, splitPersonal, type PersonalPart } from '../schemas/personal-fields';
import type { RecordedPathwayEvent } from '../workflows/definitions';
import { saveDays } from '../readmodel/pathway-days/columns';
import { dayRows, type DayRow } from '../readmodel/pathway-days/rows';
import { saveRows } from '../readmodel/pathways/columns';
import { foldTimeline, pathwayRow, type PathwayRow } from '../readmodel/pathways/row';
import { savePatientSummaries } from './patient-summary';
import type { ProjectedEvent } from './recorded-event';

/**
 * The projection's writes. Many rows go in as one JSON parameter unpacked by jsonb_to_recordset:
 * one round trip per batch, and values never reach the SQL text.
 */

/**
 * An event as `pathway_events` stores it: personal fields apart, sealed and bound to the event's id
 * (base64 here, for the JSON parameter).
 */
export function storedEventColumns(
  pathwayId: string,
  sequence: number,
  event: PathwayEvent,
  cipher: PersonalDataCipher,
) {
  const { rest, personal } = splitPersonal(event);
  const sealed = personal && cipher.seal(personal, eventId(pathwayId, sequence));
  return {
    event: rest,
    personal: sealed ? sealed.data.toString('base64') : null,
    personal_key_id: sealed?.keyId ?? null,
  };
}

/** Every event once: a redelivered or re-published event (same pathway and sequence) is ignored. */
export async function saveEvents(
  client: PoolClient,
  events: ProjectedEvent[],
  cipher: PersonalDataCipher,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ pathwayId, recorded: { sequence, event, actor } }) => ({
    pathway_id: pathwayId,
    sequence,
    type: event.type,
    at: event.at,
    actor_role: actor?.role ?? null,
    actor_agency: actor?.agency ?? null,
    actor_subject: actor?.subject ?? null,
    actor_sites: actor?.sites ?? null,
    ...storedEventColumns(pathwayId, sequence, event, cipher),
  }));
  await client.query(
    `INSERT INTO pathway_events (pathway_id, sequence, type, at, actor_role, actor_agency, actor_subject, actor_sites, event, personal, personal_key_id)
     SELECT pathway_id, sequence, type, at, actor_role, actor_agency, actor_subject, actor_sites, event, decode(personal, 'base64'), personal_key_id
     FROM jsonb_to_recordset($1::jsonb) AS r(pathway_id text, sequence integer, type text, at timestamptz,
       actor_role text, actor_agency text, actor_subject text, actor_sites text[], event jsonb, personal text, personal_key_id text)
     ON CONFLICT (pathway_id, sequence) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  // While the event is whole: the only thing of the patient the read model keeps readable.
  await savePatientSummaries(
    client,
    events.map(({ pathwayId, recorded }) => ({ pathwayId, event: recorded.event })),
  );
}

export interface EventRecord {
  pathway_id: string;
  sequence: number;
  event: PathwayEvent;
  personal: Buffer | null;
  personal_key_id: string | null;
  actor_role: string | null;
  actor_agency: string | null;
  actor_subject: string | null;
  actor_sites: string[] | null;
}

type ImpersonalRecord = Omit<EventRecord, 'personal' | 'personal_key_id'>;

/** The stored event with its actor, and the event as `event` gives it (personal fields elsewhere). */
function recordedWith(row: ImpersonalRecord, event: PathwayEvent): RecordedPathwayEvent {
  const actor = row.actor_role
    ? {
        subject: row.actor_subject ?? '',
        role: row.actor_role as NonNullable<RecordedPathwayEvent['actor']>['role'],
        ...(row.actor_agency
          ? { agency: row.actor_agency as NonNullable<RecordedPathwayEvent['actor']>['agency'] }
          : {}),
        ...(row.actor_sites ? { sites: row.actor_sites } : {}),
      }
    : undefined;
  return { sequence: row.sequence, event, ...(actor ? { actor } : {}) };
}

/**
 * A stored event without its personal fields: what the managers' rows are folded from. An event
 * stored before they were sealed (still queued to be) holds them in clear: they are left out too.
 */
export const impersonalFrom = (row: ImpersonalRecord): RecordedPathwayEvent =>
  recordedWith(row, splitPersonal(row.event).rest);

/** A stored event whole, as the workflow recorded it: its personal fields opened (SealedDataError if they cannot be). */
export function openedFrom(row: EventRecord, cipher: PersonalDataCipher): RecordedPathwayEvent {
  const sealed = row.personal && row.personal_key_id ? { keyId: row.personal_key_id, data: row.personal } : undefined;
  const personal = sealed && (cipher.open(sealed, eventId(row.pathway_id, row.sequence)) as PersonalPart);
  return recordedWith(row, joinPersonal(row.event, personal));
}

const impersonalColumns = 'pathway_id, sequence, event, actor_role, actor_agency, actor_subject, actor_sites';
export const eventColumns = `${impersonalColumns}, personal, personal_key_id`;

/** The stored timelines of these pathways, each in sequence order, without personal fields. */
export async function loadTimelines(
  client: PoolClient,
  pathwayIds: string[],
): Promise<Map<string, RecordedPathwayEvent[]>> {
  const { rows } = await client.query<ImpersonalRecord>(
    `SELECT ${impersonalColumns} FROM pathway_events WHERE pathway_id = ANY($1::text[]) ORDER BY pathway_id, sequence`,
    [pathwayIds],
  );
  const timelines = new Map<string, RecordedPathwayEvent[]>(pathwayIds.map((id) => [id, []]));
  for (const row of rows) timelines.get(row.pathway_id)!.push(impersonalFrom(row));
  return timelines;
}

/**
 * Recomputes these pathways' rows and days from their stored events: the same code for the
 * projector's every batch and for a rebuild, so the two cannot disagree. Folded without personal
 * fields, so the row's state holds none, and no key is needed.
 */
export async function reproject(client: PoolClient, pathwayIds: string[], today: string): Promise<number> {
  if (pathwayIds.length === 0) return 0;
  const timelines = await loadTimelines(client, pathwayIds);
  const rows: PathwayRow[] = [];
  const days: DayRow[] = [];
  for (const [pathwayId, timeline] of timelines) {
    const folded = foldTimeline(timeline);
    const row = pathwayRow(pathwayId, folded, today);
    if (!row) continue;
    rows.push(row);
    days.push(...dayRows(pathwayId, folded.applied, today));
  }
  await client.query('DELETE FROM pathway_days WHERE pathway_id = ANY($1::text[])', [pathwayIds]);
  await saveRows(client, rows);
  await saveDays(client, days);
  return rows.length;
}
