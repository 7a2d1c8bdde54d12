import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../readmodel/database';
import { checkSchema, migrate, migrations } from '../readmodel/migrate';
import { createTestDatabase } from './support/database';
import { runCommand } from './support/spawn';

const bin = path.join(__dirname, '..', 'bin', 'homeward');
/** The CLI against this database only: no Kafka, no API, no npm start data dir. */
const homeward = (args: string[], databaseUrl: string) =>
  runCommand(bin, args, {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: '127.0.0.1:1',
    HOMEWARD_API_URL: 'http://127.0.0.1:1',
  });

/** This release's latest migration, which other branches' migrations move on. */
const latest = migrations().at(-1)!;
const escaped = (name: string) => name.replace(/\./g, '\\.');

const open: Database[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.end()));
});

async function freshDatabase(): Promise<{ url: string; db: Database }> {
  const url = await createTestDatabase({ migrated: false });
  const db = connectDatabase(url, { max: 3 });
  open.push(db);
  return { url, db };
}

/** Migrations of a test's own, in a directory of their own. */
function migrationsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-migrations-'));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

const recorded = async (db: Database) =>
  (
    await db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    )
  ).rows;

describe('homeward migrate on a real PostgreSQL', () => {
  it('applies every migration once, recording each file’s SHA-256; a second run applies nothing; --check agrees', async () => {
    const { url, db } = await freshDatabase();
    const check = await homeward(['migrate', '--check'], url);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(
      /schema is older than this release.*001-read-model\.sql.*has not been applied.*Run `homeward migrate`/,
    );

    const first = await homeward(['migrate'], url);
    expect(first.stderr).toContain(`applied ${latest.name}`);
    expect(first).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        new RegExp(
          `Applied ${migrations().length} migrations in [\\d.]+ s\nThe read model's schema is at version ${latest.version} \\(${escaped(latest.name)}\\), this release's`,
        ),
      ),
    });
    const files = fs
      .readdirSync(path.join(__dirname, '..', 'readmodel', 'migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(await recorded(db)).toEqual(
      files.map((name) => ({
        version: Number(name.slice(0, 3)),
        name,
        checksum: crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(__dirname, '..', 'readmodel', 'migrations', name)))
          .digest('hex'),
      })),
    );
    const second = await homeward(['migrate'], url);
    expect(second).toMatchObject({ code: 0, stderr: expect.stringMatching(/^Nothing to apply/) });
    expect(await homeward(['migrate', '--check'], url)).toMatchObject({ code: 0 });
  });

  it('two migrations started together (two Jobs) apply each migration once', async () => {
    const { db } = await freshDatabase();
    const [a, b] = await Promise.all([migrate(db), migrate(db)]);
    expect([...a, ...b].sort()).toEqual(migrations().map((m) => m.name));
    expect((await recorded(db)).map((r) => r.version)).toEqual(migrations().map((m) => m.version));
  });

  it('refuses a migration changed after it was applied, naming it, and applies nothing after it', async () => {
    const { db } = await freshDatabase();
    const files = { '001-a.sql': 'CREATE TABLE a (id integer);\n' };
    const dir = migrationsDir(files);
    await migrate(db, migrations(dir));
    fs.writeFileSync(path.join(dir, '001-a.sql'), 'CREATE TABLE a (id bigint);\n');
    fs.writeFileSync(path.join(dir, '002-b.sql'), 'CREATE TABLE b (id integer);\n');
    await expect(migrate(db, migrations(dir))).rejects.toThrow(
      /Migration 001-a\.sql was changed after it was applied.*never edited/,
    );
    await expect(checkSchema(db, migrations(dir))).rejects.toThrow(/Migration 001-a\.sql was changed/);
    expect((await db.query("SELECT to_regclass('b') AS b")).rows).toEqual([{ b: null }]);
  });

  it('runs a migration marked `-- homeward:no-transaction` outside a transaction (CREATE INDEX CONCURRENTLY), which PostgreSQL refuses inside one', async () => {
    const { db } = await freshDatabase();
    const concurrently =
      '-- homeward:no-transaction\n-- Built without locking writers out.\nDROP INDEX CONCURRENTLY IF EXISTS a_id;\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n';
    const unmarked = migrationsDir({
      '001-a.sql': 'CREATE TABLE a (id integer);\n',
      '002-index.sql': concurrently.replace('-- homeward:no-transaction\n', ''),
    });
    await expect(migrate(db, migrations(unmarked))).rejects.toThrow(
      /Migration 002-index\.sql failed and was rolled back: (DROP|CREATE) INDEX CONCURRENTLY cannot run inside a transaction block/,
    );
    expect((await recorded(db)).map((r) => r.name)).toEqual(['001-a.sql']);

    const marked = migrationsDir({ '001-a.sql': 'CREATE TABLE a (id integer);\n', '002-index.sql': concurrently });
    expect(await migrate(db, migrations(marked))).toEqual(['002-index.sql']);
    expect((await db.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'a_id'::regclass")).rows).toEqual([
      { indisvalid: true },
    ]);
    expect((await recorded(db)).map((r) => r.name)).toEqual(['001-a.sql', '002-index.sql']);
  });

  it('processes refuse a schema newer than their release, naming the unknown migration (the CLI’s projections rebuild, a real process)', async () => {
    const { url, db } = await freshDatabase();
    const future = `${String(latest.version + 1).padStart(3, '0')}-from-the-future.sql`;
    const newer = migrationsDir(
      Object.fromEntries([...migrations().map((m) => [m.name, m.sql]), [future, 'CREATE TABLE later (id integer);\n']]),
    );
    await migrate(db, migrations(newer));
    const rebuild = await homeward(['projections', 'rebuild'], url);
    expect(rebuild.code).toBe(1);
    expect(rebuild.stderr).toMatch(
      new RegExp(
        `schema is newer than this release of Homeward: it has migration ${escaped(future)}, which this release does not know \\(its latest is ${latest.version}\\)`,
      ),
    );
    await expect(migrate(db)).rejects.toThrow(/schema is newer than this release/);
  });

  it('a database migrated before checksums were recorded gets them, and its missing migrations, on its next migrate', async () => {
    const { db } = await freshDatabase();
    await db.query(
      'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    for (const migration of migrations().filter((m) => m.version <= 2)) {
      await db.query(migration.sql);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    expect(await migrate(db)).toEqual(
      migrations()
        .filter((m) => m.version > 2)
        .map((m) => m.name),
    );
    expect(await recorded(db)).toEqual(
      migrations().map(({ version, name, checksum }) => ({ version, name, checksum })),
    );
  });
});
