// Volume: standard pages per UTC month of an account and its descendants, read from the monthly roll-up.
import type { Queryable } from '../db/database.ts';
import { addMonths, monthKey, monthsBetween, parseLedgerDay, type MonthKey } from '../domain/calendar.ts';
import type { Decimal } from '../domain/decimal.ts';
import { InvalidInput } from '../domain/errors.ts';
import { treesFromStandardPages } from '../domain/paper.ts';

export interface VolumeBucket {
  month: MonthKey;
  /** exact: a tree's month may pass 2^53 */
  pages: bigint;
  trees: Decimal;
}

/** A chart over more than a century is a typing error, not a request. */
export const MAX_VOLUME_MONTHS = 1200;

/**
 * Monthly buckets, chronological, with a zero bucket for every month without pages in the range, so a
 * chart needs no gap filling. The range is the months containing start_date and end_date; without
 * start_date it starts at the first month with pages, without end_date it ends with the current month.
 * With no pages and no start_date the answer is empty.
 */
export async function monthlyVolume(
  db: Queryable,
  accountId: string,
  query: { start_date?: string; end_date?: string },
  now: Date,
): Promise<VolumeBucket[]> {
  const first = query.start_date === undefined ? null : monthKey(parseLedgerDay(query.start_date, 'start_date'));
  const last = query.end_date === undefined ? monthKey(now) : monthKey(parseLedgerDay(query.end_date, 'end_date'));
  if (first !== null && last < first) throw new InvalidInput('end_date', 'must be on or after start_date');
  if (first !== null && addMonths(first, MAX_VOLUME_MONTHS) <= last) {
    throw new InvalidInput('end_date', `must be within ${MAX_VOLUME_MONTHS} months of start_date`);
  }

  const rows = await db.query<{ month: string; pages: string }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, standard_pages::text AS pages FROM account_monthly_pages
      WHERE account_id = $1 AND standard_pages <> 0 AND ($2::date IS NULL OR month >= $2::date) AND month <= $3::date
      ORDER BY month`,
    [accountId, first === null ? null : `${first}-01`, `${last}-01`],
  );
  const pagesByMonth = new Map(rows.map((r) => [r.month, BigInt(r.pages)]));
  let start = first ?? rows[0]?.month;
  if (start === undefined) return [];
  // Without start_date, the oldest data bounds the range, but never beyond the cap.
  if (first === null && addMonths(start, MAX_VOLUME_MONTHS) <= last) start = addMonths(last, 1 - MAX_VOLUME_MONTHS);
  return monthsBetween(start, last).map((month) => {
    const pages = pagesByMonth.get(month) ?? 0n;
    return { month, pages, trees: treesFromStandardPages(pages) };
  });
}
