import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../readmodel/database';
import { escalationsRaised, escalationsRaisedSql, exportReadModelFigures } from '../readmodel/gauges';
import { createTestDatabase } from './support/database';

// The read model's gauges are queried at every scrape: each must stay cheap as events pile up.
let db: Database;
let forget: () => void;
beforeAll(async () => {
  db = connectDatabase(await createTestDatabase(), { max: 2 });
  forget = exportReadModelFigures({ db, stuckForDays: 3 });
});
afterAll(async () => {
  forget?.();
  await db?.end();
});

const escalation = (agency: string, kind: string) => ({
  type: 'referral.escalated',
  at: '2027-01-05T09:00:00Z',
  referralId: 'ref-1',
  agency,
  kind,
});
const other = { type: 'edd.set', at: '2027-01-05T09:00:00Z', date: '2027-01-09' };

describe('homeward_escalations_raised', () => {
  it('counts the escalations by agency and kind, and its query can read them from the escalations’ index rather than every event', async () => {
    const events = [
      other,
      escalation('housing', 'overdue'),
      other,
      escalation('housing', 'overdue'),
      escalation('social-care', 'chase'),
      other,
    ];
    for (const [sequence, event] of events.entries()) {
      await db.query('INSERT INTO pathway_events (pathway_id, sequence, type, at, event) VALUES ($1, $2, $3, $4, $5)', [
        'pathway-G1',
        sequence + 1,
        event.type,
        event.at,
        event,
      ]);
    }
    const counted = (await escalationsRaised.get()).values.map(({ labels, value }) => ({ ...labels, value }));
    expect(counted).toEqual(
      expect.arrayContaining([
        { agency: 'housing', kind: 'overdue', value: 2 },
        { agency: 'social-care', kind: 'chase', value: 1 },
      ]),
    );
    expect(counted).toHaveLength(2);

    // On a table this small the planner rightly prefers a sequential scan: with it ruled out, the
    // plan shows whether the index (migration 010) answers this very query.
    const client = await db.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${escalationsRaisedSql}`);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      expect(plan).toContain('"Index Name":"pathway_events_escalations"');
      expect(plan).not.toContain('Seq Scan');
    } finally {
      client.release();
    }
  });
});
