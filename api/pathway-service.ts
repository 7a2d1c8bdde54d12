import { Client, WorkflowExecutionAlreadyStartedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config';
import { patientKey } from '../config/patient-key';
import { resolvePolicy, delayBand, daysBetween, type Policy } from '../domain';
import { Region } from '../schemas/common';
import { StartPayload, commandSchemas, type CommandName } from '../schemas/commands';
import { Agency, DelayReasonCode, Stage } from '../schemas/common';
import { commandUpdate, pathwayViewQuery, pathwayWorkflowId, type CommandOutcome, type PathwayInput, type PathwayView } from '../workflows/definitions';
import { searchAttributes as keys } from '../workflows/search-attributes';
import { ApiError, fromTemporal, invalid } from './errors';

export const ListFilters = z.object({
  stage: Stage.optional(),
  delayedForDays: z.coerce.number().int().min(0).optional(),
  site: z.string().min(1).optional(),
  localAuthority: z.string().min(1).optional(),
  reason: DelayReasonCode.optional(),
  agency: Agency.optional(),
  status: z.enum(['open', 'closed', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListFilters = z.infer<typeof ListFilters>;

export interface PathwaySummary {
  pathwayId: string;
  stage: string | undefined;
  pathway: string | undefined;
  site: string | undefined;
  localAuthority: string | undefined;
  dischargeReadyDate: string | undefined;
  dischargeDate: string | undefined;
  daysDelayed: number;
  delayBand: string;
  awaitingAgencies: string[];
  delayReasons: string[];
  overdueSince: string | undefined;
  status: string;
}

const today = () => new Date().toISOString().slice(0, 10);
const isoDate = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

/** What the HTTP API and the CLI do with pathways, in terms of the Temporal client. */
export class PathwayService {
  /** Resolved once: loadConfig has validated the overrides, so this cannot fail per request. */
  private readonly policies: Record<Region, Policy>;

  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {
    this.policies = Object.fromEntries(Region.options.map((r) => [r, resolvePolicy(r, config.policyOverrides)])) as Record<Region, Policy>;
  }

  async start(body: unknown): Promise<{ pathwayId: string; created: boolean }> {
    const parsed = StartPayload.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const payload = parsed.data;
    const pathwayId = pathwayWorkflowId(payload.admissionId);
    const input: PathwayInput = {
      start: { ...payload, type: 'start', at: new Date().toISOString() },
      policy: this.policies[payload.region ?? this.config.region],
      patientKey: patientKey(payload.patient.nhsNumber, this.config.patientKeySecret),
    };
    try {
      await this.client.workflow.start('dischargePathway', {
        taskQueue: this.config.temporal.taskQueue,
        workflowId: pathwayId,
        args: [input],
        // A closed pathway's admission id is never reused for a new stay.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: keys.stage, value: 'admitted' },
          { key: keys.site, value: payload.site },
          { key: keys.localAuthority, value: payload.localAuthority },
          { key: keys.patientKey, value: input.patientKey },
        ],
      });
      return { pathwayId, created: true };
    } catch (error) {
      // Idempotent per admission: starting the same admission again answers with the same pathway.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { pathwayId, created: false };
      throw error;
    }
  }

  async get(pathwayId: string): Promise<PathwayView> {
    try {
      return await this.client.workflow.getHandle(pathwayId).query(pathwayViewQuery);
    } catch (error) {
      throw fromTemporal(error, pathwayId);
    }
  }

  /**
   * Runs a pathway command. An accepted readmission also starts the new stay's pathway, linked to
   * this one, with the same patient (the ADT bridge starts it itself, from the PAS's own data).
   */
  async command(pathwayId: string, name: string, body: unknown, options: { startLinkedPathway?: boolean } = {}): Promise<CommandOutcome & { linkedPathwayId?: string }> {
    if (!(name in commandSchemas)) {
      throw new ApiError(404, 'unknown_command', `Unknown pathway command "${name}"; known: ${Object.keys(commandSchemas).join(', ')}`);
    }
    const parsed = commandSchemas[name as CommandName].safeParse(body ?? {});
    if (!parsed.success) throw invalid(parsed.error);
    let outcome: CommandOutcome;
    try {
      outcome = await this.client.workflow.getHandle(pathwayId).executeUpdate(commandUpdate(name as CommandName), { args: [parsed.data] });
    } catch (error) {
      throw fromTemporal(error, pathwayId);
    }
    if (name === 'readmission' && (options.startLinkedPathway ?? true) && outcome.stage === 'readmitted') {
      const { state } = await this.get(pathwayId);
      const readmission = parsed.data as { newAdmissionId: string; admittedOn: string };
      const started = await this.start({
        admissionId: readmission.newAdmissionId,
        patient: state.patient,
        site: state.site,
        localAuthority: state.localAuthority,
        region: state.region,
        admittedAt: `${readmission.admittedOn}T00:00:00.000Z`,
        previousPathwayId: pathwayId,
      });
      return { ...outcome, linkedPathwayId: started.pathwayId };
    }
    return outcome;
  }

  async list(query: unknown): Promise<PathwaySummary[]> {
    const parsed = ListFilters.safeParse(query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const filters = parsed.data;
    const results: PathwaySummary[] = [];
    for await (const execution of this.client.workflow.list({ query: visibilityQuery(filters) })) {
      results.push(summarise(execution));
      if (results.length >= filters.limit) break;
    }
    return results;
  }

  /** Counts and bed-days lost by band, reason, agency and site, from search attributes alone. */
  async delayReport(query: unknown) {
    const parsed = ListFilters.omit({ limit: true }).safeParse(query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const filters = parsed.data;
    const totals = { pathways: 0, delayed: 0, bedDaysLost: 0 };
    const by = { band: {} as Tally, reason: {} as Tally, agency: {} as Tally, site: {} as Tally };
    for await (const execution of this.client.workflow.list({ query: `${visibilityQuery({ ...filters, limit: 0 })} AND ${keys.dischargeReadyDate.name} IS NOT NULL` })) {
      const summary = summarise(execution);
      totals.pathways += 1;
      if (summary.daysDelayed > 0) totals.delayed += 1;
      totals.bedDaysLost += summary.daysDelayed;
      add(by.band, summary.delayBand, summary.daysDelayed);
      add(by.site, summary.site ?? 'unknown', summary.daysDelayed);
      for (const reason of summary.delayReasons) add(by.reason, reason, summary.daysDelayed);
      for (const agency of summary.awaitingAgencies) add(by.agency, agency, summary.daysDelayed);
    }
    return { asOf: today(), totals, byBand: by.band, byReason: by.reason, byAgency: by.agency, bySite: by.site };
  }
}

type Tally = Record<string, { pathways: number; bedDaysLost: number }>;
function add(tally: Tally, key: string, days: number) {
  tally[key] ??= { pathways: 0, bedDaysLost: 0 };
  tally[key].pathways += 1;
  tally[key].bedDaysLost += days;
}

/** Values come from zod enums or are quoted here, so a filter can never change the query's shape. */
function visibilityQuery(filters: ListFilters): string {
  const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const clauses = [`WorkflowType = 'dischargePathway'`];
  if (filters.status === 'open') clauses.push(`ExecutionStatus = 'Running'`);
  if (filters.status === 'closed') clauses.push(`ExecutionStatus != 'Running'`);
  if (filters.stage) clauses.push(`${keys.stage.name} = ${quote(filters.stage)}`);
  if (filters.site) clauses.push(`${keys.site.name} = ${quote(filters.site)}`);
  if (filters.localAuthority) clauses.push(`${keys.localAuthority.name} = ${quote(filters.localAuthority)}`);
  if (filters.reason) clauses.push(`${keys.delayReasons.name} = ${quote(filters.reason)}`);
  if (filters.agency) clauses.push(`${keys.awaitingAgencies.name} = ${quote(filters.agency)}`);
  if (filters.delayedForDays !== undefined) {
    const cutoff = new Date(Date.now() - filters.delayedForDays * 86_400_000);
    cutoff.setUTCHours(23, 59, 59, 999);
    clauses.push(`${keys.dischargeReadyDate.name} <= ${quote(cutoff.toISOString())}`);
    // Still in hospital: once discharged, the delay is history, not a current delay.
    clauses.push(`${keys.dischargeDate.name} IS NULL`);
  }
  return clauses.join(' AND ');
}

function summarise(execution: WorkflowExecutionInfo): PathwaySummary {
  const attributes = execution.typedSearchAttributes;
  const drd = isoDate(attributes.get(keys.dischargeReadyDate));
  const discharged = isoDate(attributes.get(keys.dischargeDate));
  const daysDelayed = drd ? Math.max(0, daysBetween(drd, discharged ?? today())) : 0;
  return {
    pathwayId: execution.workflowId,
    stage: attributes.get(keys.stage),
    pathway: attributes.get(keys.pathway),
    site: attributes.get(keys.site),
    localAuthority: attributes.get(keys.localAuthority),
    dischargeReadyDate: drd,
    dischargeDate: discharged,
    daysDelayed,
    delayBand: delayBand(daysDelayed),
    awaitingAgencies: attributes.get(keys.awaitingAgencies) ?? [],
    delayReasons: attributes.get(keys.delayReasons) ?? [],
    overdueSince: attributes.get(keys.overdueSince)?.toISOString(),
    status: execution.status.name,
  };
}

