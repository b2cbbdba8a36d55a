// Transactions: paper exchanged for trees, each with its certificate; direct ones count in the roll-up.
import crypto from 'node:crypto';
import { addMonthlyPages } from '../accounts/figures.ts';
import { certificateProjectFor } from '../catalog/project-choice.ts';
import type { Database, Queryable } from '../db/database.ts';
import { formatDay, monthKey } from '../domain/calendar.ts';
import { toPlainString } from '../domain/decimal.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import { requirePages, requireTrees, standardPagesFromTrees, treesFromStandardPages } from '../domain/paper.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { rangeCondition, type InstantRange } from './date-range.ts';
import { recordLedgerEvents } from '../outbound/record-events.ts';
import { isMonthClosed, lockLedgerAccount, requireActiveAccount } from './ledger-guards.ts';

export interface TransactionRow {
  id: string;
  account_id: string;
  quote_id: string | null;
  project_id: string;
  kind: 'direct' | 'month_close';
  /** 'YYYY-MM-DD' first day of the closed month, for month-close transactions */
  period: string | null;
  date: Date;
  pages: number;
  /** exact numeric text */
  trees: string;
  billed_at: Date | null;
}

const SELECT_TRANSACTION = `SELECT id, account_id, quote_id, project_id, kind, period::text AS period, date, pages,
    trees::text AS trees, billed_at FROM transactions`;

export interface NewLedgerTransaction {
  accountId: string;
  projectId: string;
  kind: 'direct' | 'month_close';
  /** 'YYYY-MM-01' of the closed month for month_close; null for direct */
  period: string | null;
  date: Date;
  /** standard pages */
  pages: number | bigint;
  /** exact decimal text */
  trees: string;
  quoteId?: string | null;
  billedAt?: Date | null;
  /** when the certificate was issued (its PDF prints it); default the database's now() */
  createdAt?: Date | null;
}

/**
 * Inserts transactions and their certificates (same id, same date) inside the caller's DB transaction,
 * set-based so month close writes thousands in two statements. It does NOT touch the monthly roll-up: a
 * direct transaction's caller adds its pages, a month close does not (its deposits already counted).
 */
export async function insertTransactionsWithCertificates(tx: Queryable, inputs: NewLedgerTransaction[]): Promise<string[]> {
  const ids = inputs.map(() => crypto.randomUUID());
  const column = <T>(pick: (input: NewLedgerTransaction) => T) => inputs.map(pick);
  await tx.query(
    `INSERT INTO transactions (id, account_id, quote_id, project_id, kind, period, date, pages, trees, billed_at, created_at)
     SELECT id, account_id, quote_id, project_id, kind, period, date, pages, trees::numeric, billed_at, coalesce(created_at, now())
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::date[], $7::timestamptz[], $8::bigint[],
                   $9::text[], $10::timestamptz[], $11::timestamptz[])
         AS t(id, account_id, quote_id, project_id, kind, period, date, pages, trees, billed_at, created_at)`,
    [
      ids, column((i) => i.accountId), column((i) => i.quoteId ?? null), column((i) => i.projectId), column((i) => i.kind),
      column((i) => i.period), column((i) => i.date), column((i) => String(i.pages)), column((i) => i.trees),
      column((i) => i.billedAt ?? null), column((i) => i.createdAt ?? null),
    ],
  );
  await tx.query(
    `INSERT INTO certificates (id, account_id, project_id, date, pages, trees, created_at)
     SELECT id, account_id, project_id, date, pages, trees, created_at FROM transactions WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  await recordLedgerEvents(tx, ids);
  return ids;
}

export async function insertTransactionWithCertificate(tx: Queryable, input: NewLedgerTransaction): Promise<{ id: string }> {
  const [id] = await insertTransactionsWithCertificates(tx, [input]);
  return { id };
}

/** Reverse-chronological by date. */
export async function listTransactions(db: Queryable, account: AccountRef, range: InstantRange, page: PageRequest): Promise<TransactionRow[]> {
  const limit = limitClause(page, 4);
  return db.query<TransactionRow>(
    `${SELECT_TRANSACTION} WHERE account_id = $1 AND ${rangeCondition('date', 2)}
      ORDER BY date DESC, id ${limit.sql}`,
    [account.id, range.from, range.until, ...limit.params],
  );
}

export async function getTransaction(db: Queryable, account: AccountRef, id: string): Promise<TransactionRow> {
  const rows = await db.query<TransactionRow>(`${SELECT_TRANSACTION} WHERE id = $1 AND account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Transaction');
  return rows[0];
}

/** As a client sends it; null means "not given". */
export interface TransactionInput {
  pages?: unknown;
  trees?: unknown;
  quote_id?: string | null;
  project_id?: string | null;
}

interface Amount {
  pages: number;
  trees: string;
  quoteId: string | null;
  quoteProjectId: string | null;
}

const given = (value: unknown) => value !== undefined && value !== null;

/** Exactly one of pages, trees or quote_id says how much is transacted. */
function chooseBasis(input: TransactionInput): 'pages' | 'trees' | 'quote_id' {
  const sent = (['pages', 'trees', 'quote_id'] as const).filter((field) => given(input[field]));
  if (sent.length === 0) throw new InvalidInput('pages, trees or quote_id', 'is required (give exactly one)');
  if (sent.length > 1) throw new InvalidInput(sent[1], `cannot be combined with ${sent[0]}; give exactly one of pages, trees or quote_id`);
  return sent[0];
}

async function amountFromQuote(tx: Queryable, accountId: string, quoteId: string): Promise<Amount> {
  const quotes = await tx.query<{ project_id: string; standard_pages: number; trees: string }>(
    `SELECT project_id, standard_pages, trees::text AS trees FROM quotes WHERE id = $1 AND account_id = $2 FOR UPDATE`,
    [quoteId, accountId],
  );
  if (quotes.length === 0) throw new NotFound('Quote');
  const done = await tx.query<{ id: string }>(`SELECT id FROM transactions WHERE quote_id = $1`, [quoteId]);
  if (done.length > 0) throw new Conflict(`quote ${quoteId} was already transacted (transaction ${done[0].id}); a quote is transacted once`);
  const quote = quotes[0];
  return { pages: quote.standard_pages, trees: quote.trees, quoteId, quoteProjectId: quote.project_id };
}

async function activeProject(tx: Queryable, projectId: string): Promise<string> {
  const rows = await tx.query<{ name: string; status: string }>(`SELECT name, status FROM forestry_projects WHERE id = $1`, [projectId]);
  if (rows.length === 0) throw new NotFound('Forestry project');
  if (rows[0].status !== 'active') {
    throw new Conflict(`forestry project ${rows[0].name} is ${rows[0].status} and takes no new trees; choose an active project_id`);
  }
  return projectId;
}

/**
 * Creates a direct transaction and its certificate, dated now, and counts its pages in the roll-up:
 * all in one DB transaction under the account lock.
 */
export async function createTransaction(db: Database, account: AccountRef, input: TransactionInput, now: Date): Promise<TransactionRow> {
  const basis = chooseBasis(input);
  let amount: Amount | null = null;
  if (basis === 'pages') {
    const pages = requirePages(input.pages);
    amount = { pages, trees: toPlainString(treesFromStandardPages(pages)), quoteId: null, quoteProjectId: null };
  } else if (basis === 'trees') {
    const trees = requireTrees(input.trees);
    amount = { pages: standardPagesFromTrees(trees), trees: toPlainString(trees), quoteId: null, quoteProjectId: null };
  }

  const id = await db.transaction(async (tx) => {
    const locked = await lockLedgerAccount(tx, account.id);
    requireActiveAccount(locked, 'transactions');
    const chosen = amount ?? (await amountFromQuote(tx, locked.id, input.quote_id as string));
    const requestedProject = input.project_id ?? chosen.quoteProjectId;
    const projectId = requestedProject ? await activeProject(tx, requestedProject) : await certificateProjectFor(tx, locked.id);
    try {
      const created = await insertTransactionWithCertificate(tx, {
        accountId: locked.id, projectId, kind: 'direct', period: null, date: now, pages: chosen.pages, trees: chosen.trees,
        quoteId: chosen.quoteId, createdAt: now,
      });
      await addMonthlyPages(tx, locked.path, formatDay(now), chosen.pages);
      return created.id;
    } catch (error) {
      // Two transactions of one quote racing: the unique index keeps the second out.
      if ((error as { code?: string }).code === '23505') throw new Conflict(`quote ${chosen.quoteId} was already transacted`);
      throw error;
    }
  });
  return getTransaction(db, account, id);
}

/** Deletes a direct, unbilled transaction and its certificate, frees its quote, and takes its pages out of the roll-up. */
export async function deleteTransaction(db: Database, account: AccountRef, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const locked = await lockLedgerAccount(tx, account.id);
    const rows = await tx.query<TransactionRow>(`${SELECT_TRANSACTION} WHERE id = $1 AND account_id = $2 FOR UPDATE`, [id, locked.id]);
    if (rows.length === 0) throw new NotFound('Transaction');
    const transaction = rows[0];
    if (transaction.kind === 'month_close') {
      throw new Conflict(`transaction is locked: it closed month ${transaction.period?.slice(0, 7)} and is billed with it`);
    }
    if (transaction.billed_at !== null) {
      throw new Conflict(`transaction is locked: it was billed on ${formatDay(transaction.billed_at)}`);
    }
    const month = monthKey(transaction.date);
    if (await isMonthClosed(tx, month)) {
      throw new Conflict(`transaction is locked: month ${month} is closed and billed`);
    }
    await tx.query(`DELETE FROM certificates WHERE id = $1`, [id]);
    await tx.query(`DELETE FROM transactions WHERE id = $1`, [id]);
    await addMonthlyPages(tx, locked.path, formatDay(transaction.date), -transaction.pages);
  });
}
