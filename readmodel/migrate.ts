import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Database } from './database';

const directory = path.join(__dirname, 'migrations');
/** Any number, so two `homeward migrate` run together (two Jobs, a Job and a person) migrate once, one after the other. */
const lockKey = 7_310_2024;
/**
 * A migration whose first lines carry this marker runs outside a transaction, one statement at a
 * time: PostgreSQL refuses `CREATE INDEX CONCURRENTLY` (and a few others) inside one. Such a
 * migration is recorded only once all of it has run, so it must be safe to run again after a failure
 * half way (`IF NOT EXISTS`, and `DROP INDEX CONCURRENTLY IF EXISTS` before an index a failed
 * concurrent build may have left INVALID).
 */
const noTransactionMarker = /^--\s*homeward:no-transaction\s*$/m;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the file's bytes, recorded when it is applied: a released migration is never edited. */
  checksum: string;
  transactional: boolean;
}

/** The versioned migrations, `NNN-name.sql`, in order. A migration once released is never edited: add the next. */
export function migrations(dir = directory): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /^\d{3}-[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file,
        sql,
        checksum: crypto.createHash('sha256').update(sql).digest('hex'),
        transactional: !noTransactionMarker.test(sql),
      };
    });
}

interface Applied {
  version: number;
  name: string;
  checksum: string | null;
}

/** Thrown when the database's schema is not the one this release was built for; the message says what to do. */
export class SchemaMismatch extends Error {
  override name = 'SchemaMismatch';
}

const latest = (known: Migration[]) => known.at(-1)?.version ?? 0;
const describe = (list: { name: string }[]) => list.map((m) => m.name).join(', ');

/**
 * What stands between this database and this release's migrations: a changed migration or one this
 * release does not know is refused (it throws); what is left is the list still to apply.
 */
function compare(applied: Applied[], known: Migration[]): Migration[] {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  const unknown = applied.filter((row) => !byVersion.has(row.version));
  if (unknown.length > 0) {
    throw new SchemaMismatch(
      `The read model's schema is newer than this release of Homeward: it has migration ${describe(unknown)}, which this release does not know (its latest is ${latest(known)}). ` +
        'Run the release that migrated it, or restore the backup taken before that migration (docs/operations.md, Upgrade).',
    );
  }
  const changed = applied.filter(
    (row) => row.checksum !== null && row.checksum !== byVersion.get(row.version)!.checksum,
  );
  if (changed.length > 0) {
    throw new SchemaMismatch(
      `Migration ${describe(changed)} was changed after it was applied to this database (its recorded checksum differs from the file's): ` +
        'a released migration is never edited; put the file back as it was and add the change as a new migration.',
    );
  }
  const done = new Set(applied.map((row) => row.version));
  return known.filter((m) => !done.has(m.version));
}

async function appliedMigrations(client: pg.ClientBase | Database): Promise<Applied[]> {
  const table = await client.query<{ exists: boolean; has_checksum: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS exists,
            EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'schema_migrations' AND table_schema = current_schema() AND column_name = 'checksum') AS has_checksum`,
  );
  const { exists, has_checksum: hasChecksum } = table.rows[0];
  if (!exists) return [];
  const rows = await client.query<Applied>(
    `SELECT version, name, ${hasChecksum ? 'checksum' : 'NULL AS checksum'} FROM schema_migrations ORDER BY version`,
  );
  return rows.rows;
}

/**
 * Refuses to run against a read model whose schema is not this release's, naming what differs: an
 * older one needs `homeward migrate` first (the chart's migration Job, npm start's first step); a
 * newer one was migrated by a later release, whose code the older one must not write with.
 */
export async function checkSchema(db: Database, known: Migration[] = migrations()): Promise<{ version: number }> {
  const pending = compare(await appliedMigrations(db), known);
  if (pending.length > 0) {
    throw new SchemaMismatch(
      `The read model's schema is older than this release of Homeward: migration ${describe(pending)} has not been applied. ` +
        'Run `homeward migrate` (on Kubernetes, the chart’s migration Job) before starting this release.',
    );
  }
  return { version: latest(known) };
}

/**
 * Applies the migrations this database has not had yet, each in a transaction of its own (all of a
 * migration or none of it) unless it is marked `-- homeward:no-transaction`, recording each one's
 * checksum; refuses a database with a changed or unknown migration. Returns the names applied.
 */
export async function migrate(db: Database, known: Migration[] = migrations()): Promise<string[]> {
  const client = await db.connect();
  try {
    // A session lock, not a transaction's: a no-transaction migration runs outside any. Held to the
    // end: a second `homeward migrate` waits, then finds nothing to do. Waited for by asking again,
    // not inside pg_advisory_lock: a statement waiting holds a snapshot, which the first one's
    // CREATE INDEX CONCURRENTLY waits to see end, and PostgreSQL would end one of them as a deadlock.
    while (
      !(await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey])).rows[0].locked
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    // Databases migrated before checksums were recorded: their migrations are taken as this
    // release's files (they were never edited: the rule above), and recorded so from now on.
    await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
    const applied = await appliedMigrations(client);
    const pending = compare(applied, known);
    for (const row of applied.filter((r) => r.checksum === null)) {
      await client.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [
        row.version,
        known.find((m) => m.version === row.version)!.checksum,
      ]);
    }
    for (const migration of pending) await apply(client, migration);
    return pending.map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => {});
    client.release();
  }
}

const record = (client: pg.ClientBase, migration: Migration) =>
  client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
    migration.version,
    migration.name,
    migration.checksum,
  ]);

async function apply(client: pg.ClientBase, migration: Migration): Promise<void> {
  try {
    if (migration.transactional) {
      await client.query('BEGIN');
      await client.query(migration.sql);
      await record(client, migration);
      await client.query('COMMIT');
      return;
    }
    // One statement per query: several in one query string run as one implicit transaction.
    for (const statement of statements(migration.sql)) await client.query(statement);
    await record(client, migration);
  } catch (error) {
    if (migration.transactional) await client.query('ROLLBACK').catch(() => {});
    throw new Error(
      `Migration ${migration.name} failed${migration.transactional ? ' and was rolled back' : ' part way (it runs outside a transaction: fix the cause and run `homeward migrate` again)'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** A no-transaction migration's statements: each ends with `;` at the end of a line (no functions' bodies in such a migration). */
export function statements(sql: string): string[] {
  return sql
    .split(/;[ \t]*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement.length > 0);
}
