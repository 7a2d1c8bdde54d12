import { describe, expect, it } from 'vitest';
import { runHistoryLimit } from '../app/pathway-workflows';

describe('the history length at which a pathway continues as new', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `pathway-A${String(i).padStart(6, '0')}`);
  const limits = ids.map(runHistoryLimit);

  it('is between 120 and 239 events, and the same each time for a pathway', () => {
    for (const limit of limits) {
      expect(Number.isInteger(limit)).toBe(true);
      expect(limit).toBeGreaterThanOrEqual(120);
      expect(limit).toBeLessThanOrEqual(239);
    }
    expect(ids.map(runHistoryLimit)).toEqual(limits);
  });

  it('spreads pathways admitted together (ids one character apart) over the whole range', () => {
    // Ten bands of 12 events: a hash that bunched them would leave some nearly empty.
    const bands = Array.from({ length: 10 }, (_, band) => limits.filter((l) => Math.floor((l - 120) / 12) === band));
    for (const band of bands) expect(band.length).toBeGreaterThan(2000 / 10 / 2);
  });
});
