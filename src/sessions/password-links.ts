// One-time, expiring links that let a user set a password (invitation, or a reset made by the account).
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { checkNewPassword, hashPassword, newSalt } from './passwords.ts';
import type { Membership } from './sessions.ts';
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

/** The email's shared salt (sign_in_salts), made by whichever first password of that email comes first. */
async function emailSalt(db: Queryable, email: string): Promise<string> {
  const key = email.trim().toLowerCase();
  await db.query(`INSERT INTO sign_in_salts (email, salt) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING`, [key, newSalt()]);
  const [row] = await db.query<{ salt: string }>(`SELECT salt FROM sign_in_salts WHERE email = $1`, [key]);
  return row.salt;
}

/**
 * Sets the password of the link's user — that user only, in its own account — and spends the link,
 * atomically: a link works once. Returns the user, for the session the caller opens for it.
 */
export async function setPasswordWithLink(db: Database, token: string, password: string, now: Date): Promise<Membership> {
  if (!token) throw new InvalidInput('token', 'is required');
  checkNewPassword(password);
  const { email } = await findLink(db, token, now);
  const hash = await hashPassword(password, await emailSalt(db, email));
  return db.transaction(async (tx) => {
    const link = await findLink(tx, token, now);
    const spent = await tx.query(`UPDATE password_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id`, [link.id, now]);
    if (spent.length === 0) throw new Conflict('this link has already been used; ask for a new one');
    const [user] = await tx.query<Membership>(
      `INSERT INTO user_passwords (user_id, account_id, password_hash, updated_at)
       SELECT id, account_id, $2, $3 FROM users WHERE id = $1
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = EXCLUDED.updated_at
       RETURNING user_id, account_id`,
      [link.user_id, hash, now],
    );
    // A new password ends every session signed in with the old one, whichever account it acts for now.
    await tx.query(
      `UPDATE web_sessions SET ended_at = $2 WHERE ended_at IS NULL
          AND (user_id = $1 OR id IN (SELECT session_id FROM web_session_accounts WHERE user_id = $1))`,
      [link.user_id, now],
    );
    return user;
  });
}
