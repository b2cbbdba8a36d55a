// When a failed webhook delivery is tried again: exponential backoff with jitter, for at most three days.

/** Deliveries (and endpoints) that keep failing this long are given up (and disabled). */
export const RETRY_PERIOD_MS = 3 * 24 * 3_600_000;
const FIRST_DELAY_MS = 30_000;
const LONGEST_DELAY_MS = 6 * 3_600_000;

/**
 * The delay after the `attempt`-th failure (1-based): 30 s doubling to at most 6 h, each scaled by a
 * random factor in [0.5, 1) so receivers coming back from an outage are not hit by every sender at once.
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(LONGEST_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** The next attempt after a failure, or null when it would fall past the retry period. */
export function nextAttemptAt(attempt: number, periodStartedAt: Date, now: Date, random: () => number): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(attempt, random));
  return next.getTime() - periodStartedAt.getTime() > RETRY_PERIOD_MS ? null : next;
}
