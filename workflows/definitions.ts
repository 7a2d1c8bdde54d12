import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PathwayEvent } from '../schemas/events';
import type { PathwayState, Policy } from '../domain';
import { pathwayIdOf } from '../domain/pathway-id';
import type { StartCommand, CommandName } from '../schemas/commands';
import type { Actor } from '../schemas/actor';
import type { CommandProofRequest } from '../codec/command-proof.cjs';

/** Names the outside world uses: keep stable (domain.md's public contract). A pathway's workflow id is its id. */
export const pathwayWorkflowId = pathwayIdOf;

export interface RecordedPathwayEvent {
  sequence: number;
  event: PathwayEvent;
  /** Who gave the command (or `system`: a timer, the ADT feed). Absent on events recorded before actors were. */
  actor?: Actor;
}

export interface PathwayInput {
  start: StartCommand;
  policy: Policy;
  /** Keyed hash of the NHS number: lets ADT messages find the pathway without the number. */
  patientKey: string;
  /** Who started the pathway. */
  actor?: Actor;
  /** Continue-as-new once this run has recorded this many pathway events (tests set it low). */
  continueAsNewAfter?: number;
  /**
   * Continue-as-new once this run's Temporal history has this many events (the application sets
   * it on every pathway it starts; those started before it was keep the pathway-event count
   * alone, so their histories replay unchanged). A pathway evicted from the worker's cache replays
   * its run's history on its next task, at a CPU and memory cost that grows with the history.
   */
  continueAsNewAtHistoryLength?: number;
  /** Present after continue-as-new: everything the previous run knew. */
  carried?: CarriedState;
}

export interface CarriedState {
  state: PathwayState;
  timeline: RecordedPathwayEvent[];
  /** How many timeline events have reached Kafka; the rest are still to publish. */
  published: number;
  runs: number;
  /** Signatures of the commands applied in the last minutes (workflows/command-proofs.ts); absent from older runs. */
  commandProofs?: [string, number][];
}

export interface CommandOutcome {
  stage: string;
  events: { sequence: number; type: string }[];
}

export interface PathwayView {
  pathwayId: string;
  stage: string;
  state: PathwayState;
  delay: unknown;
  awaitingAgencies: string[];
  timeline: RecordedPathwayEvent[];
  published: number;
  runs: number;
}

export const pathwayViewQuery = defineQuery<PathwayView>('pathway');

/**
 * One Update per pathway command, named as in the HTTP API (`POST /pathways/{id}/{command}`):
 * the command's payload, who gave it and the application's proof that it sent it
 * (`commandProofRequest`, signed by the codec). Updates in older histories have one or two arguments.
 */
export const commandUpdate = (name: CommandName) =>
  defineUpdate<CommandOutcome, [unknown, Actor?, CommandProofRequest?]>(name);
