import { IllegalStateError, patched, type WorkflowInterceptors } from '@temporalio/workflow';
import { interceptors as openTelemetry } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';

/**
 * The workflow's OpenTelemetry interceptors, for pathways started since they were added. They
 * wrap each Update's handler in a span, which moves when its completion is recorded against the
 * activity it schedules: a pathway recorded without them does not replay with them (recorded
 * histories p1-goals-met, p1-support-gap-bridged). So each call asks patched(), once the workflow
 * has started (patched() cannot be asked earlier), and an older pathway's calls go straight on.
 */
export const interceptors = (): WorkflowInterceptors => {
  let traced: boolean | undefined;
  const tracing = () => {
    try {
      return (traced ??= patched('opentelemetry-interceptors'));
    } catch (error) {
      if (error instanceof IllegalStateError) return false;
      throw error;
    }
  };
  const behindPatch = <T extends object>(interceptor: T): T =>
    new Proxy(interceptor, {
      get(target, key) {
        const method: unknown = Reflect.get(target, key);
        if (typeof method !== 'function') return method;
        return (input: unknown, next: (input: unknown) => unknown) => (tracing() ? method.call(target, input, next) : next(input));
      },
    });
  const { inbound = [], outbound = [], internals = [] } = openTelemetry();
  return { inbound: inbound.map(behindPatch), outbound: outbound.map(behindPatch), internals: internals.map(behindPatch) };
};
