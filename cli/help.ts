import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StartPayload, requestSchemas, type CommandName } from '../schemas/commands';
import type { JsonSchema } from './args';

/** What each command is for, in a co-ordinator's words; the fields come from the schemas. */
const purposes: Record<CommandName | 'start', string> = {
  start:
    'Start the discharge pathway for an admission (once per admission id). A homeless patient of no fixed abode (patient.housingStatus=homeless) may leave patient.address out: it is recorded as the NHS writes it, "No fixed abode", postcode ZZ99 3VZ.',
  'expected-discharge-date': 'Record or move the expected discharge date (EDD).',
  'discharge-ready':
    'The patient no longer meets the criteria to reside: record the discharge ready date (DRD). Every day after it counts as delayed.',
  'criteria-to-reside-met':
    'The patient meets the criteria to reside again: the DRD is cleared (the delay so far is kept).',
  assessment:
    "Record the joint assessment: who took part (for P1–P3 a social care and a health professional; the patient, or why not), the patient's agreement, the discharge pathway (P0–P3), the needs (one referral per need), consents, and optionally the home, the carer and the summary each agency gets its part of.",
  consent:
    "Record consent (or its withdrawal) to share the patient's details with an agency, and who gave it (the patient; for a patient who lacks capacity their attorney, deputy or a best-interests decision; never a carer).",
  carer:
    "The carer's position changed (willing and able now, or not; a carer's assessment accepted): recorded without a new joint assessment (pathways since rules 4).",
  capacity:
    "The patient's capacity for one decision (the discharge plan, or sharing information), assessed again, by whom; with capacity for the plan regained, their own agreement with it (pathways since rules 4).",
  'housing-status':
    "The person's housing changed during the stay (settled, at risk of homelessness, homeless), and who recorded it: the referral to housing follows (pathways since rules 4).",
  referral: 'Refer again (after a decline), or for an additional need or changed plan.',
  'referral-response':
    "An agency's answer to its referral: accepted, declined (with a reason) or ready (support in place from a date).",
  'delay-reason': 'Record why the discharge is delayed (NHS SitRep code), attributed to an agency.',
  'delay-reason-resolved': 'A recorded delay reason no longer applies.',
  discharge:
    'The patient left hospital: the date and where they went; selfDischarge=true when they discharged themselves (at any stage: the 30-day watch runs and agencies still arranging support are told it is needed now).',
  review:
    'A weekly intermediate-care review: continue, goals met, or needs long-term support; remainingNeeds is the transition plan handed over to long-term services.',
  readmission: 'An emergency readmission within the 30-day watch: the new admission gets its own linked pathway.',
  'emergency-attendance': 'An A&E attendance without admission within the 30-day watch (recorded; not a readmission).',
  'lead-professional':
    'Name the lead professional (a role and a team) for the pathway or its intermediate-care episode.',
  'extend-episode':
    'Keep intermediate care going until a date, with a reason, instead of handing over now (after a declined handover; pathways started since rules 6).',
  funding:
    "Record who pays for a referral's service and on what terms (free, means-tested, full cost) and from when charges start.",
  'episode-review':
    "The intermediate-care provider's review of its episode: continue, goals met (with no needs remaining the episode ends early) or needs long-term support; the person's goals and needs now, which the handover to long-term services carries.",
  'transition-plan':
    'The intermediate-care provider proposes the transition plan: the needs that remain when its episode ends ([] for none).',
  'funding-decision':
    "Social care's financial assessment and funding decision for its referral: who pays, on what terms, from when charges start.",
  'support-started': 'A provider says the support its referral arranged started on a day.',
  'support-not-started':
    'A provider says the support did not start (a missed first visit, and why): the discharge team is told the same day.',
  'housing-outcome':
    "Housing's outcome for its referral: accommodation secured, relief duty accepted, or (for an adaptations referral) adaptations done.",
  'start-date-moved':
    'A provider moves the day its support starts (support in place, not yet started): the patient and carer are told.',
  'carer-access':
    "The patient agreed that their carer may see their plan (/my-plan): the carer's own NHS number (kept only as its keyed hash; the carer signs in with NHS login) and how they are related.",
  'carer-access-revoked': "End a carer's access to the plan (the patient can do this themselves from /my-plan).",
  'accessible-information':
    'How the patient needs information (large print, easy read, braille, audio, BSL; another language): every notification to them says so.',
  cancel:
    'Close the pathway early (died, transferred, admission cancelled; a self-discharge is recorded with discharge selfDischarge=true on pathways started since rules 4).',
};

const root = path.join(__dirname, '..');
export const exampleFile = (name: string) =>
  path.join(root, 'docs', 'examples', `${name === 'start' ? 'admission' : name}.json`);

const describeType = (schema: JsonSchema): string => {
  if (schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return 'date, YYYY-MM-DD';
  if (schema.format === 'date-time') return 'time, e.g. 2026-11-24T09:30:00Z';
  if (schema.enum) return `one of: ${schema.enum.join(', ')}`;
  if (schema.type === 'array' && schema.items) {
    const item = schema.items;
    const keys = Object.keys(item.properties ?? {});
    if (item.type === 'object' && keys.length === 1)
      return `list of ${keys[0]}s (${describeType(item.properties![keys[0]])}); write a,b,c`;
    return `list (${describeType(item)}); write a,b,c`;
  }
  if (schema.type === 'object') return 'object: give its fields as name.field=value';
  if (schema.anyOf) return schema.anyOf.map(describeType).join(' or ');
  return String(schema.type ?? 'value');
};

/** `key=value` arguments that say what an example body says, in the shorthand the CLI reads. */
export function asAssignments(body: Record<string, unknown>, prefix = ''): string[] {
  const quoted = (assignment: string) => (/[\s'"]/.test(assignment) ? `'${assignment}'` : assignment);
  return Object.entries(body).flatMap(([key, value]) => {
    if (Array.isArray(value)) {
      const flat = value.map((item) =>
        item && typeof item === 'object' && Object.keys(item).length === 1 ? Object.values(item)[0] : item,
      );
      return flat.every((item) => typeof item === 'string' && !item.includes(','))
        ? [quoted(`${prefix}${key}=${flat.join(',')}`)]
        : [`'${prefix}${key}=${JSON.stringify(value)}'`];
    }
    if (value && typeof value === 'object') return asAssignments(value as Record<string, unknown>, `${prefix}${key}.`);
    return [quoted(`${prefix}${key}=${String(value)}`)];
  });
}

/**
 * A schema's fields, and those of its object fields (the patient's, say: name.field=value) below
 * them, indented, two levels deep.
 */
function fieldsOf(
  json: JsonSchema,
  prefix = '',
  depth = 0,
): { path: string; indent: number; required: boolean; schema: JsonSchema }[] {
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).flatMap(([field, schema]) => [
    { path: `${prefix}${field}`, indent: depth * 2, required: required.has(field), schema },
    ...(schema.type === 'object' && depth < 2 ? fieldsOf(schema, `${prefix}${field}.`, depth + 1) : []),
  ]);
}

/** `homeward <command> --help`: generated from the command's zod schema and its example file. */
export function commandHelp(name: CommandName | 'start'): string {
  const schema = (name === 'start' ? StartPayload : requestSchemas[name]) as z.ZodType;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields = fieldsOf(json);
  const width = Math.max(8, ...fields.map((f) => f.indent + f.path.length));
  const lines = [
    name === 'start'
      ? 'homeward start (--file admission.json | key=value …)'
      : `homeward ${name} <pathwayId> (--file body.json | key=value …)`,
    '',
    purposes[name],
    '',
    fields.length ? 'Fields:' : 'No fields.',
    ...fields.map(
      ({ path: field, indent, required, schema: s }) =>
        `  ${' '.repeat(indent)}${field.padEnd(width - indent)}  ${required ? 'required' : 'optional'}  ${describeType(s)}${s.default !== undefined ? ` (default ${JSON.stringify(s.default)})` : ''}`,
    ),
  ];
  const file = exampleFile(name);
  if (fs.existsSync(file)) {
    const example = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const target = name === 'start' ? '' : ' pathway-A1001';
    lines.push('', `Example (the example patient; the same body is in docs/examples/${path.basename(file)}):`);
    lines.push(
      name === 'start'
        ? '  homeward start --file docs/examples/admission.json'
        : `  homeward ${name}${target} ${asAssignments(example).join(' ')}`.trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The managers' reads: what each says, its options and an example. */
const readHelp = {
  list: `homeward list [--stage S] [--delayed-for-days N] [--stuck] [--review-overdue] [--handover-declined]
              [--site S] [--local-authority L] [--reason R] [--agency A] [--status open|closed|all] [--json]

The pathways from the read model, longest delayed first (an agency: only those it is referred on).
DELAYED is the days delayed and the band: "was" once the patient has left (the delay is history), blank
without a discharge ready date. STUCK says why a stuck stay is stuck and since when: a referral or a
review overdue, or no event for 7 days (HOMEWARD_STUCK_FOR_DAYS).

Options:
  --delayed-for-days N  in hospital with a discharge ready date, delayed N days or more (1: delayed now;
                        0: every patient with a DRD)
  --stuck               only stuck stays
  --review-overdue      only stays whose intermediate-care review is overdue
  --handover-declined   only stays whose handover to long-term services was declined and not yet
                        re-referred or extended
  --status              open (default), closed or all
  --json                the API's answer as it is

Example:
  homeward list --delayed-for-days 1 --site LEEDS-GEN
`,
  'report delays': `homeward report delays [--site S] [--local-authority L] [--reason R] [--agency A] [--status open|closed|all]
                       [--delayed-for-days N] [--stuck] [--csv | --json]

The delay report: stays with a discharge ready date, how many are delayed now and the bed-days lost,
by band (in their natural order: 0, 1, 2-3, 4-6, 7-13, 14-20, 21+, then none), reason, agency, site,
local authority and pathway. Delayed now: in hospital a day or more after the DRD. Band: days delayed
now, or at discharge; 0 is a DRD with no day delayed yet, none no DRD now. Bed-days lost count every
DRD episode of a stay.

Options:
  --csv   the report as CSV (the API's, as GET /reports/delays?format=csv), for a spreadsheet
  --json  the API's answer as it is

Example:
  homeward report delays --site LEEDS-GEN --csv > delays.csv
`,
  'report sitrep': `homeward report sitrep [--date YYYY-MM-DD] [--csv | --json]

A day's SitRep-style return, one line per site: patients in hospital with a discharge ready date that
day, how many were delayed, bed-days lost that day, and the bands; the CSV adds every reason code and
pathway. Today (UTC) unless --date says.

Options:
  --date  the day, YYYY-MM-DD (default today)
  --csv   the return as CSV (the API's, as GET /reports/sitrep)
  --json  the API's answer as JSON

Example:
  homeward report sitrep --date 2026-11-20 --csv > sitrep-2026-11-20.csv
`,
};

export type ReadTopic = keyof typeof readHelp;

/** `homeward list --help`, `homeward report delays --help`, `homeward help report sitrep`; `report` alone gives both reports'. */
export function readCommandHelp(words: (string | undefined)[]): string | undefined {
  const [verb, what] = words;
  if (verb === 'list') return readHelp.list;
  if (verb !== 'report') return undefined;
  const topic = `report ${what}`;
  return Object.hasOwn(readHelp, topic)
    ? readHelp[topic as ReadTopic]
    : `${readHelp['report delays']}\n${readHelp['report sitrep']}`;
}
