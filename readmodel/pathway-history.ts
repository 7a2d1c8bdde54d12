import type { Agency } from '../schemas/common';
import type { PathwayState } from '../domain';
import { eventColumns, recordedFrom } from '../projections/store';
import type { RecordedPathwayEvent } from '../workflows/definitions';
import type { Database } from './database';

/** A pathway as the read model keeps it, long after its workflow is gone. */
export interface StoredPathway {
  pathwayId: string;
  site: string;
  referralAgencies: Agency[];
  state: PathwayState;
  timeline: RecordedPathwayEvent[];
}

export async function storedPathway(db: Database, pathwayId: string): Promise<StoredPathway | undefined> {
  const [row, events] = await Promise.all([
    db.query<{ site: string | null; referral_agencies: Agency[]; state: PathwayState }>(
      'SELECT site, referral_agencies, state FROM pathways WHERE pathway_id = $1',
      [pathwayId],
    ),
    db.query(`SELECT ${eventColumns} FROM pathway_events WHERE pathway_id = $1 ORDER BY sequence`, [pathwayId]),
  ]);
  const found = row.rows[0];
  if (!found) return undefined;
  return {
    pathwayId,
    site: found.site ?? '',
    referralAgencies: found.referral_agencies,
    state: found.state,
    timeline: events.rows.map(recordedFrom),
  };
}
