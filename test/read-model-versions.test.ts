import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import { pathwaysReadModel } from '../readmodel/pathways';
import { readModels, rebuildReadModels } from '../projections/rebuild';
import { reproject, saveEvents } from '../projections/store';
import { connectDatabase, inTransaction, type Database } from '../readmodel/database';
import { builtVersions, versionOf, type ReadModel } from '../readmodel/read-model';
import { date, day, start } from './domain/spec';
import { createTestDatabase } from './support/database';
import { testEnvironment } from './support/secrets';
import { seededPathway } from './support/seed-events';

// Versioned read models on the real PostgreSQL: a rebuild recomputes the rows a version change
// names, records the versions on the tables, and leaves every other row as it found it.
let db: Database;
const today = new Date().toISOString().slice(0, 10);
const delayed = seededPathway((id) => [
  start({ admissionId: id }),
  { type: 'discharge-ready', at: day(2), date: date(2) },
]);
const quiet = seededPathway((id) => [start({ admissionId: id })]);
const ids = [delayed.id, quiet.id];

const daysDelayed = async () =>
  Object.fromEntries(
    (
      await db.query<{ pathway_id: string; days_delayed: number }>(
        'SELECT pathway_id, days_delayed FROM pathways ORDER BY pathway_id',
      )
    ).rows.map((r) => [r.pathway_id, r.days_delayed]),
  );
const spoil = () => db.query('UPDATE pathways SET days_delayed = -1');

beforeAll(async () => {
  db = connectDatabase(await createTestDatabase(), { application: 'read-model-versions' });
  const cipher = PersonalDataCipher.fromSetting(testEnvironment().HOMEWARD_CODEC_KEYS);
  await inTransaction(db, async (client) => {
    await saveEvents(
      client,
      [delayed, quiet].flatMap((p) => p.events.map((recorded) => ({ pathwayId: p.id, recorded }))),
      cipher,
    );
    await reproject(client, ids, today);
  });
});

afterAll(() => db?.end());

describe('read model versions', () => {
  it('rebuilds every pathway while no version is recorded, then records each read model’s', async () => {
    const projected = await daysDelayed();
    expect(projected[delayed.id]).toBeGreaterThan(0);
    expect(await builtVersions(db, readModels)).toEqual(new Map());
    await spoil();
    expect(await rebuildReadModels(db, today)).toBe(2);
    expect(await daysDelayed()).toEqual(projected);
    expect(await builtVersions(db, readModels)).toEqual(
      new Map(readModels.map((model) => [model.name, versionOf(model)])),
    );
  });

  it('rebuilds nothing when the rows are at their versions, only the rows a new version names, and everything with --all', async () => {
    const projected = await daysDelayed();
    await spoil();
    expect(await rebuildReadModels(db, today)).toBe(0);
    expect(Object.values(await daysDelayed())).toEqual([-1, -1]);

    const withDrds: ReadModel = {
      ...pathwaysReadModel,
      versions: [
        ...pathwaysReadModel.versions,
        {
          version: versionOf(pathwaysReadModel) + 1,
          change: 'a figure of stays with a DRD',
          rebuild: { where: 'drd IS NOT NULL' },
        },
      ],
    };
    const said: string[] = [];
    expect(
      await rebuildReadModels(db, today, { models: [withDrds, readModels[1]], say: (line) => said.push(line) }),
    ).toBe(1);
    expect(await daysDelayed()).toEqual({ ...projected, [quiet.id]: -1 });
    const now = versionOf(pathwaysReadModel);
    expect(said).toContain(`pathways ${now} → ${now + 1}: a figure of stays with a DRD`);
    expect((await builtVersions(db, [withDrds])).get('pathways')).toBe(now + 1);

    expect(await rebuildReadModels(db, today, { every: true })).toBe(2);
    expect(await daysDelayed()).toEqual(projected);
  });
});
