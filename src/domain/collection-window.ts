// Where a feed's collection window starts and ends: revision lookback, long backfills in chunks, closed months.
import { addDays, startOfDay } from './calendar.ts';

export interface WindowPolicy {
  /** Days re-read on every run so late readings revise their day (upstream readings arrive up to ~72 h late). */
  lookbackDays: number;
  /** A feed without new readings keeps re-reading from its last reading, but never more than this many days. */
  maxResyncDays: number;
  /** A long backfill commits its deposits and cursor every this many days. */
  chunkDays: number;
}

export const DEFAULT_WINDOW_POLICY: WindowPolicy = { lookbackDays: 3, maxResyncDays: 31, chunkDays: 7 };

export interface CollectionChunk {
  from: Date;
  to: Date;
  /** The last chunk reaches now; earlier ones end on a settled day boundary. */
  final: boolean;
}

/** Where a new (or re-activated) feed starts: the UTC day of its activation. */
export function initialWindowStart(activatedAt: Date): Date {
  return startOfDay(activatedAt);
}

/**
 * The chunks from `start` to `now`: whole settled days (older than the lookback) in chunks of
 * `chunkDays`, each committed with its cursor, then one final chunk up to now.
 */
export function collectionChunks(start: Date, now: Date, policy: WindowPolicy = DEFAULT_WINDOW_POLICY): CollectionChunk[] {
  const settled = startOfDay(addDays(now, -policy.lookbackDays));
  const chunks: CollectionChunk[] = [];
  let from = startOfDay(start);
  while (addDays(from, policy.chunkDays).getTime() <= settled.getTime()) {
    const to = addDays(from, policy.chunkDays);
    chunks.push({ from, to, final: false });
    from = to;
  }
  chunks.push({ from, to: now, final: true });
  return chunks;
}

export interface NextWindowInput {
  /** where this chunk started */
  current: Date;
  /** the chunk's end: `now` for the final chunk */
  chunkEnd: Date;
  final: boolean;
  now: Date;
  /** newest reading the feed has ever had */
  lastReadingAt: Date | null;
  /** first day of the first month, from `current`'s on, that is still open */
  firstOpenDay: Date;
  policy?: WindowPolicy;
}

/**
 * Where the next run re-reads from. A settled chunk moves to its end. After the final chunk: back by
 * the lookback, or to the day of the last reading while a feed is silent (a collection agent that comes
 * back may upload what it buffered), but never further back than maxResyncDays, never backwards, and
 * never inside a closed month — a closed day's revision is carried forward once and never again.
 * (A settled chunk of a backfill moves to its end, closed month or not: each chunk carries its own days.)
 */
export function nextWindowStart(input: NextWindowInput): Date {
  const policy = input.policy ?? DEFAULT_WINDOW_POLICY;
  let next: number;
  if (!input.final) {
    next = input.chunkEnd.getTime();
  } else {
    next = startOfDay(addDays(input.now, -policy.lookbackDays)).getTime();
    if (input.lastReadingAt !== null) next = Math.min(next, startOfDay(input.lastReadingAt).getTime());
    else next = Math.min(next, input.current.getTime());
    next = Math.max(next, startOfDay(addDays(input.now, -policy.maxResyncDays)).getTime());
  }
  // A settled chunk inside a closed month moves on day by day (the next chunk carries its own days);
  // after the final chunk the cursor leaves closed months, so no closed day is carried twice.
  next = Math.max(next, input.current.getTime(), input.final ? input.firstOpenDay.getTime() : 0);
  return new Date(next);
}
