// Quotes: paper (or a mass) equated to standard pages, trees and a price at the account's rate.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { visiblePaperTypes } from '../catalog/paper-types.ts';
import { toPlainString } from '../domain/decimal.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import { itemMass, parseQuoteItem, quoteTotals, type QuoteItem } from '../domain/paper.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { rateFor } from './rate.ts';

/** Numeric columns are exact decimal text. */
export interface QuoteRow {
  id: string;
  account_id: string;
  project_id: string;
  created_at: Date;
  trees: string;
  standard_pages: number;
  mass: string;
  rate: string;
  price: string;
  external_id: string | null;
  transaction_id: string | null;
}

export interface QuoteItemRow {
  quantity: number | null;
  width: string | null;
  length: string | null;
  density: number | null;
  paper_type_id: string | null;
  mass: string;
}

export interface ExpandedQuoteRow extends QuoteRow {
  items: QuoteItemRow[];
}

// A quote is transacted when a transaction refers to it (at most one: transactions.quote_id is unique).
const SELECT_QUOTE = `SELECT q.id, q.account_id, q.project_id, q.created_at, q.trees::text AS trees, q.standard_pages,
    q.mass::text AS mass, q.rate::text AS rate, q.price::text AS price, q.external_id, t.id AS transaction_id
  FROM quotes q LEFT JOIN transactions t ON t.quote_id = q.id`;

/** The account's own quotes, newest first. */
export async function listQuotes(db: Queryable, account: AccountRef, page: PageRequest): Promise<QuoteRow[]> {
  const limit = limitClause(page, 2);
  return db.query<QuoteRow>(`${SELECT_QUOTE} WHERE q.account_id = $1 ORDER BY q.created_at DESC, q.id ${limit.sql}`, [
    account.id,
    ...limit.params,
  ]);
}

export async function getQuote(db: Queryable, account: AccountRef, id: string): Promise<ExpandedQuoteRow> {
  const rows = await db.query<QuoteRow>(`${SELECT_QUOTE} WHERE q.id = $1 AND q.account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Quote');
  const items = await db.query<QuoteItemRow>(
    `SELECT quantity, width::text AS width, length::text AS length, density, paper_type_id, mass::text AS mass
       FROM quote_items WHERE quote_id = $1 ORDER BY position`,
    [id],
  );
  return { ...rows[0], items };
}

/** Decimal figures may come as numbers or exact decimal text. */
export interface QuoteItemInput {
  quantity?: number | null;
  width?: number | string | null;
  length?: number | string | null;
  height?: number | string | null;
  density?: number | null;
  paper_type_id?: string | null;
  mass?: number | string | null;
}

export interface NewQuote {
  project_id: string;
  items: QuoteItemInput[];
  external_id?: string | null;
}

interface ResolvedItem {
  item: QuoteItem;
  paperTypeId: string | null;
}

/** Quotes plant trees in the project they name, so it must exist and still be planting. */
async function requirePlantingProject(db: Queryable, projectId: string): Promise<void> {
  const rows = await db.query<{ name: string; status: string }>(`SELECT name, status FROM forestry_projects WHERE id = $1`, [projectId]);
  if (rows.length === 0) throw new InvalidInput('project_id', 'is not a known forestry project (see GET /v1/forestry/projects)');
  if (rows[0].status !== 'active') {
    throw new InvalidInput('project_id', `is ${rows[0].name}, a complete project that no longer receives trees; choose an active project`);
  }
}

/** Validates every item in order, resolving paper_type_id to its density; errors name the item field. */
async function resolveItems(db: Queryable, account: AccountRef, inputs: readonly QuoteItemInput[]): Promise<ResolvedItem[]> {
  const typeIds = inputs.flatMap((i) => (i.paper_type_id ? [i.paper_type_id] : []));
  const types = await visiblePaperTypes(db, account, typeIds);
  return inputs.map((input, index) => {
    const prefix = `items[${index}].`;
    const paperTypeId = input.paper_type_id ?? null;
    let density = input.density;
    if (paperTypeId !== null) {
      if (input.mass !== undefined && input.mass !== null) {
        throw new InvalidInput(`${prefix}paper_type_id`, 'cannot be combined with mass; give paper (quantity, size, paper type) or a mass');
      }
      const type = types.get(paperTypeId);
      if (!type) throw new InvalidInput(`${prefix}paper_type_id`, 'is not a paper type of this account or the default catalog');
      if (density !== undefined && density !== null && density !== type.density) {
        throw new InvalidInput(`${prefix}density`, `conflicts with paper_type_id, whose density is ${type.density}; give one of them`);
      }
      density = type.density;
    }
    return { item: parseQuoteItem({ ...input, density }, prefix), paperTypeId };
  });
}

export async function createQuote(
  db: Pick<Database, 'query' | 'transaction'>,
  account: AccountRef,
  input: NewQuote,
  options: { defaultRate: string; now: Date },
): Promise<ExpandedQuoteRow> {
  await requirePlantingProject(db, input.project_id);
  const resolved = await resolveItems(db, account, input.items);
  const rate = await rateFor(db, account.path, options.defaultRate);
  const totals = quoteTotals(resolved.map((r) => r.item), rate);
  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO quotes (id, account_id, project_id, external_id, mass, standard_pages, trees, rate, price, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id, account.id, input.project_id, input.external_id ?? null, toPlainString(totals.mass), totals.standardPages,
        toPlainString(totals.trees), toPlainString(totals.rate), toPlainString(totals.price), options.now,
      ],
    );
    const rows = resolved.map(({ item, paperTypeId }, position) =>
      'mass' in item
        ? [position, null, null, null, null, null, toPlainString(item.mass)]
        : [position, item.quantity, toPlainString(item.width), toPlainString(item.length), item.density, paperTypeId, toPlainString(itemMass(item))],
    );
    const column = (i: number) => rows.map((row) => row[i]);
    await tx.query(
      `INSERT INTO quote_items (quote_id, account_id, position, quantity, width, length, density, paper_type_id, mass)
       SELECT $1::uuid, $2::uuid, * FROM unnest($3::int[], $4::bigint[], $5::numeric[], $6::numeric[], $7::int[], $8::uuid[], $9::numeric[])`,
      [id, account.id, column(0), column(1), column(2), column(3), column(4), column(5), column(6)],
    );
  });
  return getQuote(db, account, id);
}

/** Deleting is allowed until the quote is transacted. */
export async function deleteQuote(db: Pick<Database, 'transaction'>, account: AccountRef, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ transaction_id: string | null }>(
      `SELECT t.id AS transaction_id FROM quotes q LEFT JOIN transactions t ON t.quote_id = q.id
        WHERE q.id = $1 AND q.account_id = $2 FOR UPDATE OF q`,
      [id, account.id],
    );
    if (rows.length === 0) throw new NotFound('Quote');
    const transacted = rows[0].transaction_id;
    if (transacted) throw new Conflict(`quote has been transacted (transaction ${transacted}) and cannot be deleted`);
    try {
      await tx.query(`DELETE FROM quotes WHERE id = $1`, [id]);
    } catch (error) {
      // A transaction of this quote committed while we waited for the row.
      if ((error as { code?: string }).code === '23503') throw new Conflict('quote has been transacted and cannot be deleted');
      throw error;
    }
  });
}
