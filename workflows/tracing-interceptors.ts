import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { IllegalStateError, patched, type WorkflowInterceptors } from '@temporalio/workflow';

/** The header Temporal's OpenTelemetry client interceptor puts the caller's trace context in. */
const traceHeader = '_tracer-data';

// Every method of the OpenTelemetry workflow interceptors (1.24.0; test/workflows/tracing-interceptors.test.ts
// checks this list against the classes), so that each can be passed on untouched when not traced.
const inboundMethods = ['execute', 'handleSignal', 'handleUpdate', 'validateUpdate', 'handleQuery'] as const;
const outboundMethods = [
  'scheduleActivity',
  'scheduleLocalActivity',
  'startNexusOperation',
  'startChildWorkflowExecution',
  'continueAsNew',
  'signalWorkflow',
  'getLogAttributes',
  'getMetricTags',
] as const;
const internalsMethods = ['dispose'] as const;
export const interceptedMethods = { inbound: inboundMethods, outbound: outboundMethods, internals: internalsMethods };

type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;

/** Whether a start's headers carry a caller's trace context (the client interceptor sends `{}` when there is none). */
export function carriesTraceContext(headers: Headers | undefined): boolean {
  const payload = headers?.[traceHeader];
  if (!payload) return false;
  try {
    const carrier = defaultPayloadConverter.fromPayload<Record<string, unknown> | null>(payload);
    return typeof carrier?.traceparent === 'string' && carrier.traceparent !== '';
  } catch {
    return false;
  }
}

/**
 * The workflow's OpenTelemetry interceptors, only for pathways that are traced.
 *
 * They wrap each Update's handler in a span, which moves when its completion is recorded against
 * the activity it schedules: a pathway recorded without them does not replay with them (recorded
 * histories p1-goals-met, p1-support-gap-bridged). And their module (OpenTelemetry's API and
 * trace SDK) cannot be preloaded (it keeps a tracer in module state), so the SDK instantiates it
 * again for every cached pathway: 375 KiB of worker RSS per cached pathway and 5 ms of CPU per
 * command (bench memory phase), paid even with tracing off.
 *
 * So whether a pathway is traced is decided once, from what its history holds, and the module is
 * loaded only for one that is:
 * - since patched('opentelemetry-when-traced'): traced if its start carried a trace context,
 *   which it does only when the starting process traces (OTEL_* set) — the start's headers are in
 *   the history, so a replay decides alike;
 * - before it, since patched('opentelemetry-interceptors'): always traced (p1-support-gap-bridged-traced);
 * - older pathways: never.
 * Until the start has been seen (and patched() can be asked), calls go straight on.
 */
export const interceptors = (): WorkflowInterceptors => {
  let traced: boolean | undefined;
  let startTraced: boolean | undefined;
  const tracing = (): boolean => {
    // Not before the start's headers are known (a log line's attributes are asked for first).
    if (startTraced === undefined) return false;
    try {
      return (traced ??= patched('opentelemetry-when-traced') ? startTraced : patched('opentelemetry-interceptors'));
    } catch (error) {
      if (error instanceof IllegalStateError) return false;
      throw error;
    }
  };
  let openTelemetry: Required<WorkflowInterceptors> | undefined;
  const loaded = (): Required<WorkflowInterceptors> => {
    if (!openTelemetry) {
      // Required here, not imported, so that an untraced pathway never instantiates it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module =
        require('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors') as typeof import('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
      const { inbound = [], outbound = [], internals = [] } = module.interceptors();
      openTelemetry = { inbound, outbound, internals };
    }
    return openTelemetry;
  };
  const behindDecision = (kind: keyof typeof interceptedMethods) =>
    Object.fromEntries(
      interceptedMethods[kind].map((name) => {
        const method: Method = (input, next) => {
          if (kind === 'inbound' && name === 'execute')
            startTraced = carriesTraceContext((input as { headers?: Headers }).headers);
          if (!tracing()) return next(input);
          const real = (loaded()[kind][0] as Record<string, Method | undefined>)[name];
          return real ? real.call(loaded()[kind][0], input, next) : next(input);
        };
        return [name, method];
      }),
    );
  return {
    inbound: [behindDecision('inbound')],
    outbound: [behindDecision('outbound')],
    internals: [behindDecision('internals')],
  };
};
