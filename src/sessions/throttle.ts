// How long a sign-in must wait after wrong passwords for the same email: pure, so it is tested directly.

/** Wrong passwords allowed in a row before sign-in for that email slows down. */
export const FREE_FAILURES = 3;
/** The longest wait between attempts. */
export const MAX_DELAY_SECONDS = 15 * 60;
/** A quiet day forgets the count. */
export const FORGET_AFTER_SECONDS = 24 * 60 * 60;

/** Seconds to wait after the last failure before another attempt is heard: 0, then 1, 2, 4, … up to 15 min. */
export function delayAfterFailures(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES));
}

/** Seconds left before the next attempt, or 0 when one may be made now. */
export function secondsUntilAllowed(failures: number, lastFailureAt: Date, now: Date): number {
  const elapsed = (now.getTime() - lastFailureAt.getTime()) / 1000;
  if (elapsed >= FORGET_AFTER_SECONDS) return 0;
  return Math.max(0, Math.ceil(delayAfterFailures(failures) - elapsed));
}

/** The count after one more failure: a failure after a quiet day starts counting again. */
export function failuresAfterAnother(failures: number, lastFailureAt: Date | null, now: Date): number {
  if (!lastFailureAt || (now.getTime() - lastFailureAt.getTime()) / 1000 >= FORGET_AFTER_SECONDS) return 1;
  return failures + 1;
}
