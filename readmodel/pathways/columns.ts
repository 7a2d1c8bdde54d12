import type { PoolClient } from 'pg';
import { asJsonRows } from '../json-rows';
import type { PathwayRow } from './row';

/** The columns of `pathways` that a PathwayRow fills (migrations 001 to 009 made them), as jsonb_to_recordset reads them. */
export const rowColumns = `pathway_id text, status text, stage text, in_hospital boolean, pathway text, site text, local_authority text, ward text, region text,
  admitted_at timestamptz, drd date, delay_counts_from date, days_delayed integer, prior_delay_days integer,
  bed_days_lost integer, delay_band text, delay_as_of date, reasons jsonb, reason_codes text[], reason_agencies text[],
  awaiting_agencies text[], referral_agencies text[], informed_agencies text[], overdue_since timestamptz, review_overdue_since timestamptz, handover_uncovered text[],
  stuck_since timestamptz, last_event_at timestamptz, last_sequence integer, event_count integer, discharge_date date,
  destination text, outcome text, outcome_detail text, closed_at timestamptz, previous_pathway_id text,
  linked_pathway_id text, state jsonb`;
const rowNames = rowColumns.split(',').map((column) => column.trim().split(/\s+/)[0]);

/** Adds or replaces these pathways' rows. */
export async function saveRows(client: PoolClient, rows: PathwayRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO pathways (${rowNames.join(', ')})
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${rowColumns})
     ON CONFLICT (pathway_id) DO UPDATE SET ${rowNames
       .slice(1)
       .map((name) => `${name} = EXCLUDED.${name}`)
       .join(', ')}, updated_at = now()`,
    [asJsonRows(rows)],
  );
}
