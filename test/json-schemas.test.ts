import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../schemas/json-schemas';
import { eventTypes } from '../schemas/events';

// The checked-in JSON Schemas are what agency engineers code against: they must match the zod source.
const root = path.join(__dirname, '..', 'schemas', 'json');

describe('generated JSON Schemas', () => {
  const generated = jsonSchemas();

  it('has one file per event type and version, plus agency views and inbound messages', () => {
    for (const type of eventTypes) expect(generated).toHaveProperty([`events/${type}.v1.json`]);
    expect(generated).toHaveProperty(['agency/referral.requested.v1.json']);
    expect(generated).toHaveProperty(['inbound/adt.v1.json']);
  });

  it('are checked in and up to date (run `npm run schemas` after changing a zod schema)', () => {
    for (const [file, schema] of Object.entries(generated)) {
      const onDisk = path.join(root, file);
      expect(fs.existsSync(onDisk), `${file} is missing`).toBe(true);
      expect(JSON.parse(fs.readFileSync(onDisk, 'utf8')), file).toEqual(schema);
    }
    const stale = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') && !(f in generated));
    expect(stale).toEqual([]);
  });

  it('describe the CloudEvents envelope with the exact type', () => {
    const schema = generated['events/referral.requested.v1.json'] as { required: string[]; properties: Record<string, { const?: string }> };
    expect(schema.required).toEqual(expect.arrayContaining(['specversion', 'id', 'source', 'type', 'subject', 'time', 'data']));
    expect(schema.properties.type.const).toBe('uk.nhs.discharge.referral.requested.v1');
  });
});
