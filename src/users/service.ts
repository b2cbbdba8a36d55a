// Users of an account and the older invitations resource that PrintReleaf clients still call.
import crypto from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';

export interface UserRow {
  id: string;
  account_id: string;
  name: string | null;
  email: string;
  locale: string;
  created_at: Date;
}

export async function listUsers(db: Queryable, account: AccountRef, page: PageRequest): Promise<UserRow[]> {
  const limit = limitClause(page, 2);
  return db.query<UserRow>(
    `SELECT id, account_id, name, email, locale, created_at FROM users WHERE account_id = $1
      ORDER BY lower(coalesce(name, email)), id ${limit.sql}`,
    [account.id, ...limit.params],
  );
}

export async function getUser(db: Queryable, account: AccountRef, id: string): Promise<UserRow> {
  const rows = await db.query<UserRow>(
    `SELECT id, account_id, name, email, locale, created_at FROM users WHERE id = $1 AND account_id = $2`,
    [id, account.id],
  );
  if (rows.length === 0) throw new NotFound('User');
  return rows[0];
}

export async function createUser(
  db: Queryable,
  account: AccountRef,
  input: { email: string; name?: string | null; locale?: string },
  now: Date,
): Promise<UserRow> {
  const id = crypto.randomUUID();
  const rows = await db.query<UserRow>(
    `INSERT INTO users (id, account_id, name, email, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING RETURNING id, account_id, name, email, locale, created_at`,
    [id, account.id, input.name?.trim() || null, input.email.trim(), input.locale ?? 'en', now],
  );
  // Emails are unique per account (users_account_email): a conflict can only be with this account's
  // own users, so the answer tells nothing about any other tenant.
  if (rows.length === 0) throw new Conflict('email is already used by another user of this account');
  return rows[0];
}

export async function deleteUser(db: Queryable, account: AccountRef, id: string): Promise<void> {
  const rows = await db.query(`DELETE FROM users WHERE id = $1 AND account_id = $2 RETURNING id`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('User');
}

export interface InvitationRow {
  id: string;
  account_id: string;
  email: string;
  created_at: Date;
}

export async function listInvitations(db: Queryable, account: AccountRef, page: PageRequest): Promise<InvitationRow[]> {
  const limit = limitClause(page, 2);
  return db.query<InvitationRow>(
    `SELECT id, account_id, email, created_at FROM invitations WHERE account_id = $1 ORDER BY created_at DESC, id ${limit.sql}`,
    [account.id, ...limit.params],
  );
}

export async function getInvitation(db: Queryable, account: AccountRef, id: string): Promise<InvitationRow> {
  const rows = await db.query<InvitationRow>(
    `SELECT id, account_id, email, created_at FROM invitations WHERE id = $1 AND account_id = $2`,
    [id, account.id],
  );
  if (rows.length === 0) throw new NotFound('Invitation');
  return rows[0];
}

export async function createInvitation(db: Queryable, account: AccountRef, email: string, now: Date): Promise<InvitationRow> {
  const rows = await db.query<InvitationRow>(
    `INSERT INTO invitations (id, account_id, email, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING id, account_id, email, created_at`,
    [crypto.randomUUID(), account.id, email.trim(), now],
  );
  if (rows.length === 0) throw new Conflict('email has already been invited to this account');
  return rows[0];
}

export async function deleteInvitation(db: Queryable, account: AccountRef, id: string): Promise<void> {
  const rows = await db.query(`DELETE FROM invitations WHERE id = $1 AND account_id = $2 RETURNING id`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Invitation');
}
