import { addDays, type PathwayState } from '../domain';
import { inTransaction, type Database } from '../readmodel/database';
import { saveDays } from '../readmodel/pathway-days/columns';
import { dayRow, type DayRow } from '../readmodel/pathway-days/rows';
import { delayColumns } from '../readmodel/pathways/row';

/**
 * A patient still in hospital with a DRD is one day more delayed every midnight, with no event to
 * say so. Once a day the projector moves such rows on to today, from their folded state and the
 * domain's delay functions, and adds the days since. Rows it has locked wait for the projector.
 */
export async function rollDelays(db: Database, today: string, batchSize = 500): Promise<number> {
  let rolled = 0;
  for (;;) {
    const count = await inTransaction(db, async (client) => {
      const { rows } = await client.query<{ pathway_id: string; state: PathwayState; delay_as_of: string }>(
        `SELECT pathway_id, state, to_char(delay_as_of, 'YYYY-MM-DD') AS delay_as_of FROM pathways
         WHERE status = 'open' AND discharge_date IS NULL AND delay_counts_from IS NOT NULL AND delay_as_of < $1::date
         ORDER BY pathway_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [today, batchSize],
      );
      const days: DayRow[] = [];
      const updates = rows.map(({ pathway_id, state, delay_as_of }) => {
        const episode = state.drdEpisodes.at(-1)!;
        for (let day = addDays(delay_as_of, 1); day <= today; day = addDays(day, 1))
          days.push(dayRow(pathway_id, state, episode, day));
        const delay = delayColumns(state, today);
        return {
          pathway_id,
          days_delayed: delay.daysDelayed,
          bed_days_lost: delay.bedDaysLost,
          delay_band: delay.delayBand,
          delay_as_of: delay.delayAsOf,
        };
      });
      if (updates.length > 0) {
        await client.query(
          `UPDATE pathways p SET days_delayed = u.days_delayed, bed_days_lost = u.bed_days_lost, delay_band = u.delay_band, delay_as_of = u.delay_as_of, updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS u(pathway_id text, days_delayed integer, bed_days_lost integer, delay_band text, delay_as_of date)
           WHERE p.pathway_id = u.pathway_id`,
          [JSON.stringify(updates)],
        );
        await saveDays(client, days);
      }
      return rows.length;
    });
    rolled += count;
    if (count < batchSize) return rolled;
  }
}
