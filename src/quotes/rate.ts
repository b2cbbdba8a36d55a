// The price per standard page an account pays: its own rate, else the nearest ancestor's, else the default.
import type { Queryable } from '../db/database.ts';
import { pathIds } from '../accounts/figures.ts';
import { decimal, toPlainString } from '../domain/decimal.ts';

/** Exact decimal text (e.g. "0.0003") of the rate for the account at `accountPath`. */
export async function rateFor(db: Queryable, accountPath: string, defaultRate: string): Promise<string> {
  const rows = await db.query<{ rate: string }>(
    `SELECT rate::text AS rate FROM accounts WHERE id = ANY($1::uuid[]) AND rate IS NOT NULL ORDER BY length(path) DESC LIMIT 1`,
    [pathIds(accountPath)],
  );
  return toPlainString(decimal(rows[0]?.rate ?? defaultRate));
}
