import type { PoolClient } from 'pg';
import type { Database } from '../readmodel/database';

/**
 * The projector's position in each partition, kept in PostgreSQL beside the rows it produced and
 * written in the same transaction: after a crash at any point the position and the rows agree.
 */

/** Locks the partition's position for this transaction and returns the next offset to apply (undefined: none applied yet). */
export async function lockPosition(client: PoolClient, topic: string, partition: number): Promise<bigint | undefined> {
  await client.query('INSERT INTO projector_offsets (topic, partition) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    topic,
    partition,
  ]);
  const { rows } = await client.query<{ next_offset: string | null }>(
    'SELECT next_offset FROM projector_offsets WHERE topic = $1 AND partition = $2 FOR UPDATE',
    [topic, partition],
  );
  return rows[0].next_offset === null ? undefined : BigInt(rows[0].next_offset);
}

export async function savePosition(
  client: PoolClient,
  position: { topic: string; partition: number; nextOffset: bigint; lastEventAt?: string; endOffset?: string },
): Promise<void> {
  await client.query(
    `UPDATE projector_offsets SET next_offset = $3, last_event_at = COALESCE($4, last_event_at),
       end_offset = GREATEST(end_offset, $5::bigint, $3), applied_at = now()
     WHERE topic = $1 AND partition = $2`,
    [
      position.topic,
      position.partition,
      position.nextOffset.toString(),
      position.lastEventAt ?? null,
      position.endOffset ?? null,
    ],
  );
}

/** Positions per partition, for lining the Kafka consumer group up with what PostgreSQL holds. */
export async function positions(db: Database, topic: string): Promise<Map<number, bigint>> {
  const { rows } = await db.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM projector_offsets WHERE topic = $1 AND next_offset IS NOT NULL',
    [topic],
  );
  return new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
}

/** What the broker holds of each partition, as last looked at: the projector's lag. */
export async function saveWatermarks(
  db: Database,
  topic: string,
  partitions: { partition: number; low: string; high: string }[],
): Promise<void> {
  await db.query(
    `INSERT INTO projector_offsets (topic, partition, start_offset, end_offset, checked_at)
     SELECT $1, p.partition, p.low, p.high, now() FROM jsonb_to_recordset($2::jsonb) AS p(partition integer, low bigint, high bigint)
     ON CONFLICT (topic, partition) DO UPDATE SET start_offset = EXCLUDED.start_offset, end_offset = EXCLUDED.end_offset, checked_at = now()`,
    [topic, JSON.stringify(partitions)],
  );
}

export async function saveRejects(
  client: PoolClient,
  topic: string,
  partition: number,
  rejects: { offset: string; reason: string }[],
): Promise<void> {
  if (rejects.length === 0) return;
  await client.query(
    `INSERT INTO projector_rejects (topic, partition, kafka_offset, reason)
     SELECT $1, $2, r.offset, r.reason FROM jsonb_to_recordset($3::jsonb) AS r("offset" bigint, reason text)
     ON CONFLICT DO NOTHING`,
    [topic, partition, JSON.stringify(rejects)],
  );
}
