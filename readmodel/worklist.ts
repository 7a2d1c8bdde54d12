import type { ActiveReason, PathwayState } from '../domain';
import type { Database } from './database';
import { delayedNow } from './figures';
import { patientColumns } from './pathways/list';
import { Params } from './pathways/where';

/** A stay in hospital as the read model holds it: its row's figures and its folded state (no personal data in either but the patient's initials and age band). */
export interface WorklistRow {
  pathwayId: string;
  patientInitials: string | null;
  ageBand: string | null;
  site: string | null;
  daysDelayed: number;
  /** The figure's one definition (figures.ts). */
  delayedNow: boolean;
  reasons: ActiveReason[];
  state: PathwayState;
}

/** How many stays one board shows: a large acute site has a few hundred beds' worth of discharges in planning. */
export const worklistLimit = 500;

/** Open stays still in hospital, on one site (or the sites the actor is limited to), oldest admission first. */
export async function worklistRows(db: Database, query: { site?: string; sites?: string[] }): Promise<WorklistRow[]> {
  const params = new Params();
  const where = ["status = 'open'", 'in_hospital'];
  if (query.sites) where.push(`site = ANY(${params.add(query.sites)}::text[])`);
  if (query.site) where.push(`site = ${params.add(query.site)}`);
  const { rows } = await db.query<WorklistRow>(
    `SELECT pathway_id AS "pathwayId", ${patientColumns}, site, days_delayed AS "daysDelayed", ${delayedNow.sql} AS "delayedNow", reasons, state FROM pathways
     WHERE ${where.join(' AND ')} ORDER BY admitted_at NULLS LAST, pathway_id LIMIT ${worklistLimit}`,
    params.values,
  );
  return rows;
}
