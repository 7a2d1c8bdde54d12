import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { StartPayload, commandSchemas, requestSchemas } from '../schemas/commands';
import { Agency } from '../schemas/common';
import { loadKafkaConfig } from '../config';
import { admissionIdOf, pathwayIdOf } from '../domain/pathway-id';
import { dataDir } from '../runtime/local';
import { agencyKafkaConfig } from './agency-kafka';
import { formatEvent, tailAgency } from './agency-tail';
import { parseAssignments, UsageError } from './args';
import { currentToken, developmentToken, storeToken } from './credentials';
import { commandHelp, readCommandHelp } from './help';
import {
  printAgencyView,
  printPathway,
  printList,
  printReport,
  printSitrep,
  type DelayReportView,
  type SitrepView,
} from './format';
import { migrateReadModel } from './migrate';
import { projections } from './projections';

const usage = `homeward — the discharge pathway orchestrator, at a terminal

Usage:
  homeward login --role R [--site S …]                   sign in for later commands (development issuer of npm start)
  homeward token --role R [--site S …]                   print a development token, for curl -H "Authorization: Bearer …"
        roles: discharge-team, manager, agency:<agency>; --site limits staff to their own sites;
        patient or carer with --nhs-number N (their own), for GET /me
  homeward start (--file admission.json | key=value …)   start a pathway (idempotent per admissionId)
  homeward show <pathwayId> [--json]                     state, delay and timeline
  homeward <command> <pathwayId> [--file f.json | key=value …]
        commands: ${Object.keys(commandSchemas).join(', ')}
  homeward list [--stage S] [--delayed-for-days N] [--stuck] [--review-overdue] [--handover-declined] [--site S] [--local-authority L] [--reason R] [--agency A]
                [--status open|closed|all] [--json]
  homeward report delays [--site S] [--local-authority L] [--status …] [--csv | --json]
                                                         delayed now and bed-days lost by band, reason, agency, site …
  homeward report sitrep [--date YYYY-MM-DD] [--csv | --json]  a day's SitRep per site (default today)
  homeward agency tail --agency A [--from-beginning] [--group G] [--json]
        print an agency's events as they arrive, once each: reads Kafka at $KAFKA_BROKERS as
        $KAFKA_SASL_USERNAME (locally: the agency's user in the data dir's secrets.json)
  homeward projections rebuild [--all]                   recompute the read model's pathways from its stored events
                                                        (those its versions' changes name; --all: every one)
  homeward projections reseal                            seal the read model's personal data again under the newest
                                                         key of $HOMEWARD_CODEC_KEYS (after a key rotation)
  homeward migrate [--check]                             apply the read model's migrations (each checksum recorded);
                                                         --check only says whether the schema is this release's
        (straight to PostgreSQL at $DATABASE_URL, or npm start's local one; no Kafka, no API)

Talks to the HTTP API at $HOMEWARD_API_URL (default http://127.0.0.1:8080) with the token from
$HOMEWARD_TOKEN or the last \`homeward login\`.
Exit codes: 0 done, 1 refused or failed (unknown pathway, not allowed now, server down), 2 bad input.

\`homeward <command> --help\` (or \`homeward help <command>\`) shows a command's fields and an example; so do
\`homeward list --help\`, \`homeward report delays --help\` and \`homeward report sitrep --help\`.

Examples (the example patient, docs/examples/):
  homeward start --file docs/examples/admission.json
  homeward discharge-ready pathway-A1001 date=2026-11-20
  homeward assessment pathway-A1001 participants=nurse,social_worker,patient agreement.patient=agrees pathway=P1 needs=reablement,equipment
  homeward referral-response pathway-A1001 referralId=ref-1 agency=intermediate-care response=accepted
`;

// As `npm start` does: HOMEWARD_API_URL, else the local API on HTTP_PORT.
const apiUrl = (process.env.HOMEWARD_API_URL ?? `http://127.0.0.1:${process.env.HTTP_PORT ?? 8080}`).replace(/\/$/, '');

/** A request to the API; a refusal is thrown as the error a person can act on (bad input: a UsageError, exit 2). */
async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    const token = currentToken();
    response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error(`Cannot reach the Homeward API at ${apiUrl} (is \`npm start\` running? set HOMEWARD_API_URL)`);
  }
  if (response.ok) return response;
  const payload = (await response.json().catch(() => ({}))) as {
    message?: string;
    issues?: { path: string; message: string }[];
  };
  if (response.status === 400 || response.status === 422) {
    throw new UsageError(
      payload.issues?.map((i) => `${i.path}: ${i.message}`).join('\n') ?? payload.message ?? 'invalid input',
    );
  }
  if (response.status === 401) {
    throw new Error(
      `Not signed in, or the token expired (${payload.message ?? 'unauthenticated'}): run \`npx homeward login --role discharge-team\` or set HOMEWARD_TOKEN`,
    );
  }
  throw new Error(payload.message ?? `HTTP ${response.status}`);
}

const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> =>
  (await send(method, path, body)).json().catch(() => ({}));

function readBody(file: string | undefined, assignments: string[], schema: z.ZodType): Record<string, unknown> {
  if (file && assignments.length) throw new UsageError('Give either --file or key=value arguments, not both');
  if (!file)
    return parseAssignments(assignments, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as never);
  let text: string;
  try {
    text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`Cannot read ${file}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`${file} is not valid JSON`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: 'string', short: 'f' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      stage: { type: 'string' },
      'delayed-for-days': { type: 'string' },
      stuck: { type: 'boolean' },
      'review-overdue': { type: 'boolean' },
      'handover-declined': { type: 'boolean' },
      site: { type: 'string', multiple: true },
      'local-authority': { type: 'string' },
      reason: { type: 'string' },
      agency: { type: 'string' },
      status: { type: 'string' },
      csv: { type: 'boolean' },
      date: { type: 'string' },
      'from-beginning': { type: 'boolean' },
      group: { type: 'string' },
      role: { type: 'string' },
      subject: { type: 'string' },
      'nhs-number': { type: 'string' },
      check: { type: 'boolean' },
    },
  });
  const [verb, ...rest] = positionals;
  // `homeward <command> --help` and `homeward help <command>`: that command's fields and an example.
  const topic = verb === 'help' ? rest[0] : values.help ? verb : undefined;
  if (topic !== undefined && (topic === 'start' || Object.hasOwn(commandSchemas, topic))) {
    process.stdout.write(commandHelp(topic as Parameters<typeof commandHelp>[0]));
    return 0;
  }
  const readTopic = topic !== undefined && readCommandHelp(verb === 'help' ? rest : [verb, rest[0]]);
  if (readTopic) {
    process.stdout.write(readTopic);
    return 0;
  }
  if (values.help || !verb || verb === 'help') {
    process.stdout.write(usage);
    return verb || values.help ? 0 : 2;
  }
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  if (verb === 'token' || verb === 'login') {
    const token = await developmentToken({
      role: values.role,
      sites: values.site ?? [],
      subject: values.subject,
      nhsNumber: values['nhs-number'],
    });
    if (verb === 'token') process.stdout.write(`${token}\n`);
    else
      process.stdout.write(
        `Signed in as ${values.role}${values.site?.length ? ` (sites ${values.site.join(', ')})` : ''}; token stored in ${storeToken(token)}\n`,
      );
    return 0;
  }
  if (verb === 'start') {
    const result = (await call('POST', '/pathways', readBody(values.file, rest, StartPayload))) as {
      pathwayId: string;
      created: boolean;
    };
    process.stdout.write(`${result.created ? 'Started' : 'Already started'}: ${result.pathwayId}\n`);
    return 0;
  }
  if (verb === 'show') {
    const [id] = rest;
    if (!id) throw new UsageError('show needs a pathway id');
    const view = (await call('GET', `/pathways/${encodeURIComponent(id)}`).catch((error: unknown) => {
      // People type the admission id; pathways are named after it.
      if (admissionIdOf(id) === undefined && error instanceof Error && /^No pathway/.test(error.message))
        throw new Error(`${error.message}; did you mean ${pathwayIdOf(id)}?`);
      throw error;
    })) as { view?: string };
    if (values.json) print(view);
    else if (view.view === 'agency') printAgencyView(view as never);
    else printPathway(view as never);
    return 0;
  }
  if (verb === 'report' && rest[0] === 'sitrep') {
    const filtered = [
      'stage',
      'delayed-for-days',
      'stuck',
      'review-overdue',
      'handover-declined',
      'site',
      'local-authority',
      'reason',
      'agency',
      'status',
    ].filter((name) => values[name as keyof typeof values] !== undefined);
    if (filtered.length > 0)
      throw new UsageError(`report sitrep has one line per site and takes only --date, not --${filtered.join(', --')}`);
    const query = new URLSearchParams(values.date === undefined ? {} : { date: values.date });
    if (values.csv) {
      process.stdout.write(await (await send('GET', `/reports/sitrep${query.size ? `?${query}` : ''}`)).text());
      return 0;
    }
    query.set('format', 'json');
    const result = await call('GET', `/reports/sitrep?${query}`);
    if (values.json) print(result);
    else printSitrep(result as SitrepView);
    return 0;
  }
  if (verb === 'list' || verb === 'report') {
    if (verb === 'report' && rest[0] !== 'delays')
      throw new UsageError('`homeward report delays` or `homeward report sitrep`; see homeward report --help');
    const query = new URLSearchParams();
    const filters: Record<string, string | undefined> = {
      stage: values.stage,
      delayedForDays: values['delayed-for-days'],
      stuck: values.stuck ? 'true' : undefined,
      reviewOverdue: values['review-overdue'] ? 'true' : undefined,
      handoverDeclined: values['handover-declined'] ? 'true' : undefined,
      site: values.site?.[0],
      localAuthority: values['local-authority'],
      reason: values.reason,
      agency: values.agency,
      status: values.status,
    };
    for (const [key, value] of Object.entries(filters)) if (value !== undefined) query.set(key, value);
    if (verb === 'report' && values.csv) {
      // The API's CSV, byte for byte: the same file a manager would download.
      query.set('format', 'csv');
      process.stdout.write(await (await send('GET', `/reports/delays?${query}`)).text());
      return 0;
    }
    const path = verb === 'list' ? '/pathways' : '/reports/delays';
    const result = await call('GET', `${path}${query.size ? `?${query}` : ''}`);
    if (values.json) print(result);
    else if (verb === 'list') printList(result as never);
    else printReport(result as DelayReportView);
    return 0;
  }
  if (verb === 'migrate') return migrateReadModel(values.check ?? false, (line) => process.stderr.write(`${line}\n`));
  if (verb === 'projections') return projections(rest[0], (line) => process.stderr.write(`${line}\n`), rest.slice(1));
  if (verb === 'agency') {
    if (rest[0] !== 'tail') throw new UsageError('Only `homeward agency tail --agency <agency>` exists');
    const agency = Agency.safeParse(values.agency);
    if (!agency.success) throw new UsageError(`--agency must be one of: ${Agency.options.join(', ')}`);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    const kafka = agencyKafkaConfig(agency.data, loadKafkaConfig(), dataDir);
    const as = kafka.sasl ? ` as ${kafka.sasl.username}` : ' without credentials';
    process.stderr.write(`Tailing ${agency.data}'s events from ${kafka.brokers.join(',')}${as} (Ctrl-C to stop)…\n`);
    const result = await tailAgency({
      kafka,
      agency: agency.data,
      fromBeginning: values['from-beginning'] ?? false,
      groupId: values.group,
      signal: controller.signal,
      onEvent: (event) => process.stdout.write(`${values.json ? JSON.stringify(event) : formatEvent(event)}\n`),
      onInvalid: (reason) => process.stderr.write(`skipped: ${reason}\n`),
    });
    process.stderr.write(`${result.seen} events, ${result.duplicates} duplicates dropped\n`);
    return 0;
  }
  if (Object.hasOwn(commandSchemas, verb)) {
    const [id, ...assignments] = rest;
    if (!id) throw new UsageError(`${verb} needs a pathway id`);
    const outcome = (await call(
      'POST',
      `/pathways/${encodeURIComponent(id)}/${verb}`,
      readBody(values.file, assignments, requestSchemas[verb as keyof typeof commandSchemas]),
    )) as {
      stage: string;
      events: { sequence: number; type: string }[];
      linkedPathwayId?: string;
    };
    process.stdout.write(
      `Recorded ${verb} on ${id}: now ${outcome.stage}; events ${outcome.events.map((e) => e.type).join(', ') || 'none'}\n`,
    );
    if (outcome.linkedPathwayId) process.stdout.write(`  the new stay's pathway: ${outcome.linkedPathwayId}\n`);
    // Say what was created, so the next step needs no `show`: the referrals and their deadlines.
    const requested = new Set(outcome.events.filter((e) => e.type === 'referral.requested').map((e) => e.sequence));
    if (requested.size > 0) {
      const view = (await call('GET', `/pathways/${encodeURIComponent(id)}`)) as {
        timeline?: { sequence: number; event: Record<string, string> }[];
      };
      for (const { sequence, event } of view.timeline ?? []) {
        if (requested.has(sequence))
          process.stdout.write(
            `  referral ${event.referralId}: ${event.service} → ${event.agency}, accept by ${event.acceptBy}${event.readyBy ? `, ready by ${event.readyBy}` : ''}\n`,
          );
      }
    }
    return 0;
  }
  throw new UsageError(`Unknown command "${verb}"; run homeward --help`);
}

/** Runs a command line and exits: with its code, 2 for a usage problem, 1 for any other failure. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const usageProblem =
        error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`homeward: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(usageProblem ? 2 : 1);
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
