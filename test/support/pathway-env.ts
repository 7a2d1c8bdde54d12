import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { RetryOptions } from 'kafkajs';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { resolvePolicy, type Policy } from '../../domain';
import { EventPublisher } from '../../kafka/publisher';
import type { Actor } from '../../schemas/actor';
import type { CommandName, StartPayload } from '../../schemas/commands';
import {
  commandUpdate,
  pathwayViewQuery,
  pathwayWorkflowId,
  type PathwayInput,
  type PathwayView,
} from '../../workflows/definitions';
import type { dischargePathway } from '../../workflows/discharge-pathway';
import { admission } from './fixtures';
import { registerSearchAttributes } from '../../tools/infra/temporal';
import { kafkaAs } from './kafka';
import { createWorker, testDataConverter, uniqueTaskQueue } from './temporal';
import { commandProofRequest } from '../../codec/command-proof.cjs';
import { CommandSigningCodec } from '../../codec/command-signing-codec';
import { failureConverterPath, payloadConverterPath } from '../../codec/data-converter';
import { testSecrets } from './secrets';
import { clientInterceptors } from '../../telemetry/temporal';

/**
 * Bytes as the signing codec hashes them: with no encryption codec before it to hand over Buffers,
 * the worker may pass a payload's data as a plain array of numbers. Decoded first (codecs decode in reverse).
 */
const asBytes: PayloadCodec = {
  encode: async (payloads) => payloads,
  decode: async (payloads) =>
    payloads.map((payload) =>
      payload.data && !(payload.data instanceof Uint8Array)
        ? { ...payload, data: Uint8Array.from(payload.data) }
        : payload,
    ),
};

/** Signed but not encrypted: the history recorder's, since a committed history must replay without a key. */
const signingOnlyConverter = () => ({
  payloadCodecs: [CommandSigningCodec.fromSettings(undefined, testSecrets().commandKeys), asBytes],
  payloadConverterPath,
  failureConverterPath,
});

/**
 * The real Java time-skipping server with the real pathway workflow, whose activities publish to
 * the suite's real Kafka broker. Weeks pass in seconds through `sleep`.
 */
export class PathwayTestEnv {
  private readonly started: string[] = [];

  private constructor(
    readonly env: TestWorkflowEnvironment,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly publisher: EventPublisher,
    readonly taskQueue: string,
  ) {}

  /**
   * Defaults come from the suite's global setup. Payloads are encrypted as in production, except
   * with `plainPayloads` (the history recorder: a committed history must replay without a key).
   */
  static async create(
    options: {
      testServerPath?: string;
      kafkaBrokers?: string;
      workflowsPath?: string;
      plainPayloads?: boolean;
      tracedClient?: boolean;
      /** The Kafka client's and the publisher's retries (a test of Kafka refusing wants its failures quick). */
      kafkaRetry?: RetryOptions;
    } = {},
  ): Promise<PathwayTestEnv> {
    const dataConverter = options.plainPayloads ? signingOnlyConverter() : testDataConverter();
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: options.testServerPath ?? inject('testServerPath') } },
      // `tracedClient`: as the API's client, sending the caller's trace context with each call.
      client: { dataConverter, ...(options.tracedClient ? { interceptors: clientInterceptors() } : {}) },
    });
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    const publisher = new EventPublisher(
      kafkaAs('homeward', {
        brokers: options.kafkaBrokers,
        clientId: 'time-skipping-tests',
        retry: options.kafkaRetry,
      }),
      options.kafkaRetry,
    );
    const taskQueue = uniqueTaskQueue('pathways');
    const worker = await createWorker({
      connection: env.nativeConnection,
      taskQueue,
      dataConverter,
      activities: createActivities({ publisher }),
      workflowsPath: options.workflowsPath,
    });
    return new PathwayTestEnv(env, worker, worker.run(), publisher, taskQueue);
  }

  /** The server's skipped time: a command's proof is signed at the time the pathway lives in. */
  private readonly clock = () => this.env.currentTimeMs();

  async today(offsetDays = 0): Promise<string> {
    return new Date((await this.env.currentTimeMs()) + offsetDays * 86_400_000).toISOString().slice(0, 10);
  }

  async start(
    overrides: Partial<StartPayload> = {},
    options: {
      policy?: Policy;
      continueAsNewAfter?: number;
      continueAsNewAtHistoryLength?: number;
      workflowId?: string;
      actor?: Actor;
    } = {},
  ): Promise<Pathway> {
    const now = await this.env.currentTimeMs();
    const payload = admission({ admittedAt: new Date(now - 3 * 86_400_000).toISOString(), ...overrides });
    const input: PathwayInput = {
      start: { ...payload, type: 'start', at: new Date(now).toISOString() },
      policy: options.policy ?? resolvePolicy('england'),
      patientKey: `key-${payload.admissionId}`,
      continueAsNewAfter: options.continueAsNewAfter,
      continueAsNewAtHistoryLength: options.continueAsNewAtHistoryLength,
      actor: options.actor,
    };
    const handle = await this.env.client.workflow.start<typeof dischargePathway>('dischargePathway', {
      taskQueue: this.taskQueue,
      workflowId: options.workflowId ?? pathwayWorkflowId(payload.admissionId),
      args: [
        input,
        commandProofRequest(
          'start',
          options.workflowId ?? pathwayWorkflowId(payload.admissionId),
          new Date(now).toISOString(),
        ),
      ],
    });
    this.started.push(handle.workflowId);
    return new Pathway(handle, this.clock);
  }

  /**
   * Ends every pathway started here that is still running (call it after each test): one left open
   * would fire its deadlines, escalating and publishing, whenever a later test skips time. Cancelled
   * as the product closes a pathway, not terminated: the test server can lose track of time
   * skipping for a workflow terminated with work in flight, and every later sleep then hangs.
   */
  async endRunning(): Promise<void> {
    const ids = this.started.splice(0);
    for (const id of ids) {
      const handle = this.env.client.workflow.getHandle<typeof dischargePathway>(id);
      if ((await handle.describe()).status.name !== 'RUNNING') continue;
      // Refused when it closed meanwhile (a command of the test's own, still finishing): either way it ends.
      await signedCommand(handle, this.clock, 'cancel', { reason: 'other' }).catch(() => undefined);
      await handle.result();
    }
  }

  sleep(duration: Parameters<TestWorkflowEnvironment['sleep']>[0]): Promise<void> {
    return this.env.sleep(duration);
  }

  async teardown(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.publisher.close();
    await this.env.teardown();
  }
}

/** As the application sends a command: signed (the workflow refuses anything else), with `actor` when given. */
async function signedCommand(
  handle: WorkflowHandle<typeof dischargePathway>,
  clock: () => Promise<number>,
  name: CommandName,
  payload: unknown,
  actor?: Actor,
) {
  const proof = commandProofRequest(name, handle.workflowId, new Date(await clock()).toISOString());
  return handle.executeUpdate(commandUpdate(name), { args: [payload, actor, proof] });
}

export class Pathway {
  constructor(
    readonly handle: WorkflowHandleWithFirstExecutionRunId<typeof dischargePathway>,
    private readonly clock: () => Promise<number>,
  ) {}

  get id(): string {
    return this.handle.workflowId;
  }

  command(name: CommandName, payload: Record<string, unknown> = {}, actor?: Actor) {
    return signedCommand(this.handle, this.clock, name, payload, actor);
  }

  view(): Promise<PathwayView> {
    return this.handle.query(pathwayViewQuery);
  }

  async eventTypes(): Promise<string[]> {
    return (await this.view()).timeline.map((entry) => entry.event.type);
  }
}
