// The retry schedule of webhook deliveries: exponential with jitter, capped, and bounded to three days.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextAttemptAt, retryDelayMs, RETRY_PERIOD_MS } from './backoff.ts';

describe('webhook backoff', () => {
  it('doubles from 30 s to at most 6 h, scaled by a jitter factor from 0.5 to 1', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, () => 0))).toEqual([15_000, 30_000, 60_000, 120_000]);
    expect(retryDelayMs(1, () => 0.999)).toBeLessThan(30_000);
    expect(retryDelayMs(40, () => 0)).toBe(3 * 3_600_000);
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const delay = retryDelayMs(attempt, () => r);
      const ceiling = Math.min(6 * 3_600_000, 30_000 * 2 ** Math.min(attempt - 1, 30));
      return delay >= ceiling / 2 && delay <= ceiling;
    }));
  });

  it('stops scheduling once the next attempt would fall past three days from the start of the period', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const nearEnd = new Date(start.getTime() + RETRY_PERIOD_MS - 60_000);
    expect(nextAttemptAt(1, start, start, () => 0)).toEqual(new Date(start.getTime() + 15_000));
    expect(nextAttemptAt(12, start, nearEnd, () => 0)).toBeNull();
    // Every schedule from the start ends within three days and takes a dozen or more attempts.
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
      let now = start;
      let attempts = 1;
      for (let next = nextAttemptAt(attempts, start, now, () => r); next; next = nextAttemptAt(++attempts, start, now, () => r)) now = next;
      return now.getTime() - start.getTime() <= RETRY_PERIOD_MS && attempts >= 12;
    }));
  });
});
