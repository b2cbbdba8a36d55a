// Paper types: the default catalog (account_id null, visible to all) and each account's own custom types.
import crypto from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../domain/errors.ts';
import { DEFAULT_PAPER_TYPES } from '../domain/paper-types.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';

export interface PaperTypeRow {
  id: string;
  account_id: string | null;
  name: string;
  density: number;
  external_id: string | null;
}

const COLUMNS = 'id, account_id, name, density, external_id';
// Custom types are visible to the account that owns them only (the reference: "only visible to your
// account"); an ancestor reaches them by acting in that account's scope (/v1/accounts/:id/paper/types).
const VISIBLE = '(account_id IS NULL OR account_id = $1)';
const CATALOG_ORDER = DEFAULT_PAPER_TYPES.map((t) => t.id);

/** The default types in catalog order (grade, then weight), then the account's own by name. */
export async function listPaperTypes(db: Queryable, account: AccountRef, page: PageRequest): Promise<PaperTypeRow[]> {
  const limit = limitClause(page, 3);
  return db.query<PaperTypeRow>(
    `SELECT ${COLUMNS} FROM paper_types WHERE ${VISIBLE}
      ORDER BY account_id IS NOT NULL, array_position($2::uuid[], id), lower(name), name, created_at, id ${limit.sql}`,
    [account.id, CATALOG_ORDER, ...limit.params],
  );
}

export async function getPaperType(db: Queryable, account: AccountRef, id: string): Promise<PaperTypeRow> {
  const rows = await db.query<PaperTypeRow>(`SELECT ${COLUMNS} FROM paper_types WHERE id = $2 AND ${VISIBLE}`, [account.id, id]);
  if (rows.length === 0) throw new NotFound('Paper type');
  return rows[0];
}

/** The visible types among `ids`, by id (absent ids are simply missing from the map). */
export async function visiblePaperTypes(db: Queryable, account: AccountRef, ids: readonly string[]): Promise<Map<string, PaperTypeRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<PaperTypeRow>(
    `SELECT ${COLUMNS} FROM paper_types WHERE id = ANY($2::uuid[]) AND ${VISIBLE}`,
    [account.id, [...new Set(ids)]],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

export interface NewPaperType {
  name: string;
  density: number;
  external_id?: string | null;
}

export async function createPaperType(db: Queryable, account: AccountRef, input: NewPaperType, now: Date): Promise<PaperTypeRow> {
  const name = input.name.trim();
  if (!name) throw new InvalidInput('name', 'must not be blank');
  const rows = await db.query<PaperTypeRow>(
    `INSERT INTO paper_types (id, account_id, name, density, external_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [crypto.randomUUID(), account.id, name, input.density, input.external_id ?? null, now],
  );
  return rows[0];
}

/** Own custom types only; one that paper already refers to stays, so the ledger keeps its density. */
export async function deletePaperType(db: Queryable, account: AccountRef, id: string): Promise<void> {
  const type = await getPaperType(db, account, id);
  if (type.account_id === null) throw new Forbidden('default paper types cannot be deleted');
  const [uses] = await db.query<{ quote_items: number; deposits: number }>(
    `SELECT (SELECT count(*) FROM quote_items WHERE paper_type_id = $1)::int AS quote_items,
            (SELECT count(*) FROM deposits WHERE paper_type_id = $1)::int AS deposits`,
    [id],
  );
  const inUse = (n: number, what: string) => (n > 0 ? [`${n} ${what}${n === 1 ? '' : 's'}`] : []);
  const users = [...inUse(uses.quote_items, 'quote item'), ...inUse(uses.deposits, 'deposit')];
  if (users.length > 0) throw new Conflict(`paper type is used by ${users.join(' and ')} and cannot be deleted`);
  try {
    await db.query(`DELETE FROM paper_types WHERE id = $1 AND account_id = $2`, [id, account.id]);
  } catch (error) {
    // A quote or deposit that took the type between the check and the delete.
    if ((error as { code?: string }).code === '23503') throw new Conflict('paper type is in use and cannot be deleted');
    throw error;
  }
}
