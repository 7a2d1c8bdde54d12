import { defaultPayloadConverter } from '@temporalio/common';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { describe, expect, it } from 'vitest';
import { carriesTraceContext, interceptedMethods } from '../../workflows/tracing-interceptors';

const methodsOf = (kind: { prototype: object }) =>
  Object.getOwnPropertyNames(kind.prototype)
    .filter((name) => name !== 'constructor')
    .sort();

describe('the workflow tracing interceptors', () => {
  // A method the pinned interceptors gained and the list lacks would never be traced; one the
  // list names that they lack would be passed on untouched. Either way the list must follow them.
  it('pass on every method of the OpenTelemetry workflow interceptors', () => {
    expect([...interceptedMethods.inbound].sort()).toEqual(methodsOf(OpenTelemetryInboundInterceptor));
    expect([...interceptedMethods.outbound].sort()).toEqual(methodsOf(OpenTelemetryOutboundInterceptor));
    expect([...interceptedMethods.internals].sort()).toEqual(methodsOf(OpenTelemetryInternalsInterceptor));
  });

  it('trace a pathway only when its start carried a trace context', () => {
    const header = (carrier: unknown) => ({ '_tracer-data': defaultPayloadConverter.toPayload(carrier) });
    expect(
      carriesTraceContext(header({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })),
    ).toBe(true);
    expect(carriesTraceContext(header({}))).toBe(false);
    expect(carriesTraceContext(header({ traceparent: '' }))).toBe(false);
    expect(carriesTraceContext(header(null))).toBe(false);
    expect(carriesTraceContext({})).toBe(false);
    expect(carriesTraceContext(undefined)).toBe(false);
    expect(
      carriesTraceContext({
        '_tracer-data': {
          metadata: { encoding: new TextEncoder().encode('binary/unknown') },
          data: new Uint8Array([1]),
        },
      }),
    ).toBe(false);
  });
});
