import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { commandProofRequest } from '../codec/command-proof.cjs';
import type { Actor } from '../schemas/actor';
import type { CommandName } from '../schemas/commands';
import {
  commandUpdate,
  pathwayViewQuery,
  type CommandOutcome,
  type PathwayInput,
  type PathwayView,
} from '../workflows/definitions';
import { searchAttributes as keys } from '../workflows/search-attributes';
import { AppError, notFound } from './errors';

/**
 * The history length at which a pathway's run continues as new: between 120 and 239 events (about
 * ten to twenty commands), fixed per pathway by a hash of its id. A worker keeps a bounded cache of
 * pathways (HOMEWARD_WORKER_CACHED_PATHWAYS); one evicted replays its run's history on its next
 * task, and both that replay's CPU and what the cached run then holds grow with the history. The
 * spread keeps pathways started together and commanded alike from continuing as new together: 500
 * at once at a single limit queued commands for up to a minute. docs/performance.md, "A soak", has
 * the figures that chose it.
 */
export function runHistoryLimit(pathwayId: string): number {
  const least = 120;
  // FNV-1a: cheap, and spreads ids that differ in one character.
  let hash = 2166136261;
  for (let i = 0; i < pathwayId.length; i++) hash = Math.imul(hash ^ pathwayId.charCodeAt(i), 16777619);
  return least + ((hash >>> 0) % least);
}

/** Pathways as Temporal holds them: one workflow each. Temporal's errors become AppErrors here. */
export class PathwayWorkflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Starts the workflow; false when this admission's pathway already exists. */
  private async startWorkflow(pathwayId: string, input: PathwayInput): Promise<boolean> {
    const { start } = input;
    try {
      await this.client.workflow.start('dischargePathway', {
        taskQueue: this.taskQueue,
        workflowId: pathwayId,
        args: [
          { ...input, continueAsNewAtHistoryLength: runHistoryLimit(pathwayId) },
          commandProofRequest('start', pathwayId, new Date().toISOString()),
        ],
        // A closed pathway's admission id is never reused for a new stay.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: keys.stage, value: 'admitted' },
          { key: keys.site, value: start.site },
          { key: keys.localAuthority, value: start.localAuthority },
          { key: keys.patientKey, value: input.patientKey },
        ],
      });
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  async view(pathwayId: string): Promise<PathwayView> {
    try {
      return await this.client.workflow.getHandle(pathwayId).query(pathwayViewQuery);
    } catch (error) {
      throw fromTemporal(error, pathwayId);
    }
  }

  /**
   * `requestId`: the sender's id for this request (an agency's Kafka message id). Temporal runs one
   * Update per id in a workflow run and answers a repeat with the first one's outcome, so a message
   * delivered twice is recorded once, whatever the command.
   */
  async command(
    pathwayId: string,
    name: CommandName,
    payload: unknown,
    actor: Actor,
    requestId?: string,
  ): Promise<CommandOutcome> {
    try {
      return await this.client.workflow.getHandle(pathwayId).executeUpdate(commandUpdate(name), {
        args: [payload, actor, commandProofRequest(name, pathwayId, new Date().toISOString())],
        ...(requestId ? { updateId: requestId } : {}),
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw await this.closedOrMissing(pathwayId, error);
      throw fromTemporal(error, pathwayId);
    }
  }

  /**
   * Temporal answers an Update to a completed workflow as if there were none: a pathway that closed
   * (handed back, readmitted, cancelled) is a conflict naming its stage, not an unknown pathway.
   */
  private async closedOrMissing(pathwayId: string, error: WorkflowNotFoundError): Promise<unknown> {
    try {
      const description = await this.client.workflow.getHandle(pathwayId).describe();
      if (description.status.name === 'RUNNING') return fromTemporal(error, pathwayId);
      return closed(pathwayId, description.typedSearchAttributes.get(keys.stage));
    } catch (describing) {
      return fromTemporal(describing, pathwayId);
    }
  }

  async start(pathwayId: string, input: PathwayInput): Promise<boolean> {
    return this.startWorkflow(pathwayId, input).catch((error: unknown) => {
      throw isUnavailable(error) ? temporalUnavailable() : error;
    });
  }

  /**
   * The running pathways of a patient (by the keyed hash of the NHS number) still in hospital: in
   * one of those stages. Temporal visibility, so a start a moment ago may not be listed yet.
   */
  async inHospital(patientKey: string, stages: readonly string[]): Promise<{ pathwayId: string; stage: string }[]> {
    return this.ofPatient(patientKey, stages, { running: true });
  }

  /** A patient's pathways in one of those stages, running or (unless `running`) closed; as Temporal visibility lists them. */
  async ofPatient(
    patientKey: string,
    stages: readonly string[],
    { running = false } = {},
  ): Promise<{ pathwayId: string; stage: string }[]> {
    const query =
      `WorkflowType = 'dischargePathway' AND ${running ? "ExecutionStatus = 'Running' AND " : ''}${keys.patientKey.name} = '${patientKey}' AND ` +
      `${keys.stage.name} IN (${stages.map((stage) => `'${stage}'`).join(', ')})`;
    const found: { pathwayId: string; stage: string }[] = [];
    for await (const execution of this.executions(query))
      found.push({ pathwayId: execution.workflowId, stage: String(execution.typedSearchAttributes.get(keys.stage)) });
    return found;
  }

  /** The patient's most recently started pathway, running or closed (Temporal keeps closed ones for its retention). */
  async latestOfPatient(patientKey: string): Promise<string | undefined> {
    let latest: { pathwayId: string; started: number } | undefined;
    for await (const execution of this.executions(
      `WorkflowType = 'dischargePathway' AND ${keys.patientKey.name} = '${patientKey}'`,
    )) {
      const started = execution.startTime.getTime();
      if (!latest || started > latest.started) latest = { pathwayId: execution.workflowId, started };
    }
    return latest?.pathwayId;
  }

  private async *executions(query: string): AsyncIterable<WorkflowExecutionInfo> {
    try {
      yield* this.client.workflow.list({ query });
    } catch (error) {
      throw isUnavailable(error) ? temporalUnavailable() : error;
    }
  }
}

/** gRPC UNAVAILABLE or DEADLINE_EXCEEDED, however the SDK wraps it: Temporal cannot be reached now. */
function isUnavailable(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (e.code === 14 || e.code === 4) return true;
  }
  return false;
}

const temporalUnavailable = () =>
  new AppError(
    'unavailable',
    'temporal_unavailable',
    'The workflow service (Temporal) cannot be reached; retry shortly',
  );

const closed = (pathwayId: string, stage?: string) =>
  new AppError(
    'conflict',
    'closed',
    `Pathway ${pathwayId} is closed${stage ? ` (${stage})` : ''} and takes no more commands`,
  );

/** What Temporal says about a pathway, as the application's errors: unknown, invalid, not allowed now. */
function fromTemporal(error: unknown, pathwayId: string): unknown {
  if (error instanceof WorkflowNotFoundError) return notFound(pathwayId);
  if (isUnavailable(error)) return temporalUnavailable();
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as { type?: string; message?: string; details?: unknown[] } | undefined;
    if (cause?.type === 'InvalidCommand') {
      return new AppError(
        'invalid',
        'invalid',
        cause.message ?? 'invalid command',
        (cause.details?.[0] as { path: string; message: string }[]) ?? undefined,
      );
    }
    if (cause?.type === 'UnprovenCommand') {
      // This process signed the command: the worker holding other HOMEWARD_COMMAND_KEYS is a deployment fault, not the caller's.
      return new AppError(
        'unavailable',
        'command_not_trusted',
        "The pathway worker did not accept this service's command signature (HOMEWARD_COMMAND_KEYS differ); retry once they agree",
      );
    }
    if (cause?.type === 'CommandRejected') {
      return new AppError(
        'conflict',
        String(cause.details?.[0] ?? 'not_allowed'),
        cause.message ?? 'command not allowed now',
      );
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  // A completed workflow no longer takes Updates: the pathway is closed.
  if (/workflow execution already completed/i.test(message)) return closed(pathwayId);
  return error;
}
