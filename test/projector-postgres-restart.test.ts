import crypto, { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toCloudEvent } from '../kafka/envelopes';
import { topics } from '../kafka/topics';
import { connectDatabase } from '../readmodel/database';
import { migrate } from '../readmodel/migrate';
import type { PathwayCommand } from '../schemas/commands';
import { onFreePorts } from '../tools/infra/process';
import { startPostgres, type PostgresOptions } from '../tools/infra/postgres';
import { assessment, date, day, start } from './domain/spec';
import { runDir } from './support/global-setup';
import { externalProducer } from './support/produce';
import { scrape } from './support/prometheus';
import { probe, roleEnvironment, roleHarness } from './support/roles';
import { seededPathway } from './support/seed-events';
import { eventually } from './support/system';

// PostgreSQL restarted (an immediate shutdown, as a crash) under a projector process reading a
// steady stream: it carries on from the positions stored with its rows, no row missing or doubled.
// A PostgreSQL of this file's own, so the restart disturbs no other test.
const harness = roleHarness();

const topic = topics.pathwayEvents;
const stay = (admissionId: string): PathwayCommand[] => [
  start({ admissionId }),
  { type: 'discharge-ready', at: day(2), date: date(2) },
  assessment('P1', ['reablement'], day(3)),
  { type: 'delay-reason', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' },
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function counts(url: string, ids: string[]) {
  const db = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await db.connect();
  try {
    const { rows } = await db.query<{ pathway_id: string; event_count: number; last_sequence: number; stored: number }>(
      `SELECT p.pathway_id, p.event_count, p.last_sequence, (SELECT count(*)::int FROM pathway_events e WHERE e.pathway_id = p.pathway_id) AS stored
       FROM pathways p WHERE p.pathway_id = ANY($1)`,
      [ids],
    );
    return new Map(rows.map((row) => [row.pathway_id, row]));
  } finally {
    await db.end();
  }
}

describe('PostgreSQL restarted under the projector', () => {
  it('resumes from its stored positions: every pathway’s events once, none missing', async () => {
    const dir = runDir('homeward-pg-restart-');
    harness.cleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const base = {
      dataDir: path.join(dir, 'postgres'),
      logFile: path.join(dir, 'postgres.log'),
      password: crypto.randomBytes(18).toString('base64url'),
      say: () => {},
    };
    // Restarted below on the same port, which this first start makes sure is its own.
    const first = await onFreePorts(1, async ([port]) => ({
      options: { ...base, port } as PostgresOptions,
      server: await startPostgres({ ...base, port }),
    }));
    let postgres = first.server;
    harness.cleanup(() => postgres.stop());
    const readModel = connectDatabase(postgres.address, { max: 1 });
    await migrate(readModel).finally(() => readModel.end());

    const [projector] = await harness.processes.start([
      {
        role: 'projector',
        env: roleEnvironment({
          DATABASE_URL: postgres.address,
          HOMEWARD_PROJECTOR_GROUP: `homeward-projector-restart-${randomUUID().slice(0, 8)}`,
        }),
      },
    ]);
    const producer = await externalProducer('homeward');
    harness.cleanup(producer.close);

    const pathways = Array.from({ length: 60 }, () => seededPathway(stay));
    let sent = 0;
    let sentWhileDown = 0;
    let sentAfterRestart = 0;
    let down = false;
    let restarted = false;
    let restartDone!: () => void;
    const restart = new Promise<void>((resolve) => (restartDone = resolve));
    const streaming = (async () => {
      for (const [i, pathway] of pathways.entries()) {
        // The last third waits for the restart, however slow the machine: some events always come after it.
        if (i === Math.floor((pathways.length * 2) / 3)) await restart;
        for (const recorded of pathway.events) {
          await producer.send(topic, pathway.id, toCloudEvent(pathway.id, recorded));
          sent += 1;
          if (down) sentWhileDown += 1;
          if (restarted) sentAfterRestart += 1;
        }
        await sleep(120);
      }
    })();
    const total = pathways.reduce((n, p) => n + p.events.length, 0);
    // A third of the way through: an immediate shutdown (no checkpoint, recovery at the next start).
    await eventually(
      async () => sent,
      (n) => n >= total / 3,
      30_000,
    );
    process.kill(postgres.pid!, 'SIGQUIT');
    down = true;
    await postgres.stop();
    const notReady = await eventually(
      () => probe(projector, '/health/ready'),
      (answer) => answer.status === 503,
      15_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nprojector output:\n${projector.output().slice(-3000)}`);
    });
    expect(notReady.body.dependencies).toMatchObject({ postgresql: expect.not.stringMatching(/^ok$/) });
    // Its metrics still answer, counting the read model figures it could not read.
    const scraped = await scrape(`${projector.started.healthUrl}/metrics`);
    expect(Number(scraped.get('homeward_read_model_scrape_errors_total')?.metrics[0]?.value)).toBeGreaterThanOrEqual(1);
    expect(scraped.has('process_cpu_seconds_total')).toBe(true);
    await sleep(3_000);
    postgres = await startPostgres(first.options);
    down = false;
    restarted = true;
    restartDone();
    await streaming;

    const ids = pathways.map((p) => p.id);
    const expected = new Map(pathways.map((p) => [p.id, p.events.length]));
    const found = await eventually(
      () => counts(postgres.address, ids),
      (rows) =>
        rows.size === ids.length &&
        ids.every((id) => rows.get(id)!.stored === expected.get(id) && rows.get(id)!.event_count === expected.get(id)),
      60_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nprojector output:\n${projector.output().slice(-3000)}`);
    });
    const stored = [...found.values()].reduce((n, row) => n + row.stored, 0);
    const missing = ids.filter((id) => (found.get(id)?.stored ?? 0) < expected.get(id)!).length;
    const doubled = ids.filter(
      (id) => found.get(id)!.event_count > expected.get(id)! || found.get(id)!.last_sequence !== expected.get(id),
    ).length;
    console.log(
      `PostgreSQL restart: ${ids.length} pathways, ${total} events sent (${sentWhileDown} while PostgreSQL was down, ${sentAfterRestart} after its restart); read model: ${stored} events stored, ${found.size} rows, ${missing} pathways missing events, ${doubled} doubled; the same projector process throughout`,
    );
    expect({ stored, rows: found.size, missing, doubled }).toEqual({
      stored: total,
      rows: ids.length,
      missing: 0,
      doubled: 0,
    });
    expect(sentWhileDown).toBeGreaterThan(0);
    expect(sentAfterRestart).toBeGreaterThan(0);
    // The same process carried on (no restart by a supervisor), and says it is ready again.
    expect(projector.child.exitCode).toBeNull();
    expect(
      (
        await eventually(
          () => probe(projector, '/health/ready'),
          (answer) => answer.status === 200,
          30_000,
        )
      ).body,
    ).toMatchObject({ dependencies: { postgresql: 'ok', kafka: 'ok' } });
    expect((await projector.stop()).code).toBe(0);
  }, 180_000);
});
