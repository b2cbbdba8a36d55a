import { describe, expect, it } from 'vitest';
import { delayAfterFailures, failuresAfterAnother, FREE_FAILURES, MAX_DELAY_SECONDS, secondsUntilAllowed } from './throttle.ts';

describe('sign-in throttle', () => {
  it('lets the first few wrong passwords through without waiting', () => {
    for (let n = 0; n < FREE_FAILURES; n++) expect(delayAfterFailures(n)).toBe(0);
  });

  it('doubles the wait with every further wrong password, up to fifteen minutes', () => {
    expect([3, 4, 5, 6].map(delayAfterFailures)).toEqual([1, 2, 4, 8]);
    expect(delayAfterFailures(40)).toBe(MAX_DELAY_SECONDS);
  });

  it('counts the wait from the last failure', () => {
    const last = new Date('2021-03-08T12:00:00Z');
    expect(secondsUntilAllowed(6, last, new Date('2021-03-08T12:00:03Z'))).toBe(5);
    expect(secondsUntilAllowed(6, last, new Date('2021-03-08T12:00:08Z'))).toBe(0);
  });

  it('forgets failures after a quiet day', () => {
    const last = new Date('2021-03-08T12:00:00Z');
    const nextDay = new Date('2021-03-09T12:00:00Z');
    expect(secondsUntilAllowed(30, last, nextDay)).toBe(0);
    expect(failuresAfterAnother(30, last, nextDay)).toBe(1);
    expect(failuresAfterAnother(30, last, new Date('2021-03-08T13:00:00Z'))).toBe(31);
    expect(failuresAfterAnother(0, null, nextDay)).toBe(1);
  });
});
