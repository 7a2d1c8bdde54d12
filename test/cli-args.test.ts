import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseAssignments, UsageError } from '../cli/args';
import { ReadmissionPayload, StartPayload } from '../schemas/commands';

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as never;

describe('key=value arguments', () => {
  it('keep their text unless the schema asks for a number or boolean there', () => {
    const start = parseAssignments(['admissionId=1001', 'patient.nhsNumber=9434765870', 'patient.name=true', 'site=007'], schemaOf(StartPayload));
    expect(start).toEqual({ admissionId: '1001', patient: { nhsNumber: '9434765870', name: 'true' }, site: '007' });
    expect(parseAssignments(['emergency=false', 'newAdmissionId=123'], schemaOf(ReadmissionPayload))).toEqual({ emergency: false, newAdmissionId: '123' });
    expect(parseAssignments(['limit=20', 'ratio=0.5', 'label=20'], schemaOf(z.object({ limit: z.number().int(), ratio: z.number().optional(), label: z.string() })))).toEqual({
      limit: 20,
      ratio: 0.5,
      label: '20',
    });
  });

  it('take JSON arrays and objects as written, and say when they are not JSON', () => {
    expect(parseAssignments(['participants=[{"role":"nurse"},{"role":"patient"}]'])).toEqual({ participants: [{ role: 'nurse' }, { role: 'patient' }] });
    expect(() => parseAssignments(['participants=[nurse]'])).toThrow(UsageError);
    expect(() => parseAssignments(['date'])).toThrow(/Expected key=value/);
  });
});
