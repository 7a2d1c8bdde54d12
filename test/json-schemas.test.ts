import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../schemas/json-schemas';
import { eventTypes } from '../schemas/events';
import { agencyWriteBackCommands, commandSchemas } from '../schemas/commands';
import { AgencyWriteBack } from '../schemas/inbound';

// The checked-in JSON Schemas are what agency engineers code against: they must match the zod source.
const root = path.join(__dirname, '..', 'schemas', 'json');

describe('generated JSON Schemas', () => {
  const generated = jsonSchemas();

  it('has one file per event type and version, plus agency views and inbound messages', () => {
    for (const type of eventTypes) expect(generated).toHaveProperty([`events/${type}.v1.json`]);
    expect(generated).toHaveProperty(['agency/referral.requested.v1.json']);
    expect(generated).toHaveProperty(['inbound/adt.v1.json']);
  });

  it('has a schema per agency write-back message, and its example in docs/examples is valid as a message and, as the HTTP body, as the command', () => {
    const examples = path.join(__dirname, '..', 'docs', 'examples');
    for (const command of agencyWriteBackCommands) {
      expect(generated).toHaveProperty([`inbound/agency-${command}.v1.json`]);
      const message = JSON.parse(fs.readFileSync(path.join(examples, 'agency-messages', `${command}.json`), 'utf8'));
      expect(AgencyWriteBack.safeParse(message).error, command).toBeUndefined();
      const { messageId: _m, pathwayId: _p, command: _c, ...payload } = message;
      const body = JSON.parse(fs.readFileSync(path.join(examples, `${command}.json`), 'utf8'));
      // The same write-back over HTTP names the agency its token already says.
      expect({ ...payload, agency: body.agency }, command).toEqual(body);
      expect(commandSchemas[command].safeParse(body).error, command).toBeUndefined();
    }
    // A message naming its own agency is refused: the topic says who sent it.
    expect(
      AgencyWriteBack.safeParse({
        messageId: 'm',
        pathwayId: 'pathway-A1',
        command: 'support-started',
        referralId: 'ref-1',
        agency: 'equipment',
        startedOn: '2026-11-24',
      }).success,
    ).toBe(false);
  });

  it('are checked in and up to date (run `npm run schemas` after changing a zod schema)', () => {
    for (const [file, schema] of Object.entries(generated)) {
      const onDisk = path.join(root, file);
      expect(fs.existsSync(onDisk), `${file} is missing`).toBe(true);
      expect(JSON.parse(fs.readFileSync(onDisk, 'utf8')), file).toEqual(schema);
    }
    const stale = fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json') && !(f in generated));
    expect(stale).toEqual([]);
  });

  it('describe the CloudEvents envelope with the exact type', () => {
    const schema = generated['events/referral.requested.v1.json'] as {
      required: string[];
      properties: Record<string, { const?: string }>;
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['specversion', 'id', 'source', 'type', 'subject', 'time', 'data']),
    );
    expect(schema.properties.type.const).toBe('uk.nhs.discharge.referral.requested.v1');
  });
});
