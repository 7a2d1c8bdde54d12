import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase } from '../../readmodel/database';
import { migrate } from '../../readmodel/migrate';

/**
 * A database of its own on the run's PostgreSQL, so systems under test never see each other's read
 * models; migrated, as `homeward migrate` leaves it before a release's processes start, unless
 * `migrated: false` (a test of the migrations themselves).
 */
export async function createTestDatabase({ migrated = true }: { migrated?: boolean } = {}): Promise<string> {
  const base = inject('databaseUrl');
  if (!base)
    throw new Error('No PostgreSQL: this test needs the servers global setup starts (unset HOMEWARD_SKIP_SERVERS)');
  const name = `homeward_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  if (migrated) {
    const db = connectDatabase(url.toString(), { max: 1 });
    await migrate(db).finally(() => db.end());
  }
  return url.toString();
}
