import type { PersonalDataCipher } from '../codec/personal-data-cipher';
import type { Agency } from '../schemas/common';
import type { PathwayState } from '../domain';
import { eventColumns, openedFrom, type EventRecord } from '../projections/store';
import type { RecordedPathwayEvent } from '../workflows/definitions';
import type { Database } from './database';

/** A pathway as the read model keeps it, long after its workflow is gone. */
export interface StoredPathway {
  pathwayId: string;
  site: string;
  referralAgencies: Agency[];
  /** Agencies sent any event of the stay (pathways.informed_agencies). */
  informedAgencies: Agency[];
  /** The folded state without personal data: enough to say who may see the pathway. */
  state: PathwayState;
  /** The timeline whole, its personal fields opened: only for a reader allowed to see the pathway (SealedDataError if they cannot be). */
  timeline(cipher: PersonalDataCipher): RecordedPathwayEvent[];
}

export async function storedPathway(db: Database, pathwayId: string): Promise<StoredPathway | undefined> {
  const [row, events] = await Promise.all([
    db.query<{ site: string | null; referral_agencies: Agency[]; informed_agencies: Agency[]; state: PathwayState }>(
      'SELECT site, referral_agencies, informed_agencies, state FROM pathways WHERE pathway_id = $1',
      [pathwayId],
    ),
    db.query<EventRecord>(`SELECT ${eventColumns} FROM pathway_events WHERE pathway_id = $1 ORDER BY sequence`, [
      pathwayId,
    ]),
  ]);
  const found = row.rows[0];
  if (!found) return undefined;
  return {
    pathwayId,
    site: found.site ?? '',
    referralAgencies: found.referral_agencies,
    informedAgencies: found.informed_agencies,
    state: found.state,
    timeline: (cipher) => events.rows.map((event) => openedFrom(event, cipher)),
  };
}
