// Page and tree figures of an account and its descendants, read from the monthly subtree roll-up.
import type { Queryable } from '../db/database.ts';
import { formatDay, monthKey, monthStart, quarterStart, yearStart } from '../domain/calendar.ts';
import { treesForJson, treesFromStandardPages } from '../domain/paper.ts';

/** Pages are exact BigInts (a tree's total may pass 2^53); trees are rounded for JSON. */
export interface AccountFigures {
  mtd_pages: bigint;
  qtd_pages: bigint;
  ytd_pages: bigint;
  ltd_pages: bigint;
  mtd_trees: number;
  qtd_trees: number;
  ytd_trees: number;
  ltd_trees: number;
}

/** First days (YYYY-MM-DD) of the UTC month, quarter and year that `now` falls in. */
export function periodStarts(now: Date): { month: string; quarter: string; year: string } {
  return { month: formatDay(monthStart(monthKey(now))), quarter: formatDay(quarterStart(now)), year: formatDay(yearStart(now)) };
}

/** Aggregates of account_monthly_pages rows: month, quarter and year starts are the given parameters. */
export function figureSums(month: string, quarter: string, year: string): string {
  return `coalesce(sum(standard_pages) FILTER (WHERE month = ${month}::date), 0)::text AS mtd,
    coalesce(sum(standard_pages) FILTER (WHERE month >= ${quarter}::date AND month <= ${month}::date), 0)::text AS qtd,
    coalesce(sum(standard_pages) FILTER (WHERE month >= ${year}::date AND month <= ${month}::date), 0)::text AS ytd,
    coalesce(sum(standard_pages), 0)::text AS ltd`;
}

export interface FigureTotals {
  mtd: string;
  qtd: string;
  ytd: string;
  ltd: string;
}

const accountTrees = (pages: bigint) => treesForJson(treesFromStandardPages(pages), 'account');

/** Totals come as exact numeric text (never through a JS number). */
export function figuresFromTotals(r: FigureTotals): AccountFigures {
  const [mtd, qtd, ytd, ltd] = [r.mtd, r.qtd, r.ytd, r.ltd].map((text) => BigInt(text));
  return {
    mtd_pages: mtd, qtd_pages: qtd, ytd_pages: ytd, ltd_pages: ltd,
    mtd_trees: accountTrees(mtd), qtd_trees: accountTrees(qtd),
    ytd_trees: accountTrees(ytd), ltd_trees: accountTrees(ltd),
  };
}

/** Ids of the account and all its ancestors, root first, from its materialised path. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/**
 * Adds (or with a negative count, removes) standard pages in a month for an account and every ancestor.
 * Call it inside the transaction that writes the ledger row, so figures never drift from the ledger.
 */
export async function addMonthlyPages(
  tx: Queryable,
  accountPath: string,
  month: string,
  standardPages: number | bigint,
): Promise<void> {
  if (standardPages === 0 || standardPages === 0n) return;
  // numeric, passed as text: the sum is exact however large a tree's month grows.
  await tx.query(
    `INSERT INTO account_monthly_pages (account_id, month, standard_pages)
     SELECT id::uuid, date_trunc('month', $2::date)::date, $3::numeric FROM unnest($1::text[]) AS id
     ON CONFLICT (account_id, month) DO UPDATE SET standard_pages = account_monthly_pages.standard_pages + EXCLUDED.standard_pages`,
    [pathIds(accountPath), month, String(standardPages)],
  );
}
