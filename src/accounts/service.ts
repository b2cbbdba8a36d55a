// Accounts: the tree of admin, channel and customer accounts, and what each role may do in it.
import crypto from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { decimal, toPlainString } from '../domain/decimal.ts';
import { Forbidden, InvalidInput, NotFound } from '../domain/errors.ts';
import { requireRate } from '../domain/paper.ts';
import type { AccountRef, Principal } from '../keys/api-keys.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import { figureSums, figuresFromTotals, periodStarts, type AccountFigures, type FigureTotals } from './figures.ts';

export type Role = 'admin' | 'channel' | 'customer';
export const ROLES: readonly Role[] = ['admin', 'channel', 'customer'];

export interface AccountRow {
  id: string;
  name: string;
  display_name: string;
  role: Role;
  parent_id: string | null;
  path: string;
  external_id: string | null;
  status: 'active' | 'inactive';
  activated_at: Date | null;
  deactivated_at: Date | null;
  created_at: Date;
  accounts_count: number;
  users_count: number;
  /** Exact decimal text of the account's own rate; null inherits (see quotes/rate.ts). */
  rate: string | null;
}

const SELECT_ACCOUNT = `SELECT a.id, a.name, a.display_name, a.role, a.parent_id, a.path, a.external_id, a.status,
    a.activated_at, a.deactivated_at, a.created_at, a.rate::text AS rate,
    (SELECT count(*) FROM accounts c WHERE c.parent_id = a.id) AS accounts_count,
    (SELECT count(*) FROM users u WHERE u.account_id = a.id) AS users_count
  FROM accounts a`;

/** An account inside `within`'s subtree (itself included); 404 otherwise. */
export async function getAccount(db: Queryable, within: AccountRef, id: string): Promise<AccountRow> {
  const rows = await db.query<AccountRow>(`${SELECT_ACCOUNT} WHERE a.id = $1 AND a.path LIKE $2`, [id, `${within.path}%`]);
  if (rows.length === 0) throw new NotFound('Account');
  return rows[0];
}

/** An account with its page and tree figures, in one query (the hot path of GET /v1/account). */
export async function getExpandedAccount(
  db: Queryable,
  within: AccountRef,
  id: string,
  now: Date,
): Promise<{ row: AccountRow; figures: AccountFigures }> {
  const s = periodStarts(now);
  const rows = await db.query<AccountRow & FigureTotals>(
    `${SELECT_ACCOUNT.replace('FROM accounts a', ', f.mtd, f.qtd, f.ytd, f.ltd FROM accounts a')}
       CROSS JOIN LATERAL (SELECT ${figureSums('$3', '$4', '$5')} FROM account_monthly_pages m WHERE m.account_id = a.id) f
      WHERE a.id = $1 AND a.path LIKE $2`,
    [id, `${within.path}%`, s.month, s.quarter, s.year],
  );
  if (rows.length === 0) throw new NotFound('Account');
  const { mtd, qtd, ytd, ltd, ...row } = rows[0];
  return { row, figures: figuresFromTotals({ mtd, qtd, ytd, ltd }) };
}

/** Direct children, alphabetical. */
export async function listChildAccounts(db: Queryable, parent: AccountRef, page: PageRequest): Promise<AccountRow[]> {
  const limit = limitClause(page, 2);
  return db.query<AccountRow>(
    `${SELECT_ACCOUNT} WHERE a.parent_id = $1 ORDER BY lower(a.name), a.name, a.id ${limit.sql}`,
    [parent.id, ...limit.params],
  );
}

export interface NewAccount {
  name: string;
  display_name?: string | null;
  external_id?: string | null;
  role?: Role;
  parent_id?: string;
  /** a number or exact decimal text */
  rate?: number | string | null;
}

// accounts.rate is numeric(20, 10): more places would be rounded away silently.
const RATE_PLACES = 10;

/** A rate as exact text for the store, or null to inherit. */
function rateColumn(value: number | string | null): string | null {
  if (value === null) return null;
  const rate = decimal(toPlainString(requireRate(value)));
  if (rate.scale > RATE_PLACES) throw new InvalidInput('rate', `must have at most ${RATE_PLACES} decimal places`);
  return toPlainString(rate);
}

/** Which roles a parent may create, and the default. */
export function childRole(parentRole: Role, requested: Role | undefined): Role {
  if (requested === 'admin') throw new Forbidden('admin accounts cannot be created; there is one per installation');
  if (parentRole === 'customer') throw new Forbidden('a customer account cannot have child accounts');
  if (parentRole === 'admin') {
    if (requested === 'customer') throw new Forbidden('an admin account creates channel accounts only; create customers under a channel');
    return 'channel';
  }
  return requested ?? 'customer';
}

export async function createAccount(db: Queryable, scope: AccountRef, input: NewAccount, now: Date): Promise<AccountRow> {
  const name = input.name.trim();
  if (!name) throw new InvalidInput('name', 'must not be blank');
  let parent: AccountRef = scope;
  if (input.parent_id && input.parent_id !== scope.id) {
    const rows = await db.query<AccountRef>(
      `SELECT id, name, role, path, status FROM accounts WHERE id = $1 AND path LIKE $2`,
      [input.parent_id, `${scope.path}%`],
    );
    if (rows.length === 0) throw new NotFound('Parent account');
    parent = rows[0];
  }
  const role = childRole(parent.role, input.role);
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO accounts (id, name, display_name, role, parent_id, path, external_id, status, activated_at, created_at, rate)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8, $9)`,
    [
      id, name, input.display_name?.trim() || name, role, parent.id, `${parent.path}${id}/`, input.external_id ?? null, now,
      rateColumn(input.rate ?? null),
    ],
  );
  return getAccount(db, parent, id);
}

export interface AccountPatch {
  name?: string;
  display_name?: string;
  external_id?: string | null;
  rate?: number | string | null;
}

export async function updateAccount(db: Queryable, within: AccountRef, id: string, patch: AccountPatch): Promise<AccountRow> {
  const current = await getAccount(db, within, id);
  const name = patch.name === undefined ? current.name : patch.name.trim();
  if (!name) throw new InvalidInput('name', 'must not be blank');
  const displayName = patch.display_name === undefined ? current.display_name : patch.display_name.trim() || name;
  const externalId = patch.external_id === undefined ? current.external_id : patch.external_id;
  // A customer must not set its own price: only an account acting from above (the scope is a strict
  // ancestor of the target) may set or clear a rate.
  if (patch.rate !== undefined && current.id === within.id) {
    throw new Forbidden('an account cannot set its own rate; its parent account sets it');
  }
  const rate = patch.rate === undefined ? current.rate : rateColumn(patch.rate);
  await db.query(`UPDATE accounts SET name = $2, display_name = $3, external_id = $4, rate = $5 WHERE id = $1`, [
    id,
    name,
    displayName,
    externalId,
    rate,
  ]);
  return getAccount(db, within, id);
}

/** Activation is done by an ancestor: an account cannot switch itself on or off. */
export async function setAccountStatus(
  db: Queryable,
  principal: Principal,
  within: AccountRef,
  id: string,
  status: 'active' | 'inactive',
  now: Date,
): Promise<AccountRow> {
  const target = await getAccount(db, within, id);
  if (target.id === principal.account.id) {
    throw new Forbidden(`an account cannot ${status === 'active' ? 'activate' : 'deactivate'} itself; ask its parent account`);
  }
  if (target.status !== status) {
    const column = status === 'active' ? 'activated_at' : 'deactivated_at';
    await db.query(`UPDATE accounts SET status = $2, ${column} = $3 WHERE id = $1`, [id, status, now]);
  }
  return getAccount(db, within, id);
}

/** The installation's root admin account, created on first start. */
export async function ensureRootAccount(db: Queryable, now: Date): Promise<{ id: string; created: boolean }> {
  const rows = await db.query<{ id: string }>(`SELECT id FROM accounts WHERE parent_id IS NULL ORDER BY created_at LIMIT 1`);
  if (rows.length > 0) return { id: rows[0].id, created: false };
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO accounts (id, name, display_name, role, parent_id, path, status, activated_at, created_at)
     VALUES ($1, 'Canopy', 'Canopy', 'admin', NULL, $2, 'active', $3, $3)`,
    [id, `/${id}/`, now],
  );
  return { id, created: true };
}
