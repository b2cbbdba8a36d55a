// Month close: every active account's unlocked deposits of a month become one transaction and certificate.
import type { Database, Queryable } from '../db/database.ts';
import { addDays, addMonths, formatDay, isMonthClosable, lastClosableMonth, monthEnd, monthLastSecond, monthStart, parseMonth, type MonthKey } from '../domain/calendar.ts';
import { toPlainString } from '../domain/decimal.ts';
import { Conflict } from '../domain/errors.ts';
import { treesFromStandardPages } from '../domain/paper.ts';
import { certificateProjectsFor } from '../catalog/project-choice.ts';
import { lockMonthForClose } from './ledger-guards.ts';
import { insertTransactionsWithCertificates } from './transactions-service.ts';

export interface CloseMonthOptions {
  clock: () => Date;
  graceDays: number;
  /** Progress lines for the terminal and the logs. */
  log?: (line: string) => void;
  /** Accounts settled per database transaction; a failing batch is retried account by account. */
  batchSize?: number;
  /** Test hook: called inside each database transaction after its transactions are written. */
  failpoint?: (accountIds: string[]) => void;
}

export interface CloseMonthResult {
  month: MonthKey;
  accountsClosed: number;
  pages: number;
  failures: Array<{ accountId: string; error: string }>;
  seconds: number;
}

/** Accounts with unlocked deposits in the month, active ones only (deactivation stops month close). */
async function accountsToClose(db: Queryable, month: MonthKey): Promise<string[]> {
  const rows = await db.query<{ account_id: string }>(
    `SELECT DISTINCT d.account_id FROM deposits d JOIN accounts a ON a.id = d.account_id
      WHERE d.transaction_id IS NULL AND d.day >= $1::date AND d.day < $2::date AND a.status = 'active'
      ORDER BY d.account_id`,
    [formatDay(monthStart(month)), formatDay(monthEnd(month))],
  );
  return rows.map((r) => r.account_id);
}

/** Settles a set of accounts in one database transaction: all of them, or none. */
async function settle(tx: Queryable, month: MonthKey, accountIds: string[], now: Date, failpoint?: (ids: string[]) => void) {
  // The same row lock every deposit write takes: no deposit can slip into the month while we sum it.
  await tx.query(`SELECT id FROM accounts WHERE id = ANY($1::uuid[]) AND status = 'active' ORDER BY id FOR UPDATE`, [accountIds]);
  const sums = await tx.query<{ account_id: string; pages: string }>(
    `SELECT d.account_id, sum(d.standard_pages)::text AS pages FROM deposits d JOIN accounts a ON a.id = d.account_id
      WHERE d.account_id = ANY($1::uuid[]) AND a.status = 'active' AND d.transaction_id IS NULL
        AND d.day >= $2::date AND d.day < $3::date
        AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = d.account_id AND t.kind = 'month_close' AND t.period = $2::date)
      GROUP BY d.account_id`,
    [accountIds, formatDay(monthStart(month)), formatDay(monthEnd(month))],
  );
  if (sums.length === 0) return { accounts: 0, pages: 0 };
  const projects = await certificateProjectsFor(tx, sums.map((s) => s.account_id));
  const period = formatDay(monthStart(month));
  const date = new Date(monthLastSecond(month));
  const rows = sums.map((s) => {
    const projectId = projects.get(s.account_id);
    if (!projectId) throw new Conflict('no active forestry project to plant in');
    // Exact: summed in SQL, carried as BigInt (a month of one account is never rounded through a double).
    const pages = BigInt(s.pages);
    return {
      accountId: s.account_id, projectId, kind: 'month_close' as const, period, date, pages,
      trees: toPlainString(treesFromStandardPages(pages)), billedAt: now, createdAt: now,
    };
  });
  const ids = await insertTransactionsWithCertificates(tx, rows);
  const accounts = rows.map((r) => r.accountId);
  failpoint?.(accounts);
  await tx.query(
    `UPDATE deposits d SET transaction_id = t.id
       FROM unnest($1::uuid[], $2::uuid[]) AS t(id, account_id)
      WHERE d.account_id = t.account_id AND d.transaction_id IS NULL AND d.day >= $3::date AND d.day < $4::date`,
    [ids, accounts, period, formatDay(monthEnd(month))],
  );
  return { accounts: accounts.length, pages: Number(rows.reduce((total, r) => total + r.pages, 0n)) };
}

export async function closeMonth(db: Database, month: MonthKey, options: CloseMonthOptions): Promise<CloseMonthResult> {
  parseMonth(month);
  const now = options.clock();
  if (!isMonthClosable(month, now, options.graceDays)) {
    throw new Conflict(
      `month ${month} cannot close before ${formatDay(addDays(monthEnd(month), options.graceDays))} (it must end and ${options.graceDays} grace day(s) must pass)`,
    );
  }
  const log = options.log ?? (() => {});
  const started = performance.now();
  // From here on nothing new may be dated into the month; collectors carry late pages forward.
  // The exclusive month lock waits for deposit writes that already found the month open.
  await db.transaction(async (tx) => {
    await lockMonthForClose(tx, month);
    await tx.query(`INSERT INTO closed_months (month, closed_at) VALUES ($1::date, $2) ON CONFLICT (month) DO NOTHING`, [
      formatDay(monthStart(month)),
      now,
    ]);
  });
  const candidates = await accountsToClose(db, month);
  const result: CloseMonthResult = { month, accountsClosed: 0, pages: 0, failures: [], seconds: 0 };
  log(`month ${month}: ${candidates.length} account(s) with unlocked deposits`);
  const batchSize = options.batchSize ?? 500;
  let lastReport = performance.now();
  for (let i = 0; i < candidates.length; i += batchSize) {
    const batch = candidates.slice(i, i + batchSize);
    try {
      const done = await db.transaction((tx) => settle(tx, month, batch, now, options.failpoint));
      result.accountsClosed += done.accounts;
      result.pages += done.pages;
    } catch {
      // Isolate the failing account(s): every other account of the batch still closes, each all-or-nothing.
      for (const accountId of batch) {
        try {
          const done = await db.transaction((tx) => settle(tx, month, [accountId], now, options.failpoint));
          result.accountsClosed += done.accounts;
          result.pages += done.pages;
        } catch (error) {
          result.failures.push({ accountId, error: (error as Error).message });
          log(`month ${month}: account ${accountId} not closed: ${(error as Error).message}`);
        }
      }
    }
    const processed = Math.min(i + batchSize, candidates.length);
    if (performance.now() - lastReport > 2000 || processed === candidates.length) {
      lastReport = performance.now();
      const seconds = (performance.now() - started) / 1000;
      log(`month ${month}: ${processed}/${candidates.length} accounts processed (${(processed / Math.max(seconds, 0.001)).toFixed(0)}/s)`);
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  log(
    `month ${month}: closed ${result.accountsClosed} account(s), ${result.pages} standard pages, ${result.failures.length} failure(s) in ${result.seconds.toFixed(1)}s`,
  );
  return result;
}

/** Every month that has ended (plus grace) and still holds unlocked deposits of active accounts, oldest first. */
export async function dueMonths(db: Queryable, now: Date, graceDays: number): Promise<MonthKey[]> {
  const last = lastClosableMonth(now, graceDays);
  const rows = await db.query<{ month: string }>(
    `SELECT DISTINCT to_char(d.day, 'YYYY-MM') AS month FROM deposits d JOIN accounts a ON a.id = d.account_id
      WHERE d.transaction_id IS NULL AND a.status = 'active' AND d.day < $1::date ORDER BY 1`,
    [formatDay(monthStart(addMonths(last, 1)))],
  );
  return rows.map((r) => r.month);
}

/** What the daily job and `canopy close-month` without --month do: close every due month. */
export async function closeDueMonths(db: Database, options: CloseMonthOptions): Promise<CloseMonthResult[]> {
  const months = await dueMonths(db, options.clock(), options.graceDays);
  if (months.length === 0) options.log?.('no month is due to close');
  const results: CloseMonthResult[] = [];
  for (const month of months) results.push(await closeMonth(db, month, options));
  return results;
}
