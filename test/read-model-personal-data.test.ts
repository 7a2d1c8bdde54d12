import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi, type RunningApi } from '../api/server';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import { loadConfig } from '../config';
import { foldTimeline, pathwayRow } from '../readmodel/pathways/row';
import { startProjector } from '../projections/projector';
import { rebuildPathways } from '../projections/rebuild';
import { storedPathway } from '../readmodel/pathway-history';
import { connectDatabase } from '../readmodel/database';
import { migrate, migrations } from '../readmodel/migrate';
import type { PathwayCommand } from '../schemas/commands';
import { date, day, patientAgrees, professionalAndPatient, start } from './domain/spec';
import { createTestDatabase } from './support/database';
import { dumpDatabase } from './support/dump';
import { admission, nhsNumber } from './support/fixtures';
import { testEnvironment } from './support/secrets';
import { seededPathway } from './support/seed-events';
import { runCommand } from './support/spawn';
import { eventually, startSystem } from './support/system';

// Issue 19, row 4: a dump of the read model alone reveals nobody, on the real API, Temporal, broker
// and PostgreSQL; the timeline still shows the patient to those who may see them.
const silent = pino({ level: 'silent' });
const bin = path.join(__dirname, '..', 'bin', 'homeward');
const today = () => new Date().toISOString().slice(0, 10);
const codecKey = (id: string) => `${id}:${crypto.randomBytes(32).toString('base64')}`;

const patient = {
  nhsNumber: nhsNumber(),
  name: 'Winifred Dumpcheck',
  dateOfBirth: '1929-11-23',
  address: { line1: '42 Sealed Terrace', town: 'Headingley', postcode: 'LS6 2QQ' },
  housingStatus: 'settled' as const,
};
const carer = {
  name: 'Cuthbert Keeper',
  relationship: 'nephew',
  phone: '0113 496 0123',
  willingAndAble: true,
  carersAssessment: 'declined' as const,
};
const assessment = {
  participants: professionalAndPatient,
  ...patientAgrees,
  pathway: 'P1',
  needs: ['reablement'],
  notes: 'lives alone since the spring',
  summary: { clinical: ['insulin twice daily'], goals: ['back to the bowls club'] },
  carer,
};
/** Everything of the person that must not be in a dump. */
const personal = [
  patient.nhsNumber,
  patient.name,
  'Dumpcheck',
  'Winifred',
  patient.dateOfBirth,
  patient.address.line1,
  patient.address.postcode,
  carer.name,
  carer.phone,
  '496 0123',
  'insulin',
  'bowls club',
  'lives alone',
];

function expectNobodyIn(dump: string) {
  for (const value of personal) expect(dump, value).not.toContain(value);
}

describe('personal data in the read model', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  const body = admission({ patient, site: `PII-${crypto.randomUUID().slice(0, 6)}` });
  const id = `pathway-${body.admissionId}`;
  let live: Record<string, unknown>[];
  beforeAll(async () => {
    system = await startSystem();
    await system.call('POST', '/pathways', body);
    await system.call('POST', `/pathways/${id}/discharge-ready`, {
      date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    });
    await system.call('POST', `/pathways/${id}/assessment`, assessment);
    await system.call('POST', `/pathways/${id}/referral-response`, {
      referralId: 'ref-1',
      agency: 'intermediate-care',
      response: 'declined',
      reason: 'no capacity in Headingley',
    });
    // The decline nobody has re-referred escalates at once, on the pathway's timer (rules 4): the timeline is whole after it.
    const escalated = await eventually(
      () => system.call('GET', `/pathways/${id}`),
      (r) => r.body.timeline.some((e: { event: { type: string } }) => e.event.type === 'referral.escalated'),
    );
    live = escalated.body.timeline;
    await eventually(
      () => system.call('GET', `/pathways/${id}/timeline`),
      (r) => r.body.timeline?.length === live.length,
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('a dump of the whole database holds no patient or carer detail; the timeline shows them to the discharge team', async () => {
    expect(live.map((e) => (e.event as { type: string }).type)).toEqual(
      expect.arrayContaining(['pathway.started', 'assessment.completed', 'referral.declined']),
    );
    const dump = await dumpDatabase(system.config.database.url!);
    // The dump is the read model: this pathway's rows are there, its personal fields sealed under the codec's first key.
    expect(dump).toContain(id);
    expect(dump).toContain(body.site);
    expect(dump).toContain(system.config.codecKeys.split(':')[0]);
    expectNobodyIn(dump);
    expect(dump).not.toContain('Headingley');

    const { status, body: timeline } = await system.call('GET', `/pathways/${id}/timeline`);
    expect(status).toBe(200);
    expect(timeline.timeline).toEqual(live);
    const event = (type: string) =>
      timeline.timeline.find((e: { event: { type: string } }) => e.event.type === type).event;
    expect(event('pathway.started').patient).toEqual(patient);
    expect(event('assessment.completed')).toMatchObject({
      carer,
      notes: assessment.notes,
      summary: assessment.summary,
    });
    expect(event('referral.declined').reason).toBe('no capacity in Headingley');
  });

  it('an agency referred on the pathway gets its minimised events, the patient opened; the managers’ list needs no personal data', async () => {
    const agency = await system.callWith(
      await system.token('agency:intermediate-care'),
      'GET',
      `/pathways/${id}/timeline`,
    );
    expect(agency.status).toBe(200);
    const requested = agency.body.events.find(
      (e: { type: string }) => e.type === 'uk.nhs.discharge.referral.requested.v1',
    );
    expect(requested.data.patient).toMatchObject({ nhsNumber: patient.nhsNumber, name: patient.name });
    const list = await system.call('GET', `/pathways?site=${body.site}&status=all`);
    expect(list.body.pathways.map((p: { pathwayId: string }) => p.pathwayId)).toEqual([id]);
    expect(JSON.stringify(list.body)).not.toContain(patient.name);
    // Whom the row is about, minimised at projection: initials and the age band at admission (born 1929).
    expect(list.body.pathways[0]).toMatchObject({ patientInitials: 'WD', ageBand: '85+' });
  });

  it('an API without the key that sealed them: 503 naming the key id, nothing else given away, and it carries on', async () => {
    const stranger: RunningApi = await startApi({ ...system.config, codecKeys: codecKey('k9') }, silent);
    try {
      const get = async (role: string, route: string) => {
        const response = await fetch(`${stranger.url}${route}`, {
          headers: { authorization: `Bearer ${await system.token(role)}` },
        });
        return { status: response.status, body: (await response.json()) as Record<string, string> };
      };
      const refused = await get('discharge-team', `/pathways/${id}/timeline`);
      const keyId = system.config.codecKeys.split(':')[0];
      expect(refused).toMatchObject({ status: 503, body: { error: 'personal_data_sealed' } });
      expect(refused.body.message).toBe(
        `Cannot open the personal data of ${id}/1: it was sealed with key id "${keyId}", which is not in HOMEWARD_CODEC_KEYS (this process has "k9"); add that key, after the newest`,
      );
      expectNobodyIn(JSON.stringify(refused.body));
      // One who may not see the pathway learns nothing more than before: not found, before anything is opened.
      expect((await get('agency:housing', `/pathways/${id}/timeline`)).status).toBe(404);
      expect((await get('manager', `/pathways?site=${body.site}&status=all`)).status).toBe(200);
    } finally {
      await stranger.close();
    }
  });

  it('a key rotation: `homeward projections reseal` seals every event again under the new key, and the old key can go', async () => {
    const newest = codecKey('k2');
    const database = {
      DATABASE_URL: system.config.database.url!,
      KAFKA_BROKERS: '127.0.0.1:1',
      HOMEWARD_API_URL: 'http://127.0.0.1:1',
    };
    const missingOld = await runCommand(bin, ['projections', 'reseal'], { ...database, HOMEWARD_CODEC_KEYS: newest });
    expect(missingOld).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `sealed with key id "${system.config.codecKeys.split(':')[0]}", not in HOMEWARD_CODEC_KEYS`,
      ),
    });

    const resealed = await runCommand(bin, ['projections', 'reseal'], {
      ...database,
      HOMEWARD_CODEC_KEYS: `${newest},${system.config.codecKeys}`,
    });
    expect(resealed).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(/^Sealed [1-9]\d* events under key id "k2"/),
    });
    const keyIds = await system.projector.db.query(
      'SELECT DISTINCT personal_key_id FROM pathway_events WHERE personal IS NOT NULL',
    );
    expect(keyIds.rows).toEqual([{ personal_key_id: 'k2' }]);
    expectNobodyIn(await dumpDatabase(system.config.database.url!));

    const rotated = await startApi({ ...system.config, codecKeys: newest }, silent);
    try {
      const response = await fetch(`${rotated.url}/pathways/${id}/timeline`, {
        headers: { authorization: `Bearer ${await system.token('discharge-team')}` },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { timeline: unknown }).timeline).toEqual(live);
    } finally {
      await rotated.close();
    }
  });
});

describe('a read model from before personal data was sealed (migration 004)', () => {
  const legacyPatient = { ...patient, nhsNumber: nhsNumber() };
  const legacy = seededPathway((admissionId) => [
    start({ admissionId, patient: legacyPatient }),
    { type: 'discharge-ready', at: day(2), date: date(2) },
    { type: 'assessment', at: day(3), consents: [], ...assessment } as PathwayCommand,
  ]);
  let databaseUrl: string;

  /** The read model as migrations 001–003 and the projector before them left it: events and state in clear. */
  async function legacyReadModel() {
    databaseUrl = await createTestDatabase({ migrated: false });
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const migration of migrations().filter((m) => m.version <= 3)) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
      }
      for (const { sequence, event, actor } of legacy.events) {
        await client.query(
          'INSERT INTO pathway_events (pathway_id, sequence, type, at, actor_role, actor_subject, event) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [legacy.id, sequence, event.type, event.at, actor.role, actor.subject, event],
        );
      }
      const row = pathwayRow(legacy.id, foldTimeline(legacy.events), today())!;
      const snake = Object.fromEntries(
        Object.entries({ ...row, updatedAt: new Date().toISOString() }).map(([k, v]) => [
          k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
          v,
        ]),
      );
      await client.query('INSERT INTO pathways SELECT * FROM jsonb_populate_record(null::pathways, $1)', [snake]);
    } finally {
      await client.end();
    }
  }

  it('the projector’s next start seals every stored event in place; the timeline reads as before, and a rebuild still works', async () => {
    await legacyReadModel();
    const before = await dumpDatabase(databaseUrl);
    expect(before).toContain(legacyPatient.nhsNumber);
    expect(before).toContain(carer.phone);

    const config = loadConfig({
      KAFKA_BROKERS: inject('kafkaBrokers'),
      DATABASE_URL: databaseUrl,
      ...testEnvironment(),
    });
    const groupId = `homeward-projector-legacy-${crypto.randomUUID().slice(0, 8)}`;
    // The upgrade's order: the new release's projector refuses the old schema until `homeward migrate` has run.
    const unapplied = migrations()
      .filter((m) => m.version >= 4)
      .map((m) => m.name.replace(/\./g, '\\.'));
    await expect(startProjector(config, silent, { groupId })).rejects.toThrow(
      new RegExp(`schema is older than this release.*${unapplied.join(', ')} has not been applied.*homeward migrate`),
    );
    const db = connectDatabase(databaseUrl, { max: 1 });
    await migrate(db).finally(() => db.end());
    const projector = await startProjector(config, silent, { groupId });
    try {
      const after = await dumpDatabase(databaseUrl);
      expect(after).toContain(legacy.id);
      expect(after).not.toContain(legacyPatient.nhsNumber);
      expectNobodyIn(after);
      expect((await projector.db.query('SELECT count(*)::int AS n FROM pathway_events_to_seal')).rows).toEqual([
        { n: 0 },
      ]);
      const sealed = await projector.db.query(
        'SELECT sequence, personal_key_id FROM pathway_events WHERE pathway_id = $1 AND personal IS NOT NULL ORDER BY sequence',
        [legacy.id],
      );
      expect(sealed.rows).toEqual([
        { sequence: 1, personal_key_id: config.codecKeys.split(':')[0] },
        { sequence: 3, personal_key_id: config.codecKeys.split(':')[0] },
      ]);

      const stored = await storedPathway(projector.db, legacy.id);
      expect(stored!.timeline(PersonalDataCipher.fromSetting(config.codecKeys))).toEqual(legacy.events);
      // The projector reads the whole topic into this database too: only the legacy stay is compared.
      const legacyRow = async () =>
        (await projector.db.query('SELECT * FROM pathways WHERE pathway_id = $1', [legacy.id])).rows.map(
          ({ updated_at: _u, ...row }) => row,
        );
      const rowBefore = await legacyRow();
      expect(JSON.stringify(rowBefore)).toContain('"stage":"arranging"');
      // Migration 005 queued the start, sealed or not, so the stay started before it has its patient's summary too.
      expect(
        (await projector.db.query('SELECT initials, age_band FROM pathway_patients WHERE pathway_id = $1', [legacy.id]))
          .rows,
      ).toEqual([{ initials: 'WD', age_band: '85+' }]);
      await rebuildPathways(projector.db, today());
      // The same row, and what migration 007 left for a rebuild: who has heard of the stay (the agency its referral went to).
      expect(rowBefore[0].informed_agencies).toEqual([]);
      expect(await legacyRow()).toEqual([{ ...rowBefore[0], informed_agencies: ['intermediate-care'] }]);
      expectNobodyIn(await dumpDatabase(databaseUrl));
    } finally {
      await projector.stop();
    }
  });

  it('a projector given a malformed HOMEWARD_CODEC_KEYS refuses to start, naming the setting', async () => {
    const config = loadConfig({
      KAFKA_BROKERS: inject('kafkaBrokers'),
      DATABASE_URL: await createTestDatabase(),
      ...testEnvironment(),
    });
    await expect(startProjector({ ...config, codecKeys: 'k1:c2hvcnQ=' }, silent)).rejects.toThrow(
      /^HOMEWARD_CODEC_KEYS: key "k1" is 5 bytes/,
    );
  });
});
