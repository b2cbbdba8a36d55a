// Cookie sessions: sign-in (with wrong passwords slowed down), lookup as an API principal, sign-out.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { Forbidden } from '../domain/errors.ts';
import { TooManyRequests, Unauthorized } from '../http/errors.ts';
import type { AccountRef, Principal } from '../keys/api-keys.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { failuresAfterAnother, secondsUntilAllowed } from './throttle.ts';
import { newToken, sameToken, tokenHash } from './tokens.ts';

export const SESSION_HOURS = 12;

export interface SignedIn {
  token: string;
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

const WRONG = 'email or password is wrong';

async function checkThrottle(db: Queryable, email: string, now: Date): Promise<void> {
  const rows = await db.query<{ failures: number; last_failure_at: Date }>(
    `SELECT failures, last_failure_at FROM sign_in_failures WHERE email = $1`,
    [email],
  );
  if (rows.length === 0) return;
  const wait = secondsUntilAllowed(rows[0].failures, new Date(rows[0].last_failure_at), now);
  if (wait > 0) {
    throw new TooManyRequests(`too many wrong passwords for this email: try again in ${wait} second${wait === 1 ? '' : 's'}`, wait);
  }
}

async function recordFailure(db: Database, email: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ failures: number; last_failure_at: Date }>(
      `SELECT failures, last_failure_at FROM sign_in_failures WHERE email = $1 FOR UPDATE`,
      [email],
    );
    const failures = failuresAfterAnother(rows[0]?.failures ?? 0, rows[0] ? new Date(rows[0].last_failure_at) : null, now);
    await tx.query(
      `INSERT INTO sign_in_failures (email, failures, last_failure_at) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO UPDATE SET failures = EXCLUDED.failures, last_failure_at = EXCLUDED.last_failure_at`,
      [email, failures, now],
    );
  });
}

/** Checks email and password and opens a session; unknown emails cost the same time as wrong passwords. */
export async function signIn(db: Database, emailInput: string, password: string, now: Date): Promise<SignedIn> {
  const email = emailInput.trim().toLowerCase();
  await checkThrottle(db, email, now);
  const rows = await db.query<{ user_id: string; account_id: string; password_hash: string | null }>(
    `SELECT u.id AS user_id, u.account_id, p.password_hash FROM users u LEFT JOIN user_passwords p ON p.user_id = u.id WHERE lower(u.email) = $1`,
    [email],
  );
  const stored = rows[0]?.password_hash ?? null;
  const ok = await verifyPassword(password, stored ?? (await decoyHash()));
  if (!ok || !stored) {
    await recordFailure(db, email, now);
    throw new Unauthorized(WRONG);
  }
  await db.query(`DELETE FROM sign_in_failures WHERE email = $1`, [email]);
  const token = newToken();
  const csrfToken = newToken();
  const sessionId = crypto.randomUUID();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  await db.query(
    `INSERT INTO web_sessions (id, user_id, account_id, token_hash, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [sessionId, rows[0].user_id, rows[0].account_id, tokenHash(token), csrfToken, now, expiresAt],
  );
  return { token, sessionId, csrfToken, expiresAt };
}

export interface Session {
  id: string;
  csrfToken: string;
  expiresAt: Date;
  user: { id: string; email: string; name: string | null };
  account: AccountRef;
}

export async function findSession(db: Queryable, token: string, now: Date): Promise<Session | null> {
  const rows = await db.query<{
    session_id: string; csrf_token: string; expires_at: Date; user_id: string; email: string; user_name: string | null;
  } & AccountRef>(
    `SELECT s.id AS session_id, s.csrf_token, s.expires_at, u.id AS user_id, u.email, u.name AS user_name,
            a.id, a.name, a.role, a.path, a.status
       FROM web_sessions s JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = u.account_id
      WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2`,
    [tokenHash(token), now],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    id: r.session_id,
    csrfToken: r.csrf_token,
    expiresAt: new Date(r.expires_at),
    user: { id: r.user_id, email: r.email, name: r.user_name },
    account: { id: r.id, name: r.name, role: r.role, path: r.path, status: r.status },
  };
}

export async function endSession(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query(`UPDATE web_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, now]);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The principal a session cookie stands for: the signed-in user's account, exactly as a key of that
 * account would be. Writes must carry the session's CSRF token in X-CSRF-Token.
 */
export async function principalForSession(
  db: Queryable,
  token: string,
  request: { method: string; csrfHeader: string | undefined },
  now: Date,
): Promise<Principal> {
  const session = await findSession(db, token, now);
  if (!session) throw new Unauthorized('session has ended: sign in again');
  if (!SAFE_METHODS.has(request.method) && !(request.csrfHeader && sameToken(request.csrfHeader, session.csrfToken))) {
    throw new Forbidden('X-CSRF-Token header is missing or wrong: writes made with a session cookie must send the token from /auth/session');
  }
  return { keyId: `session:${session.id}`, account: session.account };
}
