import type { PoolClient } from 'pg';
import { asJsonRows } from '../json-rows';
import type { DayRow } from './rows';

/** Adds or replaces the given days (the roll adds today's; a re-projection replaces a pathway's all). */
export async function saveDays(client: PoolClient, days: DayRow[]): Promise<void> {
  if (days.length === 0) return;
  await client.query(
    `INSERT INTO pathway_days (day, pathway_id, site, local_authority, pathway, days_delayed, delay_band, bed_day_lost, reason_codes, reason_agencies)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(day date, pathway_id text, site text, local_authority text, pathway text,
       days_delayed integer, delay_band text, bed_day_lost boolean, reason_codes text[], reason_agencies text[])
     ON CONFLICT (day, pathway_id) DO UPDATE SET site = EXCLUDED.site, local_authority = EXCLUDED.local_authority, pathway = EXCLUDED.pathway,
       days_delayed = EXCLUDED.days_delayed, delay_band = EXCLUDED.delay_band, bed_day_lost = EXCLUDED.bed_day_lost, reason_codes = EXCLUDED.reason_codes,
       reason_agencies = EXCLUDED.reason_agencies`,
    [asJsonRows(days)],
  );
}
