import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathwayIdOf } from '../../../domain/pathway-id';
import { EventPublisher, type OutboundMessage } from '../../../kafka/publisher';
import { projectorGroup } from '../../../projections/projector';
import { connectDatabase, type Database } from '../../../readmodel/database';
import { migrate } from '../../../readmodel/migrate';
import { adminKafka, productKafka } from '../kafka';
import { row, type Phase } from '../phase';
import { seedPathway } from '../seed-pathways';
import type { BenchSystem } from '../system';
import { caughtUp, endOffsets, feed, startAtEnd, total, until, type Offsets } from './read-side';

/** A read model of its own on the benchmark's PostgreSQL, its positions at `from`: what the fed events are caught up from. */
async function freshReadModel(
  system: BenchSystem,
  name: string,
  from: Offsets,
): Promise<{ url: string; db: Database }> {
  const admin = connectDatabase(system.childEnv.DATABASE_URL, { application: 'bench-projectors', max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(system.childEnv.DATABASE_URL);
  url.pathname = `/${name}`;
  const db = connectDatabase(url.toString(), { application: 'bench-projectors', max: 2 });
  await migrate(db);
  await startAtEnd(db, from);
  return { url: url.toString(), db };
}

/**
 * The rows a catch-up made of the phase's own pathways, as one digest (every column but when it was
 * written): two read models compared. Only its own: the earlier phases' worker may still be
 * publishing onto the same topic while the catch-ups run, later for one than for another.
 */
async function digest(db: Database, ours: string): Promise<{ rows: number; md5: string }> {
  const { rows } = await db.query<{ rows: number; md5: string }>(
    `SELECT count(*)::int AS rows, md5(string_agg((to_jsonb(p) - 'updated_at')::text, '|' ORDER BY p.pathway_id)) AS md5 FROM pathways p WHERE starts_with(p.pathway_id, $1)`,
    [ours],
  );
  return rows[0];
}

/**
 * Catch-up of `instances` projector processes in one consumer group (the product's projector, as
 * the read-side phase runs it), started together, from `from` to `to`: seconds from the first of
 * them running until the stored positions reach the end. As a deployment starts them: the first
 * reads alone until the second joins, and the group's rebalance then is part of the time.
 */
async function catchUp(
  system: BenchSystem,
  instances: number,
  from: Offsets,
  to: Offsets,
  name: string,
  ours: string,
): Promise<{ seconds: number; digest: { rows: number; md5: string } }> {
  const { url, db } = await freshReadModel(system, name, from);
  const group = `${projectorGroup}-bench-${name.replace(/_/g, '-')}`;
  const children: Awaited<ReturnType<BenchSystem['startChild']>>[] = [];
  try {
    const readyAt: number[] = [];
    const starting = Array.from({ length: instances }, (_, i) =>
      system
        .startChild(`${name}-${i + 1}`, 'projector.ts', { BENCH_PROJECTOR_GROUP: group, DATABASE_URL: url })
        .then((child) => {
          readyAt.push(performance.now());
          children.push(child);
          return child;
        }),
    );
    await Promise.all(starting);
    const started = Math.min(...readyAt);
    await until(`${instances} projector(s) catching up`, () => caughtUp(db, to), 3_600_000, 100);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, digest: await digest(db, ours) };
  } finally {
    for (const child of children) await child.release();
    await db.end();
  }
}

export const projectorsPhase: Phase = {
  name: 'projectors',
  title: 'The projector scaled out: catch-up of two instances in one consumer group against one',
  baseline:
    'one projector instance catching up on the same events, from the same offsets, into a read model of its own, in the same run',
  async run({ system, sizes, cpu, say }) {
    const admin = adminKafka(system.config, system.secrets, 'bench-projectors-admin');
    const publisher = new EventPublisher(productKafka(system.config, 'bench-projectors-feed'));
    const run = randomUUID().slice(0, 6);
    try {
      say(`  generating ${sizes.projectorPathways} pathways…`);
      const messages: OutboundMessage[] = [];
      for (let i = 0; i < sizes.projectorPathways; i++) messages.push(...seedPathway(`scale-${run}`, i).messages);
      const ours = pathwayIdOf(`Bscale-${run}x`);
      const from = await endOffsets(admin);
      say(`  feeding ${messages.length} events…`);
      await feed(publisher, messages);
      const to = await endOffsets(admin);
      const fed = total(from, to);
      // Two rounds in both orders, each on fresh read models: whichever goes second finds the
      // broker's pages and PostgreSQL's warm.
      const seconds = { one: [] as number[], two: [] as number[] };
      const digests = new Set<string>();
      for (const [round, order] of [
        ['a', ['one', 'two']],
        ['b', ['two', 'one']],
      ] as const) {
        for (const side of order) {
          const instances = side === 'one' ? 1 : 2;
          const result = await cpu.around(side === 'two' ? 'homeward' : 'baseline', () =>
            catchUp(system, instances, from, to, `bench_${side}_${round}_${run}`, ours),
          );
          seconds[side].push(result.seconds);
          digests.add(`${result.digest.rows}:${result.digest.md5}`);
          say(
            `  round ${round}: ${instances} instance(s) caught up on ${fed} events in ${result.seconds.toFixed(1)} s (${result.digest.rows} rows)`,
          );
        }
      }
      if (digests.size !== 1)
        throw new Error(`the read models differ between one projector and two: ${[...digests].join(' / ')}`);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      return {
        rows: [
          row(
            `catch-up, events/s (${fed} events, ${sizes.projectorPathways} pathways; two instances vs one)`,
            '/s',
            fed / mean(seconds.two),
            fed / mean(seconds.one),
          ),
          ...(['a', 'b'] as const).map((round, i) =>
            row(
              `round ${round} (${round === 'a' ? 'one first' : 'two first'}), events/s`,
              '/s',
              fed / seconds.two[i],
              fed / seconds.one[i],
            ),
          ),
        ],
        details: {
          eventsFed: fed,
          pathways: sizes.projectorPathways,
          secondsTwo: seconds.two,
          secondsOne: seconds.one,
          readModelRows: [...digests][0],
        },
        notes: [
          `Each catch-up starts from the same offsets into a fresh read model (a database of its own), its processes started together, and is timed from the first of them running until the stored positions reach the topic's end (the second instance's start and the group's rebalance included); ${to.size} partitions, so two instances split them ${Math.ceil(to.size / 2)}+${Math.floor(to.size / 2)}.`,
          'Every catch-up made the same rows (one digest of the pathways table across all four).',
          'CPU: "homeward" is the two-instance runs, "baseline" the one-instance runs (PostgreSQL and Kafka included in both).',
        ],
      };
    } finally {
      await publisher.close();
    }
  },
};
