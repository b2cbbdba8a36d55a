// One-time, expiring links that let a user set a password (invitation, or a reset made by the account).
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { checkNewPassword, hashPassword } from './passwords.ts';
import { newToken, tokenHash } from './tokens.ts';

export const LINK_LIFETIME_HOURS = 72;

export interface PasswordLink {
  token: string;
  userId: string;
  email: string;
  expiresAt: Date;
}

/** The path a link opens in the dashboard; the caller puts the server's origin before it. */
export function passwordLinkPath(token: string): string {
  return `/set-password?token=${encodeURIComponent(token)}`;
}

/** Makes a new link for a user of `account` (exactly that account, like /users/:id); earlier unused links stop working. */
export async function createPasswordLink(db: Database, account: AccountRef, userId: string, now: Date): Promise<PasswordLink> {
  return db.transaction(async (tx) => {
    const users = await tx.query<{ id: string; email: string }>(`SELECT id, email FROM users WHERE id = $1 AND account_id = $2`, [userId, account.id]);
    if (users.length === 0) throw new NotFound('User');
    await tx.query(`UPDATE password_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, [userId, now]);
    const token = newToken();
    const expiresAt = new Date(now.getTime() + LINK_LIFETIME_HOURS * 3_600_000);
    await tx.query(
      `INSERT INTO password_links (id, user_id, account_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [crypto.randomUUID(), userId, account.id, tokenHash(token), now, expiresAt],
    );
    return { token, userId, email: users[0].email, expiresAt };
  });
}

interface LinkRow {
  id: string;
  user_id: string;
  email: string;
  account_name: string;
  expires_at: Date;
  used_at: Date | null;
}

async function findLink(db: Queryable, token: string, now: Date): Promise<LinkRow> {
  const rows = await db.query<LinkRow>(
    `SELECT l.id, l.user_id, u.email, a.display_name AS account_name, l.expires_at, l.used_at
       FROM password_links l JOIN users u ON u.id = l.user_id JOIN accounts a ON a.id = u.account_id
      WHERE l.token_hash = $1`,
    [tokenHash(token)],
  );
  if (rows.length === 0) throw new NotFound('Password link');
  const link = rows[0];
  if (link.used_at) throw new Conflict('this link has already been used; ask for a new one');
  if (new Date(link.expires_at).getTime() <= now.getTime()) throw new Conflict('this link has expired; ask for a new one');
  return link;
}

/** What the set-password page shows before the password is chosen. */
export async function describeLink(db: Queryable, token: string, now: Date) {
  const link = await findLink(db, token, now);
  return { email: link.email, account_name: link.account_name, expires_at: new Date(link.expires_at) };
}

/** Sets the password and spends the link, atomically: a link works once. */
export async function setPasswordWithLink(db: Database, token: string, password: string, now: Date): Promise<{ userId: string }> {
  if (!token) throw new InvalidInput('token', 'is required');
  checkNewPassword(password);
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const link = await findLink(tx, token, now);
    const spent = await tx.query(`UPDATE password_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id`, [link.id, now]);
    if (spent.length === 0) throw new Conflict('this link has already been used; ask for a new one');
    await tx.query(
      `INSERT INTO user_passwords (user_id, account_id, password_hash, updated_at)
       SELECT id, account_id, $2, $3 FROM users WHERE id = $1
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = EXCLUDED.updated_at`,
      [link.user_id, hash, now],
    );
    // A new password ends every session signed in with the old one.
    await tx.query(`UPDATE web_sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL`, [link.user_id, now]);
    return { userId: link.user_id };
  });
}
