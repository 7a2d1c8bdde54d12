import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import { signDevToken } from '../../../config/dev-issuer';
import { EventPublisher, type OutboundMessage } from '../../../kafka/publisher';
import { topics } from '../../../kafka/topics';
import { projectorGroup, retrying } from '../../../projections/projector';
import { connectDatabase, inTransaction, type Database } from '../../../readmodel/database';
import { migrate } from '../../../readmodel/migrate';
import { Arrivals } from '../arrivals';
import { HttpClient } from '../http';
import { adminKafka, productKafka } from '../kafka';
import { closedLoop, keptUp, openLoop, sleep } from '../load';
import { row, type Phase, type Row } from '../phase';
import { seedPathway, seedSites } from '../seed-pathways';
import { percentile, summarise } from '../stats';
import { benchTokenSeconds, type BenchSystem } from '../system';

const topic = topics.pathwayEvents;
export type Offsets = Map<number, bigint>;

export async function endOffsets(kafka: Kafka): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
  } finally {
    await admin.disconnect();
  }
}

export const total = (from: Offsets, to: Offsets) =>
  [...to].reduce((n, [partition, high]) => n + Number(high - (from.get(partition) ?? 0n)), 0);

/** Polls until `done` holds, every `everyMs`; throws after `timeoutMs`. */
export async function until(
  what: string,
  done: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

/** The projector's stored positions have reached `end` on every partition. */
export async function caughtUp(db: Database, end: Offsets): Promise<boolean> {
  const { rows } = await db.query<{ partition: number; next_offset: string | null }>(
    'SELECT partition, next_offset FROM projector_offsets WHERE topic = $1',
    [topic],
  );
  const at = new Map(rows.map((r) => [r.partition, BigInt(r.next_offset ?? -1)]));
  return [...end].every(([partition, high]) => high === 0n || (at.get(partition) ?? -1n) >= high);
}

/**
 * The baseline of the projector: a bare one reading the same offsets with kafkajs's eachBatch and
 * inserting each batch's raw messages into a scratch table in one transaction (no decoding, no
 * folding, no pathway rows): what consuming into PostgreSQL costs without Homeward's work.
 */
async function bareProjector(
  kafka: Kafka,
  db: Database,
  from: Offsets,
  to: Offsets,
  timeoutMs: number,
): Promise<number> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS bench_raw_events (partition integer, kafka_offset bigint, key text, value jsonb, PRIMARY KEY (partition, kafka_offset))',
  );
  const groupId = `${projectorGroup}-bench-bare-${randomUUID().slice(0, 8)}`;
  // The group's start set before it joins (seeking after the join did not take on a new group).
  const admin = kafka.admin();
  await admin.connect();
  try {
    await retrying(() =>
      admin.setOffsets({
        groupId,
        topic,
        partitions: [...from].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
      }),
    );
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 500 });
  const reached = new Map<number, bigint>();
  let started = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    started = performance.now();
  });
  await consumer.connect();
  await consumer.subscribe({ topic });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const wanted = batch.messages.filter((m) => BigInt(m.offset) < (to.get(batch.partition) ?? 0n));
      if (wanted.length > 0) {
        const rows = wanted.map((m) => ({
          partition: batch.partition,
          kafka_offset: m.offset,
          key: m.key?.toString() ?? null,
          value: JSON.parse(m.value!.toString()),
        }));
        await inTransaction(db, (client) =>
          client.query(
            `INSERT INTO bench_raw_events SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(partition integer, kafka_offset bigint, key text, value jsonb) ON CONFLICT DO NOTHING`,
            [JSON.stringify(rows)],
          ),
        );
      }
      reached.set(batch.partition, BigInt(batch.messages.at(-1)!.offset) + 1n);
    },
  });
  try {
    await until(
      'the bare projector catching up',
      async () => [...to].every(([p, high]) => high === (from.get(p) ?? 0n) || (reached.get(p) ?? 0n) >= high),
      timeoutMs,
    );
    return (performance.now() - started) / 1000;
  } finally {
    await consumer.disconnect();
  }
}

/** The read model's position set to the topic's end: the projector reads only what this phase feeds it. */
export async function startAtEnd(db: Database, end: Offsets): Promise<void> {
  await db.query(
    `INSERT INTO projector_offsets (topic, partition, next_offset) SELECT $1, p.partition, p.next_offset FROM jsonb_to_recordset($2::jsonb) AS p(partition integer, next_offset bigint)
     ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
    [topic, JSON.stringify([...end].map(([partition, high]) => ({ partition, next_offset: high.toString() })))],
  );
}

export async function feed(publisher: EventPublisher, messages: OutboundMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 2_000) await publisher.publish(messages.slice(i, i + 2_000));
}

/** Each query a manager's screen makes, by name, as the API is asked it. */
const queries = (today: string): { name: string; path: string; accept?: string }[] => [
  { name: "managers' list, first page", path: '/pathways' },
  { name: "managers' list, filtered", path: `/pathways?site=${seedSites[0].site}&delayedForDays=1` },
  { name: "managers' list, stuck", path: '/pathways?stuck=true&sort=stuckSince' },
  { name: 'delay report, JSON', path: '/reports/delays' },
  { name: 'delay report, CSV', path: '/reports/delays', accept: 'text/csv' },
  { name: 'SitRep, today', path: `/reports/sitrep?date=${today}` },
];

const bareQuery = `SELECT pathway_id, stage, site, days_delayed, reason_codes FROM pathways WHERE status = 'open' ORDER BY days_delayed DESC, pathway_id LIMIT 50`;

async function managerClient(system: BenchSystem, url: string): Promise<HttpClient> {
  const token = await signDevToken(system.secrets, {
    issuer: system.childEnv.HOMEWARD_OIDC_ISSUER,
    audience: system.config.oidc.audience,
    role: 'manager',
    subject: 'bench-manager',
    ttlSeconds: benchTokenSeconds,
  });
  return new HttpClient(url, token);
}

export const readSidePhase: Phase = {
  name: 'read-side',
  title: "Read side: the projector, managers' lists and reports from PostgreSQL",
  baseline:
    'catch-up: a bare kafkajs consumer inserting the same messages raw into PostgreSQL per batch; queries: a bare indexed query with pg on the same database (open pathways by days delayed, LIMIT 50); lag: a raw kafkajs consumer of the same messages',
  async run({ system, sizes, cpu, say }) {
    const { api } = await system.running();
    const http = await managerClient(system, (api.ready as { url: string }).url);
    const db = connectDatabase(system.childEnv.DATABASE_URL, { application: 'bench-read-side', max: 4 });
    const admin = adminKafka(system.config, system.secrets, 'bench-read-admin');
    const publisher = new EventPublisher(productKafka(system.config, 'bench-read-feed'));
    const run = randomUUID().slice(0, 6);
    // Under the prefix the product's principal may read as (kafka/acls.ts), as the projector's own group is.
    const group = `${projectorGroup}-bench-${run}`;
    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    const notes: string[] = [];
    let projector: Awaited<ReturnType<BenchSystem['startChild']>> | undefined;
    try {
      await migrate(db);
      await startAtEnd(db, await endOffsets(admin));
      let seeded = 0;
      for (const level of sizes.readPathways) {
        // Events made (by the domain) before the clock starts, then fed with the projector stopped.
        say(`  generating pathways ${seeded}–${level - 1}…`);
        const messages: OutboundMessage[] = [];
        const stages: Record<string, number> = {};
        for (let i = seeded; i < level; i++) {
          const pathway = seedPathway(run, i);
          messages.push(...pathway.messages);
          stages[pathway.stage] = (stages[pathway.stage] ?? 0) + 1;
        }
        seeded = level;
        const from = await endOffsets(admin);
        say(`  feeding ${messages.length} events to ${topic}…`);
        await feed(publisher, messages);
        const to = await endOffsets(admin);
        const fed = total(from, to);
        const catchUp = await cpu.around('homeward', async () => {
          const child = await system.startChild('projector', 'projector.ts', { BENCH_PROJECTOR_GROUP: group });
          const started = performance.now();
          await until('the projector catching up', () => caughtUp(db, to), 3_600_000, 100);
          const seconds = (performance.now() - started) / 1000;
          projector = child;
          return seconds;
        });
        const bare = await cpu.around('baseline', () =>
          bareProjector(productKafka(system.config, 'bench-bare-projector'), db, from, to, 3_600_000),
        );
        const { rows: counted } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pathways');
        rows.push(row(`${level} pathways: catch-up, events/s`, '/s', fed / catchUp, fed / bare));
        const levelDetails: Record<string, unknown> = {
          eventsFed: fed,
          pathwaysInReadModel: counted[0].n,
          stagesFed: stages,
          catchUpSeconds: catchUp,
          bareSeconds: bare,
        };

        // Queries with the projector idle: what a manager waits for, beside the bare query.
        await projector!.release();
        projector = undefined;
        // Statistics as autovacuum keeps them in steady state: right after a bulk load they may be
        // stale or not, by the timing of its next round, and the plans (both sides') with them.
        await db.query('VACUUM ANALYZE pathways');
        const today = new Date().toISOString().slice(0, 10);
        const warm = Math.min(5, sizes.readRequests);
        for (const q of queries(today)) await closedLoop(null, warm, 1, () => http.get(q.path, q.accept));
        await closedLoop(null, warm, 1, () => db.query(bareQuery));
        const bareLoad = await cpu.around('baseline', () =>
          closedLoop(`bare query at ${level}`, sizes.readRequests, 1, () => db.query(bareQuery)),
        );
        const measured: Record<string, unknown> = {};
        for (const q of queries(today)) {
          const load = await cpu.around('homeward', () =>
            closedLoop(`${q.name} at ${level}`, sizes.readRequests, 1, () => http.get(q.path, q.accept)),
          );
          rows.push(
            row(`${level}: ${q.name}, p50`, 'ms', percentile(load.latencies, 50), percentile(bareLoad.latencies, 50)),
          );
          rows.push(
            row(`${level}: ${q.name}, p95`, 'ms', percentile(load.latencies, 95), percentile(bareLoad.latencies, 95)),
          );
          measured[q.name] = summarise(load.latencies);
        }
        details[`${level} pathways`] = {
          ...levelDetails,
          latencyMs: measured,
          bareQueryMs: summarise(bareLoad.latencies),
        };
        say(
          `  ${level} pathways: ${counted[0].n} rows, ${fed} events caught up in ${catchUp.toFixed(1)} s (bare ${bare.toFixed(1)} s)`,
        );
      }

      // Lag at a steady rate: each event of further pathways, produced → its row visible.
      projector = await system.startChild('projector', 'projector.ts', { BENCH_PROJECTOR_GROUP: group });
      const count = Math.max(1, Math.round(sizes.readLagRate * sizes.readLagSeconds));
      const steady: { pathwayId: string; sequence: number; message: OutboundMessage }[] = [];
      for (let i = seeded; steady.length < count; i++) {
        const pathway = seedPathway(run, i);
        pathway.messages.forEach((message, n) =>
          steady.push({ pathwayId: pathway.pathwayId, sequence: pathway.events[n].sequence, message }),
        );
      }
      steady.length = count;
      const arrivals = await Arrivals.start(
        productKafka(system.config, 'bench-read-lag'),
        admin,
        topic,
        `${projectorGroup}-bench-lag-${run}`,
      );
      const visible = new Map<string, number>();
      const pending = new Map<string, number>();
      let polling = true;
      // The watcher: which pathways' rows have reached which sequence, every few milliseconds.
      const watcher = (async () => {
        while (polling) {
          if (pending.size > 0) {
            const { rows: seen } = await db.query<{ pathway_id: string; last_sequence: number }>(
              'SELECT pathway_id, last_sequence FROM pathways WHERE pathway_id = ANY($1::text[])',
              [[...new Set([...pending.keys()].map((k) => k.split('/')[0]))]],
            );
            const at = performance.now();
            const last = new Map(seen.map((r) => [r.pathway_id, r.last_sequence]));
            for (const key of pending.keys()) {
              const [pathwayId, sequence] = key.split('/');
              if ((last.get(pathwayId) ?? 0) >= Number(sequence)) {
                visible.set(key, at);
                pending.delete(key);
              }
            }
          }
          await sleep(5);
        }
      })();
      const lag = await cpu.around('homeward', () =>
        openLoop(`events at ${sizes.readLagRate}/s`, count, sizes.readLagRate, async (i) => {
          const { pathwayId, sequence, message } = steady[i];
          const key = `${pathwayId}/${sequence}`;
          const sent = performance.now();
          pending.set(key, sent);
          await publisher.publish([message]);
          return { key, sent };
        }),
      );
      await until('every event visible in the read model', async () => pending.size === 0, 120_000, 20);
      polling = false;
      await watcher;
      const consumed = await arrivals.waitFor(lag.results.map((r) => r.key));
      await arrivals.stop();
      const toRow = lag.results.map((r) => visible.get(r.key)! - r.sent);
      const toConsumer = lag.results.map((r, i) => consumed[i] - r.sent);
      rows.push(
        row(
          `lag at ${sizes.readLagRate}/s: produced → visible, p50`,
          'ms',
          percentile(toRow, 50),
          percentile(toConsumer, 50),
        ),
      );
      rows.push(
        row(
          `lag at ${sizes.readLagRate}/s: produced → visible, p95`,
          'ms',
          percentile(toRow, 95),
          percentile(toConsumer, 95),
        ),
      );
      details.lag = {
        rate: sizes.readLagRate,
        count,
        producedToRowMs: summarise(toRow),
        producedToRawConsumerMs: summarise(toConsumer),
      };
      const kept = keptUp('Lag feed', count, sizes.readLagRate, lag.seconds);
      if (kept) notes.push(kept);
    } finally {
      await projector?.release();
      await publisher.close();
      await db.query('DROP TABLE IF EXISTS bench_raw_events').catch(() => undefined);
      await db.end();
    }
    notes.push(
      `Pathways are generated by the domain's decide/evolve (a mix of stages, P0–P3, ${seedSites.length} sites, ward-recorded and derived delay reasons, escalated referrals, closed and cancelled stays) and published to ${topic} exactly as the publishing activity does (same envelope, key and headers), not through Temporal. Levels are cumulative.`,
      'Catch-up: events fed with the projector stopped ÷ time from its process being ready (group joined) until its stored offsets reach the end; its CPU is "projector". Queries: the API over HTTP with a manager token, one at a time, the projector stopped; the baseline is one bare indexed query, beside every row.',
      'Lag: a steady feed of further pathways\' events; "visible" is the first poll (every 5 ms) that sees the pathway row at that event\'s sequence; the baseline is a raw kafkajs consumer of the same messages in the same run.',
    );
    return { rows, details, notes };
  },
};
