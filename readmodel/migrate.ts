import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './database';
import { inTransaction } from './database';

const directory = path.join(__dirname, 'migrations');
/** Any number, so two processes starting together (API and worker) migrate once, one after the other. */
const lockKey = 7_310_2024;

/** The versioned migrations, `NNN-name.sql`, in order. A migration once released is never edited: add the next. */
export function migrations(): { version: number; name: string; sql: string }[] {
  return fs
    .readdirSync(directory)
    .filter((file) => /^\d{3}-[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file, sql: fs.readFileSync(path.join(directory, file), 'utf8') }));
}

/** Applies the migrations this database has not had yet, all in one transaction (all or none); returns their names. */
export async function migrate(db: Database): Promise<string[]> {
  return inTransaction(db, async (client) => {
    // Held to the end of this transaction: a second process waits, then finds nothing to do.
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const applied: string[] = [];
    for (const migration of migrations().filter((m) => !done.has(m.version))) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.name);
    }
    return applied;
  });
}
