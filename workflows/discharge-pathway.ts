import {
  ApplicationFailure,
  TemporalFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { context as traceContext, type Context as TraceContext } from '@opentelemetry/api';
import type { PathwayActivities } from '../activities';
import {
  CommandRejected,
  activeDelayReasonCodes,
  awaitingAgencies,
  decide,
  delaySummary,
  evolve,
  initialState,
  isClosed,
  nextDeadline,
  type PathwayState,
} from '../domain';
import { timerActor, type Actor } from '../schemas/actor';
import type { RoutingContext } from '../schemas/data-minimisation';
import { normalisedPayload, shapeIssues } from '../schemas/command-shapes';
import { commandNames, type PathwayCommand } from '../schemas/commands';
import type { PathwayEvent } from '../schemas/events';
import {
  commandUpdate,
  pathwayViewQuery,
  type CommandOutcome,
  type PathwayInput,
  type PathwayView,
  type RecordedPathwayEvent,
} from './definitions';
import { CommandProofs } from './command-proofs';
import { searchAttributeUpdates } from './search-attribute-values';
import { routingContext } from './routing-context';

const { publishEvents } = proxyActivities<PathwayActivities>({
  startToCloseTimeout: '30 seconds',
  // Kafka may be down for a while: keep retrying, the events wait in the workflow's outbox.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The start's own events, published in the first workflow task rather than by an activity task of
 * their own (one activity and one workflow task less per start on the server and the worker). Its
 * command is already durable: Temporal recorded the start before any task ran, and its events are
 * decided from that input alone. A few quick tries: if Kafka does not take them, the activity
 * above carries on retrying as for any other event.
 */
const { publishEvents: publishStartEvents } = proxyLocalActivities<PathwayActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 2 },
});

/** Each rules level is a patch: a history recorded before it replays under the level it began with. */
function startingRules(): PathwayState['rules'] {
  if (!patched('pathway-as-documents')) return 1;
  if (!patched('criteria-to-reside-again')) return 2;
  if (!patched('safe-for-the-patient')) return 3;
  if (!patched('living-assessment')) return 4;
  // Rules 6: a declined handover's choice and the first visit's reminder, one level (the patch's
  // name is the first of the two changes, recorded so in p1-handover-declined-extended).
  return patched('handover-choice') ? 6 : 5;
}

/** Pathway events per run before continuing as new: each costs several history events. */
const defaultContinueAsNewAfter = 500;

/**
 * One hospital stay's discharge pathway. Every rule lives in the pure core (`domain/`); this
 * workflow only turns Updates and timers into commands, records the resulting events, keeps
 * search attributes current and hands the events to Kafka.
 */
export async function dischargePathway(input: PathwayInput, startProof?: unknown): Promise<PathwayView> {
  const pathwayId = workflowInfo().workflowId;
  const now = () => new Date().toISOString();
  const proofs = new CommandProofs(pathwayId, input.carried?.commandProofs);
  refuseUnprovenStart(input, startProof, proofs);
  // A pathway keeps the rules it started under (PathwayState.rules): one started before the
  // documents' pathway replays and carries on under rules 1, one started before a patient meeting
  // the criteria to reside again stopped being ready for discharge under rules 2, one started before
  // the rules that keep the patient safe (issue 23) under rules 3; a carried state says its own.
  let state: PathwayState = input.carried?.state ?? { ...initialState, rules: startingRules() };
  const timeline: RecordedPathwayEvent[] = input.carried?.timeline ?? [];
  let published = input.carried?.published ?? 0;
  const runs = (input.carried?.runs ?? 0) + 1;
  const firstSequenceThisRun = timeline.length;
  let lastAttributes = '';
  // Pathways started before actors were recorded replay without them.
  const recordsActors = patched('actors-on-timeline');
  // Asked in the run's first task: a run whose first task a worker without this change ran (a
  // rolling deployment, the application already sending the limit) replays without it, as it ran.
  const historyLimit =
    input.continueAsNewAtHistoryLength !== undefined && patched('continue-as-new-at-history-length')
      ? input.continueAsNewAtHistoryLength
      : undefined;
  /**
   * Each unpublished event's routing context, taken right after the event: what an agency sees of
   * an event depends on the pathway as it stood then, so its HTTP view can be rebuilt identically.
   */
  const contexts = new Map<number, RoutingContext>();
  /**
   * Each unpublished event's trace context: the Update's that recorded it (the workflow's own for a
   * timer's). Publishing runs in the first one's, so the command's trace goes on to Kafka. Only the
   * activity's headers carry it: the commands and so the histories are the same with tracing off.
   */
  const traces = new Map<number, TraceContext>();

  const record = (events: PathwayEvent[], actor: Actor | undefined): CommandOutcome => {
    const recorded = events.map((event) => {
      const entry: RecordedPathwayEvent = {
        sequence: timeline.length + 1,
        event,
        ...(recordsActors && actor ? { actor } : {}),
      };
      timeline.push(entry);
      state = evolve(state, event);
      contexts.set(entry.sequence, routingContext(state));
      traces.set(entry.sequence, traceContext.active());
      return entry;
    });
    if (recorded.length > 0) syncSearchAttributes();
    return { stage: state.stage, events: recorded.map((r) => ({ sequence: r.sequence, type: r.event.type })) };
  };

  const syncSearchAttributes = () => {
    const updates = searchAttributeUpdates(
      state,
      input.patientKey,
      activeDelayReasonCodes(state),
      awaitingAgencies(state),
    );
    const fingerprint = JSON.stringify(updates.map((u) => [u.key.name, u.value]));
    if (fingerprint !== lastAttributes) {
      upsertSearchAttributes(updates);
      lastAttributes = fingerprint;
    }
  };

  const view = (): PathwayView => ({
    pathwayId,
    stage: state.stage,
    state,
    delay: delaySummary(state, now().slice(0, 10)),
    awaitingAgencies: awaitingAgencies(state),
    timeline,
    published,
    runs,
  });

  /** Decides on a payload of the command's shape; throws an ApplicationFailure the caller can map to 409. */
  const decideOrReject = (name: (typeof commandNames)[number], payload: unknown): PathwayEvent[] => {
    const command = { ...normalisedPayload(name, payload), type: name, at: now() } as PathwayCommand;
    try {
      return decide(command, state, input.policy);
    } catch (error) {
      if (error instanceof CommandRejected) {
        throw ApplicationFailure.create({
          type: 'CommandRejected',
          nonRetryable: true,
          message: error.message,
          details: [error.code],
        });
      }
      throw error;
    }
  };

  /**
   * The shape, then the rules, against the current state, before the Update is written to history.
   * The API has already checked the payload in full with zod; this guards against Updates sent
   * straight to Temporal without zod, which cannot run on the worker's shared, frozen schemas.
   */
  const validate = (name: (typeof commandNames)[number], payload: unknown, proof: unknown): void => {
    // First: a command Homeward did not send is refused before anything reads it.
    const unproven = proofs.problem(name, proof, Date.now());
    if (unproven)
      throw ApplicationFailure.create({
        type: 'UnprovenCommand',
        nonRetryable: true,
        message: `${name} refused: ${unproven}`,
      });
    const issues = shapeIssues(name, payload);
    if (issues.length > 0) {
      throw ApplicationFailure.create({
        type: 'InvalidCommand',
        nonRetryable: true,
        message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        details: [issues],
      });
    }
    try {
      decideOrReject(name, payload);
    } catch (error) {
      if (error instanceof ApplicationFailure) throw error;
      // A payload of the right shape the rules could not even read is still the caller's mistake.
      throw ApplicationFailure.create({
        type: 'InvalidCommand',
        nonRetryable: true,
        message: `${name}: the command could not be applied`,
      });
    }
  };

  // Record the start before any handler exists: an Update sent right after the start is
  // buffered by the SDK and delivered when its handler is set, and must find the pathway started.
  // How many events the start recorded (none for a carried run): only those may be published locally.
  let startEvents = 0;
  if (!input.carried) {
    try {
      startEvents = record(decide(input.start, state, input.policy), input.actor).events.length;
    } catch (error) {
      // The API checks a start before starting; one that still fails ends the run at once,
      // rather than retrying its first task for ever and leaving a pathway nobody can read.
      if (error instanceof CommandRejected)
        throw ApplicationFailure.create({ type: 'StartRejected', nonRetryable: true, message: error.message });
      throw error;
    }
  } else syncSearchAttributes();

  for (const name of commandNames) {
    // The handler normalises as zod's lenient parse did for older Updates now in histories
    // (defaults filled in, unknown fields dropped), so those replay unchanged.
    // The actor is trusted because the proof's signature covers it with the payload.
    setHandler(
      commandUpdate(name),
      (payload: unknown, actor?: Actor, proof?: unknown) => {
        proofs.remember(proof, Date.now());
        return record(decideOrReject(name, payload), actor);
      },
      {
        // Runs before the Update is written to history (and never on replay): a rejected command leaves no trace.
        validator: (payload: unknown, _actor?: Actor, proof?: unknown) => validate(name, payload, proof),
      },
    );
  }
  setHandler(pathwayViewQuery, view);

  const continueAsNewAfter = input.continueAsNewAfter ?? defaultContinueAsNewAfter;
  // The server's suggestion, our own count of pathway events, or the run's history length.
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    timeline.length - firstSequenceThisRun > continueAsNewAfter ||
    (historyLimit !== undefined && workflowInfo().historyLength >= historyLimit);

  for (;;) {
    if (published < timeline.length) {
      const batch = timeline.slice(published);
      const current = routingContext(state);
      const request = {
        pathwayId,
        events: batch,
        contexts: batch.map((entry) => contexts.get(entry.sequence) ?? current),
      };
      // Only a batch of the start's events alone: an Update accepted in this same first task is not
      // durable until the task completes, so a batch holding its events waits for the activity.
      const startOnly = published === 0 && startEvents > 0 && batch.length === startEvents;
      // The activity's promise as it is, with no await in between: Temporal records an Update's
      // completion and this activity in the order the workflow's promises settle, as histories did.
      const publishing = () =>
        startOnly && patched('start-published-in-first-task')
          ? publishStartEvents(request).catch((error: unknown) => {
              // A local activity's own failure reaches the workflow as it was thrown (an
              // ApplicationFailure), not wrapped in an ActivityFailure as an activity's is: any
              // failure but a cancellation hands the events to the activity, which retries for as
              // long as Kafka is away. (Until this, a start whose Kafka refused both tries failed
              // its pathway; no running pathway took the old branch, so no patch.)
              if (error instanceof TemporalFailure && !isCancellation(error)) return publishEvents(request);
              throw error;
            })
          : publishEvents(request);
      const cause = traces.get(batch[0].sequence);
      await (cause ? traceContext.with(cause, publishing) : publishing());
      for (const entry of batch) {
        contexts.delete(entry.sequence);
        traces.delete(entry.sequence);
      }
      published += batch.length;
      continue;
    }
    if (isClosed(state)) break;
    if (shouldContinueAsNew()) {
      // Let in-flight Updates finish and reach the outbox before the history is cut.
      await condition(allHandlersFinished);
      if (published < timeline.length) continue;
      log.info('continuing as new', { pathwayId, events: timeline.length });
      await continueAsNew<typeof dischargePathway>({
        ...input,
        carried: { state, timeline, published, runs, commandProofs: proofs.carry() },
      });
    }
    const deadline = nextDeadline(state, input.policy);
    const waitMs = deadline === undefined ? undefined : Math.max(0, Date.parse(deadline) - Date.now());
    const woken = () => published < timeline.length || isClosed(state) || shouldContinueAsNew();
    if (waitMs === undefined) await condition(woken);
    else if (waitMs > 0) await condition(woken, waitMs);
    if (deadline !== undefined && Date.now() >= Date.parse(deadline)) {
      const due = record(decide({ type: 'tick', at: now() }, state, input.policy), timerActor);
      if (due.events.length === 0 && nextDeadline(state, input.policy) === deadline) {
        // A deadline the core does not act on would spin this loop; wait for a command instead.
        log.warn('deadline produced no events', { pathwayId, deadline });
        await condition(woken, '1 hour');
      }
    }
  }
  await condition(allHandlersFinished);
  return view();
}

/**
 * A pathway starts only from the application (a start signed as its commands are) or from its own
 * continue-as-new, which only Temporal can mark as such. Checked on the first run of the first
 * task only: a history replays whatever keys the worker has now, and a refused start ends the run
 * before it records or publishes anything.
 */
function refuseUnprovenStart(input: PathwayInput, proof: unknown, proofs: CommandProofs): void {
  const info = workflowInfo();
  if (info.unsafe.isReplaying) return;
  const problem = input.carried
    ? info.continuedFromExecutionRunId
      ? undefined
      : "it carries a previous run's state but is not a continuation of one"
    : proofs.problem('start', proof, info.runStartTime.getTime());
  if (problem)
    throw ApplicationFailure.create({
      type: 'UnprovenStart',
      nonRetryable: true,
      message: `start refused: ${problem}`,
    });
}
