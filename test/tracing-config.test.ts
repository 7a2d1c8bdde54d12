import { describe, expect, it } from 'vitest';
import { tracingRequested } from '../telemetry/tracing';

describe('tracing is on only when the OTEL_* environment asks for it', () => {
  it('is off with no OpenTelemetry setting (npm start, the tests)', () => {
    expect(tracingRequested({})).toBe(false);
  });
  it('is on with an exporter named or an OTLP endpoint given', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  });
  it('stays off when the exporter is none or the SDK is disabled', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });
});
