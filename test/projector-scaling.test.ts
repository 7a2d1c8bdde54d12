import { randomUUID } from 'node:crypto';
import { AssignerProtocol } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { toCloudEvent } from '../kafka/envelopes';
import { loadConfig } from '../config';
import { topics } from '../kafka/topics';
import { startProjector } from '../projections/projector';
import type { PathwayCommand } from '../schemas/commands';
import { assessment, date, day, start } from './domain/spec';
import { createTestDatabase } from './support/database';
import { kafkaAs, kafkaEnvironment } from './support/kafka';
import { externalProducer } from './support/produce';
import { roleEnvironment, roleHarness } from './support/roles';
import { testEnvironment } from './support/secrets';
import { seededPathway } from './support/seed-events';
import { eventually } from './support/system';

// The projector scaled out: two instances (processes) in one consumer group share the topic's
// partitions, each partition's position stored with its rows. One is SIGKILLed mid-stream; the
// other takes its partitions over; every pathway's row is what a single projector makes of it.
const harness = roleHarness();

const topic = topics.pathwayEvents;
const stays: ((admissionId: string) => PathwayCommand[])[] = [
  (admissionId) => [start({ admissionId }), { type: 'discharge-ready', at: day(2), date: date(2) }],
  (admissionId) => [
    start({ admissionId }),
    { type: 'discharge-ready', at: day(2), date: date(2) },
    assessment('P1', ['reablement'], day(3)),
    { type: 'delay-reason', at: day(4), code: 'awaiting_transport', agency: 'acute-trust' },
  ],
  (admissionId) => [
    start({ admissionId }),
    { type: 'discharge-ready', at: day(1), date: date(1) },
    { type: 'cancel', at: day(3), reason: 'other' } as PathwayCommand,
  ],
];

/** Which partitions of the topic each member of the group holds, by its client id. */
async function assignments(groupId: string): Promise<Record<string, number[]>> {
  const admin = kafkaAs('admin').admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0].state !== 'Stable') return {};
    return Object.fromEntries(
      groups[0].members.map((member) => [
        member.clientId,
        (AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? []).sort(),
      ]),
    );
  } finally {
    await admin.disconnect();
  }
}

async function rows(url: string, ids: string[]) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const pathways = (
      await db.query('SELECT * FROM pathways WHERE pathway_id = ANY($1) ORDER BY pathway_id', [ids])
    ).rows.map(({ updated_at: _u, ...row }) => row);
    const events = (
      await db.query(
        'SELECT pathway_id, count(*)::int AS n FROM pathway_events WHERE pathway_id = ANY($1) GROUP BY pathway_id',
        [ids],
      )
    ).rows.map((row) => [row.pathway_id as string, row.n as number] as const);
    const days = (
      await db.query('SELECT * FROM pathway_days WHERE pathway_id = ANY($1) ORDER BY pathway_id, day', [ids])
    ).rows;
    return { pathways, events: new Map(events), days };
  } finally {
    await db.end();
  }
}

async function positionsIn(url: string): Promise<Map<number, bigint>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows: found } = await db.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM projector_offsets WHERE topic = $1',
      [topic],
    );
    return new Map(found.map((row) => [row.partition, BigInt(row.next_offset)]));
  } finally {
    await db.end();
  }
}

describe('the projector in two instances, one consumer group', () => {
  it('shares the partitions, survives one instance SIGKILLed mid-stream, and makes the rows one projector makes', async () => {
    const groupId = `homeward-projector-scale-${randomUUID().slice(0, 8)}`;
    const scaled = await createTestDatabase();
    const producer = await externalProducer('homeward');
    harness.cleanup(producer.close);
    // The broker's shortest session (group.min.session.timeout.ms): the dead instance's partitions move after 6 s.
    const instance = (name: string) => ({
      role: 'projector' as const,
      env: roleEnvironment({
        DATABASE_URL: scaled,
        HOMEWARD_PROJECTOR_GROUP: groupId,
        HOMEWARD_PROJECTOR_SESSION_TIMEOUT: '6',
        KAFKA_CLIENT_ID: name,
      }),
    });
    const [a, b] = await harness.processes.start([instance('homeward-a'), instance('homeward-b')]);
    const shared = await eventually(
      () => assignments(groupId),
      (held) => Object.keys(held).length === 2 && Object.values(held).every((p) => p.length > 0),
      30_000,
    );
    const heldByA = shared['homeward-a-projector'];
    expect([...heldByA, ...shared['homeward-b-projector']].sort()).toEqual([0, 1, 2]);

    const pathways = Array.from({ length: 90 }, (_, i) => seededPathway(stays[i % stays.length]));
    const sent: { id: string; partition: number; offset: bigint; afterKill: boolean }[] = [];
    let killed = false;
    const publish = async (from: number, to: number) => {
      for (const pathway of pathways.slice(from, to)) {
        for (const recorded of pathway.events) {
          const { partition, offset } = await producer.send(topic, pathway.id, toCloudEvent(pathway.id, recorded));
          sent.push({ id: pathway.id, partition, offset: BigInt(offset), afterKill: killed });
        }
      }
    };
    // A first part, until both instances have applied some of it (each to its own partitions).
    await publish(0, 30);
    const firstIds = pathways.slice(0, 30).map((p) => p.id);
    await eventually(
      async () => (await rows(scaled, firstIds)).pathways.length,
      (n) => n === 30,
      30_000,
    );
    // The rest as a stream, with instance A killed a third of the way through.
    const streaming = publish(30, 90);
    await eventually(
      async () => sent.length,
      (n) => n > pathways.slice(0, 50).reduce((total, p) => total + p.events.length, 0),
      30_000,
    );
    a.child.kill('SIGKILL');
    killed = true;
    await a.exited;
    await streaming;

    const ids = pathways.map((p) => p.id);
    const expected = new Map(pathways.map((p) => [p.id, p.events.length]));
    const complete = (found: Awaited<ReturnType<typeof rows>>) =>
      found.pathways.length === ids.length &&
      found.pathways.every((row) => row.event_count === expected.get(row.pathway_id)) &&
      ids.every((id) => found.events.get(id) === expected.get(id));
    const afterKill = await eventually(() => rows(scaled, ids), complete, 60_000);
    // B holds every partition now, A's included, and applied what was sent to them after the kill.
    expect(
      await eventually(
        () => assignments(groupId),
        (held) => Object.keys(held).length === 1,
      ),
    ).toEqual({ 'homeward-b-projector': [0, 1, 2] });
    const toAAfterKill = sent.filter((s) => s.afterKill && heldByA.includes(s.partition));
    expect(toAAfterKill.length).toBeGreaterThan(0);
    // Its position in each partition, stored with the rows: past every message sent to it.
    const positions = await positionsIn(scaled);
    for (const partition of [0, 1, 2]) {
      const last = sent
        .filter((s) => s.partition === partition)
        .reduce((max, s) => (s.offset > max ? s.offset : max), -1n);
      expect(positions.get(partition)! > last, `partition ${partition}`).toBe(true);
    }

    // One projector alone, in a group and a database of its own, over the same topic.
    const single = await createTestDatabase();
    const config = loadConfig({ ...kafkaEnvironment(), DATABASE_URL: single, ...testEnvironment() });
    const one = await startProjector(config, pino({ level: 'silent' }), {
      groupId: `homeward-projector-one-${randomUUID().slice(0, 8)}`,
    });
    harness.cleanup(one.stop);
    const alone = await eventually(() => rows(single, ids), complete, 60_000);
    expect(afterKill.pathways).toEqual(alone.pathways);
    expect(afterKill.days).toEqual(alone.days);

    const events = [...expected.values()].reduce((total, n) => total + n, 0);
    const stored = [...afterKill.events.values()].reduce((total, n) => total + n, 0);
    const missing = ids.filter((id) => (afterKill.events.get(id) ?? 0) < expected.get(id)!).length;
    const doubled = afterKill.pathways.filter((row) => row.event_count > expected.get(row.pathway_id)!).length;
    console.log(
      `projector scaling: ${ids.length} pathways, ${events} events sent (${sent.filter((s) => s.afterKill).length} after instance A [partitions ${heldByA.join(',')}] was killed, ` +
        `${toAAfterKill.length} of them to its partitions); read model: ${stored} events, ${afterKill.pathways.length} rows, ${missing} pathways missing events, ${doubled} doubled; ` +
        `rows equal to a single projector's: ${alone.pathways.length}`,
    );
    expect({ stored, missing, doubled }).toEqual({ stored: events, missing: 0, doubled: 0 });
    expect((await b.stop()).code).toBe(0);
  }, 180_000);
});
