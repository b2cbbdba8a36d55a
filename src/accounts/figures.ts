// Page and tree figures of an account and its descendants, read from the monthly subtree roll-up.
import type { Queryable } from '../db/database.ts';

export interface AccountFigures {
  mtd_pages: number;
  qtd_pages: number;
  ytd_pages: number;
  ltd_pages: number;
  mtd_trees: number;
  qtd_trees: number;
  ytd_trees: number;
  ltd_trees: number;
}

/** Trees for standard pages (8333⅓ pages a tree), exact, rounded half-up at `decimals`. */
export function roundedTrees(pages: number, decimals: number): number {
  // trees = pages x 3 / 25000 exactly; scale so one integer division rounds at the wanted place.
  const scale = 10n ** BigInt(decimals);
  const numerator = BigInt(pages) * 3n * scale;
  const rounded = (numerator * 2n + 25000n) / 50000n;
  return Number(rounded) / Number(scale);
}

export const ZERO_FIGURES: AccountFigures = {
  mtd_pages: 0, qtd_pages: 0, ytd_pages: 0, ltd_pages: 0,
  mtd_trees: 0, qtd_trees: 0, ytd_trees: 0, ltd_trees: 0,
};

export function periodStarts(now: Date): { month: string; quarter: string; year: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const pad = (n: number) => String(n + 1).padStart(2, '0');
  return { month: `${y}-${pad(m)}-01`, quarter: `${y}-${pad(m - (m % 3))}-01`, year: `${y}-01-01` };
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

export function figuresFromTotals(r: FigureTotals): AccountFigures {
  const [mtd, qtd, ytd, ltd] = [r.mtd, r.qtd, r.ytd, r.ltd].map(Number);
  return {
    mtd_pages: mtd, qtd_pages: qtd, ytd_pages: ytd, ltd_pages: ltd,
    mtd_trees: roundedTrees(mtd, 2), qtd_trees: roundedTrees(qtd, 2),
    ytd_trees: roundedTrees(ytd, 2), ltd_trees: roundedTrees(ltd, 2),
  };
}

/** Figures for many accounts in one query: the roll-up already includes each account's descendants. */
export async function figuresFor(db: Queryable, accountIds: string[], now: Date): Promise<Map<string, AccountFigures>> {
  const out = new Map<string, AccountFigures>();
  if (accountIds.length === 0) return out;
  const s = periodStarts(now);
  const rows = await db.query<{ account_id: string } & FigureTotals>(
    `SELECT account_id, ${figureSums('$2', '$3', '$4')}
       FROM account_monthly_pages WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`,
    [accountIds, s.month, s.quarter, s.year],
  );
  for (const id of accountIds) out.set(id, ZERO_FIGURES);
  for (const r of rows) out.set(r.account_id, figuresFromTotals(r));
  return out;
}

/** Ids of the account and all its ancestors, root first, from its materialised path. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/**
 * Adds (or with a negative count, removes) standard pages in a month for an account and every ancestor.
 * Call it inside the transaction that writes the ledger row, so figures never drift from the ledger.
 */
export async function addMonthlyPages(tx: Queryable, accountPath: string, month: string, standardPages: number): Promise<void> {
  if (standardPages === 0) return;
  await tx.query(
    `INSERT INTO account_monthly_pages (account_id, month, standard_pages)
     SELECT id::uuid, date_trunc('month', $2::date)::date, $3::bigint FROM unnest($1::text[]) AS id
     ON CONFLICT (account_id, month) DO UPDATE SET standard_pages = account_monthly_pages.standard_pages + EXCLUDED.standard_pages`,
    [pathIds(accountPath), month, standardPages],
  );
}
