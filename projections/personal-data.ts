import { SealedDataError, type PersonalDataCipher } from '../codec/personal-data-cipher';
import { inTransaction, type Database } from '../readmodel/database';
import type { PathwayEvent } from '../schemas/events';
import { splitPersonal } from '../schemas/personal-fields';
import { savePatientSummaries } from './patient-summary';
import { eventColumns, openedFrom, storedEventColumns, type EventRecord } from './store';

export interface SealingOutcome {
  /** Events whose personal fields are now sealed under the newest key. */
  sealed: number;
  /** Events left queued because this process cannot open them; `reason` names the first (a key id, never content). */
  unopened: number;
  reason?: string;
}

/**
 * Works through `pathway_events_to_seal`: events stored before personal fields were sealed
 * (migration 004: in clear) and events queued by `queueForResealing` (under an older key). Each is
 * opened, with whichever listed key sealed it, and sealed again under the newest, a batch per
 * transaction; a second process doing the same takes other rows. An event this process cannot open
 * stays queued, counted, and the rest carry on. Each start opened gives the patient's summary
 * (projections/patient-summary.ts), for the pathways started before the read model kept it.
 */
export async function sealQueuedEvents(
  db: Database,
  cipher: PersonalDataCipher,
  batchSize = 500,
): Promise<SealingOutcome> {
  const outcome: SealingOutcome = { sealed: 0, unopened: 0 };
  let after: [string, number] = ['', 0];
  for (;;) {
    const rows = await inTransaction(db, async (client) => {
      const { rows: queued } = await client.query<EventRecord>(
        `SELECT ${eventColumns
          .split(', ')
          .map((column) => `e.${column}`)
          .join(', ')}
         FROM pathway_events_to_seal q JOIN pathway_events e USING (pathway_id, sequence)
         WHERE (q.pathway_id, q.sequence) > ($1, $2) ORDER BY q.pathway_id, q.sequence LIMIT $3 FOR UPDATE OF q SKIP LOCKED`,
        [...after, batchSize],
      );
      const updates = [];
      const done: { pathway_id: string; sequence: number }[] = [];
      const opened: { pathwayId: string; event: PathwayEvent }[] = [];
      for (const row of queued) {
        const whole = wholeEvent(row, cipher);
        if ('unopened' in whole) {
          outcome.unopened += 1;
          outcome.reason ??= whole.unopened;
          continue;
        }
        done.push({ pathway_id: row.pathway_id, sequence: row.sequence });
        opened.push({ pathwayId: row.pathway_id, event: whole.event });
        // Already as the newest key would store it: under that key, or with nothing personal at all.
        const current =
          row.personal_key_id === cipher.sealingKeyId ||
          (row.personal_key_id === null && !splitPersonal(row.event).personal);
        if (!current)
          updates.push({
            pathway_id: row.pathway_id,
            sequence: row.sequence,
            ...storedEventColumns(row.pathway_id, row.sequence, whole.event, cipher),
          });
      }
      if (updates.length > 0) {
        await client.query(
          `UPDATE pathway_events e SET event = u.event, personal = decode(u.personal, 'base64'), personal_key_id = u.personal_key_id
           FROM jsonb_to_recordset($1::jsonb) AS u(pathway_id text, sequence integer, event jsonb, personal text, personal_key_id text)
           WHERE e.pathway_id = u.pathway_id AND e.sequence = u.sequence`,
          [JSON.stringify(updates)],
        );
      }
      await client.query(
        `DELETE FROM pathway_events_to_seal q USING jsonb_to_recordset($1::jsonb) AS d(pathway_id text, sequence integer)
         WHERE q.pathway_id = d.pathway_id AND q.sequence = d.sequence`,
        [JSON.stringify(done)],
      );
      // Starts queued by migration 005 are opened for this alone: the patient's summary.
      await savePatientSummaries(client, opened);
      outcome.sealed += updates.length;
      return queued;
    });
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return outcome;
    after = [last.pathway_id, last.sequence];
  }
}

/** A stored event whole (its personal fields opened, or still in clear), or why this process cannot open it. */
function wholeEvent(row: EventRecord, cipher: PersonalDataCipher): { event: PathwayEvent } | { unopened: string } {
  try {
    return { event: openedFrom(row, cipher).event };
  } catch (error) {
    if (error instanceof SealedDataError) return { unopened: error.message };
    throw error;
  }
}

/**
 * After a new key is put first in HOMEWARD_CODEC_KEYS: queues every event sealed under another key,
 * for `sealQueuedEvents` to seal again under the new one, so the old key is no longer needed to read
 * the read model. Refuses, naming them, if some events were sealed under keys this process lacks.
 */
export async function queueForResealing(db: Database, cipher: PersonalDataCipher): Promise<number> {
  const { rows } = await db.query<{ key_id: string }>(
    'SELECT DISTINCT personal_key_id AS key_id FROM pathway_events WHERE personal_key_id IS NOT NULL',
  );
  const missing = rows.map((row) => row.key_id).filter((id) => !cipher.has(id));
  if (missing.length > 0) {
    throw new SealedDataError(
      `Events in the read model were sealed with key id ${missing.map((id) => `"${id}"`).join(', ')}, not in HOMEWARD_CODEC_KEYS: list every key still in use, the new one first`,
    );
  }
  const queued = await db.query(
    `INSERT INTO pathway_events_to_seal (pathway_id, sequence)
     SELECT pathway_id, sequence FROM pathway_events WHERE personal_key_id <> $1 ON CONFLICT DO NOTHING`,
    [cipher.sealingKeyId],
  );
  return queued.rowCount ?? 0;
}
