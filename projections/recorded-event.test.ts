import { describe, expect, it } from 'vitest';
import { toCloudEvent } from '../kafka/envelopes';
import { history, start } from '../test/domain/spec';
import { decodeCloudEvent } from './recorded-event';

// The projector reads back exactly what the publisher wrote, actor included.
const [started] = history([start()]);
const actor = { subject: 'nurse-17', role: 'discharge-team' as const, sites: ['LEEDS-GEN', 'SJUH'] };

describe('reading homeward.pathway.events', () => {
  it('a published CloudEvent decodes to the recorded event it came from, with its actor', () => {
    const recorded = { sequence: 1, event: started, actor };
    expect(decodeCloudEvent(JSON.stringify(toCloudEvent('pathway-A1', recorded)))).toEqual({
      ok: true,
      event: { pathwayId: 'pathway-A1', recorded },
    });
    const unattributed = { sequence: 1, event: started };
    expect(decodeCloudEvent(JSON.stringify(toCloudEvent('pathway-A1', unattributed)))).toEqual({
      ok: true,
      event: { pathwayId: 'pathway-A1', recorded: unattributed },
    });
  });

  it('refuses what is not a pathway event, naming the field and never a value', () => {
    const envelope = toCloudEvent('pathway-A1', { sequence: 1, event: started, actor });
    expect(decodeCloudEvent('{not json')).toEqual({ ok: false, reason: 'not JSON' });
    expect(decodeCloudEvent(JSON.stringify({ ...envelope, id: 'pathway-A1/2' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/id is not/),
    });
    const broken = decodeCloudEvent(
      JSON.stringify({
        ...envelope,
        data: { ...envelope.data, patient: { ...(envelope.data.patient as object), nhsNumber: '9434765871' } },
      }),
    );
    expect(broken).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/patient\.nhsNumber: not a valid NHS number/),
    });
    expect(JSON.stringify(broken)).not.toContain('9434765871');
  });
});
