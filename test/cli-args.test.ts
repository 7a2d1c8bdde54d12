import fs from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseAssignments, UsageError } from '../cli/args';
import { commandHelp, exampleFile } from '../cli/help';
import {
  ReadmissionPayload,
  StartPayload,
  commandSchemas,
  requestSchemas,
  type CommandName,
} from '../schemas/commands';

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as never;

describe('key=value arguments', () => {
  it('keep their text unless the schema asks for a number or boolean there', () => {
    const start = parseAssignments(
      ['admissionId=1001', 'patient.nhsNumber=9434765870', 'patient.name=true', 'site=007'],
      schemaOf(StartPayload),
    );
    expect(start).toEqual({ admissionId: '1001', patient: { nhsNumber: '9434765870', name: 'true' }, site: '007' });
    expect(parseAssignments(['emergency=false', 'newAdmissionId=123'], schemaOf(ReadmissionPayload))).toEqual({
      emergency: false,
      newAdmissionId: '123',
    });
    expect(
      parseAssignments(
        ['limit=20', 'ratio=0.5', 'label=20'],
        schemaOf(z.object({ limit: z.number().int(), ratio: z.number().optional(), label: z.string() })),
      ),
    ).toEqual({
      limit: 20,
      ratio: 0.5,
      label: '20',
    });
  });

  it('take JSON arrays and objects as written, and say when they are not JSON', () => {
    expect(parseAssignments(['participants=[{"role":"nurse"},{"role":"patient"}]'])).toEqual({
      participants: [{ role: 'nurse' }, { role: 'patient' }],
    });
    expect(() => parseAssignments(['participants=[nurse]'])).toThrow(UsageError);
    expect(() => parseAssignments(['date'])).toThrow(/Expected key=value/);
  });
});

describe('per-command help', () => {
  const names = ['start', ...Object.keys(commandSchemas)] as ('start' | CommandName)[];

  it.each(names)('%s: every field with its type, and an example whose body the command accepts', (name) => {
    const help = commandHelp(name);
    const schema = name === 'start' ? StartPayload : requestSchemas[name];
    for (const field of Object.keys(schema.shape))
      expect(help).toMatch(new RegExp(`^  ${field}\\s+(required|optional)`, 'm'));
    const example = JSON.parse(fs.readFileSync(exampleFile(name), 'utf8'));
    expect(schema.safeParse(example).error?.issues).toBeUndefined();
    if (name !== 'start') {
      // The example line, read back as the CLI reads it, is the example body.
      const line = help.split('\n').find((l) => l.startsWith(`  homeward ${name} pathway-A1001`))!;
      const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(3);
      expect(parseAssignments(words, schemaOf(schema))).toEqual(example);
    }
  });

  it('dates say their format', () => {
    expect(commandHelp('discharge')).toMatch(/date\s+required\s+date, YYYY-MM-DD/);
  });
});
