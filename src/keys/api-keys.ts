// API keys: random, shown once, stored as a SHA-256 hash with a short prefix for revocation.
import crypto from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { NotFound, Conflict, InvalidInput } from '../domain/errors.ts';

export const PREFIX_LENGTH = 8;

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export function generateKey(): string {
  return crypto.randomBytes(24).toString('hex');
}

export interface AccountRef {
  id: string;
  name: string;
  role: 'admin' | 'channel' | 'customer';
  path: string;
  status: 'active' | 'inactive';
}

export interface Principal {
  keyId: string;
  account: AccountRef;
}

export interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  accountId: string;
}

/** Stores a key (generated unless given) for an account and returns it in plain text, once. */
export async function createKey(db: Queryable, accountId: string, label: string | null, key = generateKey()): Promise<CreatedKey> {
  const accounts = await db.query(`SELECT id FROM accounts WHERE id = $1`, [accountId]);
  if (accounts.length === 0) throw new NotFound('Account');
  const id = crypto.randomUUID();
  const prefix = key.slice(0, PREFIX_LENGTH);
  const rows = await db.query(
    `INSERT INTO api_keys (id, account_id, prefix, key_hash, label) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key_hash) DO NOTHING RETURNING id`,
    [id, accountId, prefix, hashKey(key), label],
  );
  if (rows.length === 0) throw new Conflict('that key is already registered');
  return { id, key, prefix, accountId };
}

/**
 * Revokes the one active key that the text names, reading all of it: the whole key (matched by its hash),
 * or exactly its first PREFIX_LENGTH characters as `keys list` shows them. Anything else is refused,
 * as is a prefix that more than one active key shares.
 */
export async function revokeKey(db: Queryable, text: string): Promise<{ id: string; accountId: string }> {
  const given = text.trim();
  if (given.length < PREFIX_LENGTH) throw new InvalidInput('key prefix', `must be at least ${PREFIX_LENGTH} characters`);
  let rows = await db.query<{ id: string; account_id: string }>(
    `SELECT id, account_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashKey(given)],
  );
  if (rows.length === 0) {
    // Only the first PREFIX_LENGTH characters are stored: a longer text that is not a whole key cannot be
    // checked past them, so it is not taken as a prefix.
    if (given.length > PREFIX_LENGTH) {
      throw new InvalidInput(
        'key prefix',
        `matches no active key: give the whole key, or exactly its first ${PREFIX_LENGTH} characters as keys list shows them`,
      );
    }
    rows = await db.query<{ id: string; account_id: string }>(
      `SELECT id, account_id FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL`,
      [given],
    );
  }
  if (rows.length === 0) throw new NotFound('Active key with that prefix');
  if (rows.length > 1) {
    throw new Conflict(`${rows.length} active keys start with "${given}"; give the whole key to revoke one of them`);
  }
  await db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [rows[0].id]);
  forgetPrincipals();
  return { id: rows[0].id, accountId: rows[0].account_id };
}

export async function listKeys(db: Queryable, accountId: string) {
  return db.query<{ id: string; prefix: string; label: string | null; created_at: Date; revoked_at: Date | null }>(
    `SELECT id, prefix, label, created_at, revoked_at FROM api_keys WHERE account_id = $1 ORDER BY created_at`,
    [accountId],
  );
}

/**
 * Recently authenticated keys, so a busy integrator does not cost a lookup per request. Revoking a key
 * in this process clears it at once; another process (a CLI on PostgreSQL) is seen within the TTL.
 */
const PRINCIPAL_TTL_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;
const principalCache = new Map<string, { principal: Principal; expires: number }>();

export function forgetPrincipals(): void {
  principalCache.clear();
}

export async function principalForKey(db: Queryable, key: string): Promise<Principal | null> {
  const hash = hashKey(key);
  const cached = principalCache.get(hash);
  if (cached && cached.expires > Date.now()) return cached.principal;
  const principal = await lookupPrincipal(db, hash);
  if (principal) {
    if (principalCache.size >= PRINCIPAL_CACHE_MAX) principalCache.clear();
    principalCache.set(hash, { principal, expires: Date.now() + PRINCIPAL_TTL_MS });
  } else {
    principalCache.delete(hash);
  }
  return principal;
}

async function lookupPrincipal(db: Queryable, hash: string): Promise<Principal | null> {
  const rows = await db.query<{ key_id: string } & AccountRef>(
    `SELECT k.id AS key_id, a.id, a.name, a.role, a.path, a.status
       FROM api_keys k JOIN accounts a ON a.id = k.account_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
    [hash],
  );
  if (rows.length === 0) return null;
  const { key_id, ...account } = rows[0];
  return { keyId: key_id, account };
}
