// The locks and checks every ledger write goes through: the account row lock, closed months, active accounts.
import type { Queryable } from '../db/database.ts';
import { monthKey, type MonthKey } from '../domain/calendar.ts';
import { Conflict, NotFound } from '../domain/errors.ts';

export interface LockedAccount {
  id: string;
  path: string;
  status: 'active' | 'inactive';
  display_name: string;
}

/**
 * Locks the account row for the rest of the DB transaction. Month close takes the same lock before it
 * gathers an account's deposits, so a write that then finds its month open cannot race a close of it.
 */
export async function lockLedgerAccount(tx: Queryable, accountId: string): Promise<LockedAccount> {
  const rows = await tx.query<LockedAccount>(
    `SELECT id, path, status, display_name FROM accounts WHERE id = $1 FOR UPDATE`,
    [accountId],
  );
  if (rows.length === 0) throw new NotFound('Account');
  return rows[0];
}

/** Deactivation stops collection and month close, so new ledger entries would never be settled: refuse them. */
export function requireActiveAccount(account: LockedAccount, what: 'deposits' | 'transactions'): void {
  if (account.status !== 'active') {
    throw new Conflict(`account is inactive: ${what} are refused until an ancestor account activates it again`);
  }
}

/** 'YYYY-MM-01' of the UTC month `date` falls in: the key of closed_months and the roll-up. */
export function monthFirstDay(date: Date): string {
  return `${monthKey(date)}-01`;
}

export async function isMonthClosed(tx: Queryable, month: MonthKey): Promise<boolean> {
  const rows = await tx.query(`SELECT 1 FROM closed_months WHERE month = $1::date`, [`${month}-01`]);
  return rows.length > 0;
}

/**
 * A ledger write dated in `month` holds this shared lock until it commits; month close takes it exclusively
 * (lockMonthForClose) in the transaction that inserts closed_months. So the close waits for writes already
 * past their check, and every later write sees the month closed: none lands unseen after close's scan.
 */
export async function isMonthClosedForWrite(tx: Queryable, month: MonthKey): Promise<boolean> {
  await tx.query(`SELECT pg_advisory_xact_lock_shared(hashtext($1))`, [`canopy:month:${month}`]);
  return isMonthClosed(tx, month);
}

/** Month close: call inside the DB transaction that inserts the closed_months row (see isMonthClosedForWrite). */
export async function lockMonthForClose(tx: Queryable, month: MonthKey): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`canopy:month:${month}`]);
}
