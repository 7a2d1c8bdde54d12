import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../config';
import { topics } from '../kafka/topics';
import { rebuildPathways } from '../projections/rebuild';
import { startProjector, type ProjectorOptions, type RunningProjector } from '../projections/projector';
import type { PathwayCommand } from '../schemas/commands';
import { assessment, date, day, start } from './domain/spec';
import { seededPathway } from './support/seed-events';
import { connectDatabase } from '../readmodel/database';
import { createTestDatabase } from './support/database';
import { externalProducer } from './support/produce';
import { testEnvironment } from './support/secrets';
import { eventually } from './support/system';

// The projector on the real broker and PostgreSQL: duplicates, redelivery, crashes around the commit, rebuild.
let databaseUrl: string;
let producer: Awaited<ReturnType<typeof externalProducer>>;
const groupId = `homeward-projector-test-${randomUUID().slice(0, 8)}`;
const config = () =>
  loadConfig({ KAFKA_BROKERS: inject('kafkaBrokers'), DATABASE_URL: databaseUrl, ...testEnvironment() });
const run = (options: ProjectorOptions = {}) =>
  startProjector(config(), pino({ level: 'silent' }), { groupId, housekeepingMs: 500, ...options });

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  producer = await externalProducer('homeward');
});
afterAll(async () => {
  await producer?.close();
});

/** A pathway's history from the domain, published as the workflow publishes it. */
function pathway(commands: (admissionId: string) => PathwayCommand[]) {
  const seeded = seededPathway(commands);
  return { ...seeded, publish: (from?: number, to?: number) => seeded.publish(producer, from, to) };
}
const delayed = (admissionId: string): PathwayCommand[] => [
  start({ admissionId }),
  { type: 'discharge-ready', at: day(2), date: date(2) },
  assessment('P1', ['reablement'], day(3)),
  { type: 'delay-reason', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' },
];

async function rowOf(projector: RunningProjector, id: string) {
  const { rows } = await projector.db.query('SELECT * FROM pathways WHERE pathway_id = $1', [id]);
  return rows[0] as Record<string, unknown> | undefined;
}
const eventCount = async (projector: RunningProjector, id: string) =>
  Number((await projector.db.query('SELECT count(*) AS n FROM pathway_events WHERE pathway_id = $1', [id])).rows[0].n);

describe('the projector', () => {
  it('stores every event once and folds it once, however often it is published', async () => {
    const projector = await run();
    try {
      const p = pathway(delayed);
      await p.publish();
      await p.publish(1, 3); // an activity retry re-sends the same ids
      await eventually(
        () => rowOf(projector, p.id),
        (row) => row?.event_count === p.events.length,
      );
      await eventually(
        async () => projector.stats.applied,
        (n) => n >= p.events.length + 2,
      );
      expect(await eventCount(projector, p.id)).toBe(p.events.length);
      expect(await rowOf(projector, p.id)).toMatchObject({
        stage: 'arranging',
        pathway: 'P1',
        drd: date(2),
        last_sequence: p.events.length,
        event_count: p.events.length,
        reason_codes: ['awaiting_p1_resource', 'awaiting_transport'],
      });
      const { rows } = await projector.db.query(
        'SELECT actor_role, actor_subject, type FROM pathway_events WHERE pathway_id = $1 AND sequence = 1',
        [p.id],
      );
      expect(rows[0]).toEqual({ actor_role: 'discharge-team', actor_subject: 'nurse-1', type: 'pathway.started' });
    } finally {
      await projector.stop();
    }
  });

  it.each([
    ['before the database commit loses nothing: the batch is read again and applied once', 'beforeDatabaseCommit', 0],
    [
      'after the database commit, before Kafka’s, double-counts nothing: the redelivered batch is skipped',
      'afterDatabaseCommit',
      1,
    ],
  ] as const)('a crash %s', async (_name, hook, skipsAtLeast) => {
    let crashes = 0;
    const crashOnce = async () => {
      if (crashes++ === 0) throw new Error(`simulated crash (${hook})`);
    };
    const projector = await run({ hooks: { [hook]: crashOnce } });
    try {
      const p = pathway(delayed);
      await p.publish();
      await eventually(
        () => rowOf(projector, p.id),
        (row) => row?.event_count === p.events.length,
        30_000,
      );
      // Called again after the crash: the batch came back (after the commit, the row was already whole).
      await eventually(
        async () => crashes,
        (n) => n > 1,
        30_000,
      );
      await eventually(
        async () => projector.stats.skipped,
        (n) => n >= skipsAtLeast,
        30_000,
      );
      expect(await eventCount(projector, p.id)).toBe(p.events.length);
      expect(await rowOf(projector, p.id)).toMatchObject({
        event_count: p.events.length,
        last_sequence: p.events.length,
      });
    } finally {
      await projector.stop();
    }
  });

  it('a restarted projector carries on where PostgreSQL says it stopped', async () => {
    const p = pathway(delayed);
    const first = await run();
    await p.publish(0, 2);
    await eventually(
      () => rowOf(first, p.id),
      (row) => row?.event_count === 2,
    );
    await first.stop();
    const second = await run();
    try {
      await p.publish(2);
      await eventually(
        () => rowOf(second, p.id),
        (row) => row?.event_count === p.events.length,
      );
      expect(second.stats.skipped).toBe(0);
      expect(await eventCount(second, p.id)).toBe(p.events.length);
    } finally {
      await second.stop();
    }
  });

  it('keeps what is not a pathway event aside, and carries on', async () => {
    const projector = await run();
    try {
      await producer.send(topics.pathwayEvents, 'pathway-junk', '{"specversion":"1.0"}');
      const p = pathway(delayed);
      await p.publish();
      await eventually(
        () => rowOf(projector, p.id),
        (row) => row?.event_count === p.events.length,
      );
      // The junk's key may land on another partition than the pathway's, so it can be handled after them.
      const reasons = await eventually(
        async () =>
          (await projector.db.query('SELECT reason FROM projector_rejects')).rows.map((r) => String(r.reason)),
        (all) => all.some((reason) => reason.startsWith('not a CloudEvent')),
      );
      expect(reasons).toContainEqual(expect.stringMatching(/^not a CloudEvent: id: /));
    } finally {
      await projector.stop();
    }
  });

  it('a rebuild from pathway_events alone gives the rows the projector gave', async () => {
    const projector = await run();
    const p = pathway(delayed);
    try {
      await p.publish();
      await eventually(
        () => rowOf(projector, p.id),
        (row) => row?.event_count === p.events.length,
      );
    } finally {
      // Stopped before the comparison: it reads the suite's shared topic, and another file's events
      // projected between the two snapshots would be rows the first one lacks.
      await projector.stop();
    }
    const db = connectDatabase(databaseUrl, { application: 'projector-rebuild-test' });
    try {
      const snapshot = async () =>
        (await db.query(`SELECT * FROM pathways ORDER BY pathway_id`)).rows.map(({ updated_at: _u, ...row }) => row);
      const daysOf = async () => (await db.query('SELECT * FROM pathway_days ORDER BY pathway_id, day')).rows;
      const [before, daysBefore] = [await snapshot(), await daysOf()];
      expect(before.length).toBeGreaterThan(0);
      await db.query('UPDATE pathways SET days_delayed = -1, state = $1', [{}]);
      await db.query('DELETE FROM pathway_days');
      await rebuildPathways(db, new Date().toISOString().slice(0, 10));
      expect(await snapshot()).toEqual(before);
      expect(await daysOf()).toEqual(daysBefore);
    } finally {
      await db.end();
    }
  });
});
