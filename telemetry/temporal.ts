import path from 'node:path';
import { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { tracedSpans } from './tracing';

/**
 * Temporal's OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry, pinned to the
 * SDK's exact version: its workflow interceptors change when an Update's completion is recorded,
 * so a different version could record different histories; workflows/tracing-interceptors.ts).
 * The module is always in the bundle, so the bundle is the same tracing on or off; it traces (and
 * loads OpenTelemetry into the workflow) only the pathways whose start carried a trace context.
 */
export const workflowInterceptorModules = [path.join(__dirname, '..', 'workflows', 'tracing-interceptors.ts')];

/** The client's: a span for each start, Update and signal, its context sent in the call's headers. */
export const clientInterceptors = () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] });

/** The worker's: activities continue the trace the workflow gave them; workflow spans leave the sandbox through a sink. */
export function workerTracing(
  serviceName: string,
  spans: SpanProcessor = tracedSpans,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    // The interceptors' OpenTelemetry 1.x types; tracedSpans takes their spans as they come.
    sinks: {
      exporter: makeWorkflowExporter(
        spans as unknown as Parameters<typeof makeWorkflowExporter>[0],
        new Resource({ 'service.name': serviceName }),
      ),
    },
  };
}
