// An account's own API keys as the /v1/keys routes manage them: list, create (shown once), revoke by id.
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';
import { createKey, forgetPrincipals, type AccountRef } from './api-keys.ts';

export interface KeyRow {
  id: string;
  account_id: string;
  prefix: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = `id, account_id, prefix, label, created_at, revoked_at`;

export async function listAccountKeys(db: Queryable, account: AccountRef, limit: { sql: string; params: unknown[] }): Promise<KeyRow[]> {
  return db.query<KeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE account_id = $1 ORDER BY (revoked_at IS NOT NULL), created_at DESC, id ${limit.sql}`,
    [account.id, ...limit.params],
  );
}

export async function getAccountKey(db: Queryable, account: AccountRef, id: string): Promise<KeyRow> {
  const rows = await db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('API key');
  return rows[0];
}

export async function createAccountKey(db: Queryable, account: AccountRef, label: string | null): Promise<KeyRow & { key: string }> {
  const created = await createKey(db, account.id, label?.trim() || null);
  return { ...(await getAccountKey(db, account, created.id)), key: created.key };
}

/** Revokes a key of the account; revoking a revoked key changes nothing. Works at once in this process. */
export async function revokeAccountKey(db: Queryable, account: AccountRef, id: string, now: Date): Promise<KeyRow> {
  const rows = await db.query<KeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND account_id = $2 RETURNING ${COLUMNS}`,
    [id, account.id, now],
  );
  if (rows.length === 0) throw new NotFound('API key');
  forgetPrincipals();
  return rows[0];
}
