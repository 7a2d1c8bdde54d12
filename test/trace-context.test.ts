import { describe, expect, it } from 'vitest';
import { reasonCode } from '../health/metrics';
import { traceIdOf, traceparentOf } from '../telemetry/trace-context';

describe('trace context on Kafka messages', () => {
  it('reads a trace id only from a valid W3C traceparent', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    for (const bad of [
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '4bf92f3577b34da6a3ce929d0e0e4736',
      42,
      undefined,
    ]) {
      expect(traceIdOf(bad), String(bad)).toBeUndefined();
    }
  });

  it('takes the traceparent header, then the CloudEvents binary header, then the structured event’s attribute', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `00-${x.repeat(32)}-${'1'.repeat(16)}-01`);
    expect(traceparentOf({ traceparent: Buffer.from(a), ce_traceparent: b }, { traceparent: c })).toBe(a);
    expect(traceparentOf({ traceparent: 'garbage', ce_traceparent: b }, { traceparent: c })).toBe(b);
    expect(traceparentOf({}, { traceparent: c })).toBe(c);
    expect(traceparentOf(undefined, undefined)).toBeUndefined();
  });
});

describe('a dead letter’s reason as a metric label', () => {
  it('is the code before the first colon, or `other`: never the text that follows', () => {
    expect(reasonCode('unknown_referral: referralId: no referral ref-1 of yours on this pathway')).toBe(
      'unknown_referral',
    );
    expect(reasonCode('invalid: not JSON')).toBe('invalid');
    expect(reasonCode('unexpected topic homeward.x')).toBe('other');
    expect(reasonCode('Not_A_Code: x')).toBe('other');
  });
});
