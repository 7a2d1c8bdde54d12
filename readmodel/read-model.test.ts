import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModels } from '../projections/rebuild';
import { pathwaysReadModel } from './pathways';
import { rowColumns } from './pathways/columns';
import { rowsToRebuild, versionOf, type ReadModel } from './read-model';

const migration = (name: string) => fs.readFileSync(path.join(__dirname, 'migrations', name), 'utf8');

describe('read models', () => {
  it('each has a name of its own, versions counted up from 1, and migrations that exist and shape its table', () => {
    expect(new Set(readModels.map((model) => model.name)).size).toBe(readModels.length);
    for (const model of readModels) {
      expect(
        model.versions.map((v) => v.version),
        model.name,
      ).toEqual(model.versions.map((_, i) => i + 1));
      expect(model.migrations.length, model.name).toBeGreaterThan(0);
      for (const name of model.migrations)
        expect(migration(name), `${model.name}: ${name}`).toMatch(new RegExp(`\\b${model.table}\\b`));
      expect(migration(model.migrations[0]), model.name).toContain(`CREATE TABLE ${model.table} (`);
    }
  });

  it("the pathways row's columns are the ones its migrations made", () => {
    const table = migration('001-read-model.sql').match(/CREATE TABLE pathways \(([\s\S]*?)\n\);/)![1];
    const created = table
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[a-z_]+\s/.test(line))
      .map((line) => line.split(/\s+/)[0]);
    const added = pathwaysReadModel.migrations.flatMap((name) =>
      [...migration(name).matchAll(/ALTER TABLE pathways ADD COLUMN (?:IF NOT EXISTS )?([a-z_]+)/g)].map(
        (found) => found[1],
      ),
    );
    const filled = rowColumns.split(',').map((column) => column.trim().split(/\s+/)[0]);
    expect([...created, ...added].filter((column) => column !== 'updated_at').sort()).toEqual([...filled].sort());
  });
});

describe('which rows a rebuild recomputes', () => {
  const model = (name: string, ...rebuilds: ReadModel['versions'][number]['rebuild'][]): ReadModel => ({
    name,
    table: name,
    migrations: [],
    versions: rebuilds.map((rebuild, i) => ({ version: i + 1, change: `change ${i + 1}`, rebuild })),
  });
  const rows = model('rows', 'every pathway', { where: "status = 'open'" }, { where: 'drd IS NOT NULL' });
  const days = model('days', 'every pathway');

  it('every pathway when a read model has no version recorded for its rows', () => {
    expect(rowsToRebuild([rows, days], new Map([['rows', 3]]))).toMatchObject({
      every: true,
      why: [expect.stringContaining('days: no version recorded')],
    });
  });

  it('nothing when every read model is at its version', () => {
    expect(
      rowsToRebuild(
        [rows, days],
        new Map([
          ['rows', versionOf(rows)],
          ['days', 1],
        ]),
      ),
    ).toEqual({ every: false, where: [], why: [] });
  });

  it('the rows each later version names, and only those', () => {
    expect(
      rowsToRebuild(
        [rows, days],
        new Map([
          ['rows', 1],
          ['days', 1],
        ]),
      ),
    ).toEqual({
      every: false,
      where: ["status = 'open'", 'drd IS NOT NULL'],
      why: ['rows 1 → 2: change 2', 'rows 1 → 3: change 3'],
    });
    expect(
      rowsToRebuild(
        [rows, days],
        new Map([
          ['rows', 2],
          ['days', 1],
        ]),
      ),
    ).toMatchObject({ every: false, where: ['drd IS NOT NULL'] });
  });

  it('every pathway when a later version names every pathway', () => {
    const rebuiltAll = model('days', 'every pathway', 'every pathway');
    expect(
      rowsToRebuild(
        [rows, rebuiltAll],
        new Map([
          ['rows', 3],
          ['days', 1],
        ]),
      ),
    ).toMatchObject({ every: true, why: ['days 1 → 2: change 2'] });
  });
});
