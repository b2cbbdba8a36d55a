// start_date/end_date list filters: inclusive UTC days turned into a half-open instant range.
import { addDays, parseLedgerDay } from '../domain/calendar.ts';
import { InvalidInput } from '../domain/errors.ts';

export interface InstantRange {
  /** First instant included, or null. */
  from: Date | null;
  /** First instant excluded (midnight after end_date), or null. */
  until: Date | null;
}

export function dayRange(query: { start_date?: string; end_date?: string }): InstantRange {
  const from = query.start_date === undefined ? null : parseLedgerDay(query.start_date, 'start_date');
  const last = query.end_date === undefined ? null : parseLedgerDay(query.end_date, 'end_date');
  if (from && last && last < from) throw new InvalidInput('end_date', 'must be on or after start_date');
  return { from, until: last ? addDays(last, 1) : null };
}

/**
 * SQL condition keeping `column` inside the range, with the range's bounds as parameters $first and
 * $first+1 (pass `range.from, range.until` there); a missing bound does not filter.
 */
export function rangeCondition(column: string, first: number): string {
  return `($${first}::timestamptz IS NULL OR ${column} >= $${first}) AND ($${first + 1}::timestamptz IS NULL OR ${column} < $${first + 1})`;
}
