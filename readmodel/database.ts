import pg from 'pg';

export type Database = pg.Pool;

/** Dates stay `YYYY-MM-DD` and instants become ISO strings, as the domain writes them (pg would make local-time Dates). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.DATE) return (value: string) => value;
    if (oid === pg.types.builtins.TIMESTAMPTZ) return (value: string) => new Date(value).toISOString();
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** The read model's connection pool, in UTC as the domain counts days. Every query is parameterised: values never reach SQL text. */
export function connectDatabase(
  url: string | undefined,
  options: { max?: number; application?: string } = {},
): Database {
  if (!url) {
    throw new Error(
      'Invalid configuration: DATABASE_URL is not set: the read model needs PostgreSQL (npm start runs a local one; npm run infra -- start postgres for a worker or API run on their own)',
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.application ?? 'homeward',
    types,
    options: '-c TimeZone=UTC',
  });
  // A client losing its server (a restart) must not crash the process: idle, the pool drops it and
  // the next query reconnects; in use (a transaction), its query fails and the pool drops it on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Runs `work` in one transaction: all of it is kept, or none. */
export async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
