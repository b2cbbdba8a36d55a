// Deposits: pages an account printed on a day, counted in standard pages and in the monthly roll-up.
import crypto from 'node:crypto';
import { addMonthlyPages } from '../accounts/figures.ts';
import { getPaperType } from '../catalog/paper-types.ts';
import type { Database, Queryable } from '../db/database.ts';
import { FIRST_LEDGER_DAY, formatDay, monthKey, parseInstant } from '../domain/calendar.ts';
import { toPlainString } from '../domain/decimal.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import { parsePaperItem, requirePages, standardPagesOf } from '../domain/paper.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { rangeCondition, type InstantRange } from './date-range.ts';
import { recordDepositEvent } from '../outbound/record-events.ts';
import { isMonthClosedForWrite, lockLedgerAccount, requireActiveAccount } from './ledger-guards.ts';

export interface DepositRow {
  id: string;
  account_id: string;
  feed_id: string | null;
  date: Date;
  pages: number;
  /** exact numeric text */
  width: string;
  length: string;
  density: number;
  paper_type_id: string | null;
  standard_pages: number;
  transaction_id: string | null;
}

const SELECT_DEPOSIT = `SELECT id, account_id, feed_id, date, pages, width::text AS width, length::text AS length, density,
    paper_type_id, standard_pages, transaction_id FROM deposits`;

/** Reverse-chronological by date. */
export async function listDeposits(db: Queryable, account: AccountRef, range: InstantRange, page: PageRequest): Promise<DepositRow[]> {
  const limit = limitClause(page, 4);
  return db.query<DepositRow>(
    `${SELECT_DEPOSIT} WHERE account_id = $1 AND ${rangeCondition('date', 2)}
      ORDER BY date DESC, id ${limit.sql}`,
    [account.id, range.from, range.until, ...limit.params],
  );
}

export async function getDeposit(db: Queryable, account: AccountRef, id: string): Promise<DepositRow> {
  const rows = await db.query<DepositRow>(`${SELECT_DEPOSIT} WHERE id = $1 AND account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Deposit');
  return rows[0];
}

/** A deposit as a client sends it; null means "not given". */
export interface DepositInput {
  pages: unknown;
  date?: string | null;
  width?: number | string | null;
  length?: number | string | null;
  height?: number | string | null;
  density?: number | null;
  paper_type_id?: string | null;
}

function closedMonthMessage(month: string, day: string): string {
  return `month ${month} is closed: nothing new may be dated into it (date ${day}); date the deposit into an open month`;
}

/**
 * Validates, computes standard pages with the paper rules, and records the deposit and its roll-up in
 * one DB transaction that holds the account lock, so a concurrent month close either sees it or
 * closes the month first and this is refused.
 */
export async function createDeposit(db: Database, account: AccountRef, input: DepositInput, now: Date): Promise<DepositRow> {
  const pages = requirePages(input.pages);
  const date = input.date === undefined || input.date === null ? now : parseInstant(input.date, 'date');
  if (date.getTime() > now.getTime()) throw new InvalidInput('date', 'must not be in the future');
  if (formatDay(date) < FIRST_LEDGER_DAY) throw new InvalidInput('date', `must be on or after ${FIRST_LEDGER_DAY}`);
  const paperTypeId = input.paper_type_id ?? null;

  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    const locked = await lockLedgerAccount(tx, account.id);
    requireActiveAccount(locked, 'deposits');
    let density = input.density ?? null;
    if (paperTypeId !== null) {
      // A default type or the account's own (the catalog's visibility rule); 404 otherwise.
      const typeDensity = (await getPaperType(tx, account, paperTypeId)).density;
      if (density !== null && density !== typeDensity) {
        throw new InvalidInput('density', `conflicts with paper_type_id (${typeDensity} g/m²); give one of them`);
      }
      density = typeDensity;
    }
    const paper = parsePaperItem({ quantity: pages, width: input.width, length: input.length, height: input.height, density }, '', 'pages');
    const month = monthKey(date);
    const day = formatDay(date);
    if (await isMonthClosedForWrite(tx, month)) throw new Conflict(closedMonthMessage(month, day));
    const standardPages = standardPagesOf(paper);
    await tx.query(
      `INSERT INTO deposits (id, account_id, feed_id, date, day, pages, width, length, density, paper_type_id, standard_pages, created_at)
       VALUES ($1, $2, NULL, $3, $4::date, $5, $6::numeric, $7::numeric, $8, $9, $10, $11)`,
      [id, locked.id, date, day, pages, toPlainString(paper.width), toPlainString(paper.length), paper.density, paperTypeId, standardPages, now],
    );
    await addMonthlyPages(tx, locked.path, day, standardPages);
    await recordDepositEvent(tx, 'deposit.created', id);
  });
  return getDeposit(db, account, id);
}

/** Deletes an unlocked deposit and takes its pages out of the roll-up, atomically. */
export async function deleteDeposit(db: Database, account: AccountRef, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const locked = await lockLedgerAccount(tx, account.id);
    const rows = await tx.query<{ day: string; standard_pages: number; transaction_id: string | null }>(
      `SELECT day::text AS day, standard_pages, transaction_id FROM deposits WHERE id = $1 AND account_id = $2 FOR UPDATE`,
      [id, locked.id],
    );
    if (rows.length === 0) throw new NotFound('Deposit');
    const deposit = rows[0];
    const month = deposit.day.slice(0, 7);
    if (deposit.transaction_id !== null) {
      throw new Conflict(
        `deposit is locked: month ${month} was closed into transaction ${deposit.transaction_id}, so it can no longer be deleted`,
      );
    }
    if (await isMonthClosedForWrite(tx, month)) {
      throw new Conflict(`deposit is locked: month ${month} is closed, so it can no longer be deleted`);
    }
    await recordDepositEvent(tx, 'deposit.deleted', id);
    await tx.query(`DELETE FROM deposits WHERE id = $1`, [id]);
    await addMonthlyPages(tx, locked.path, deposit.day, -deposit.standard_pages);
  });
}
