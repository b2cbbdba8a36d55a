// Cookie sessions: sign-in (with wrong passwords slowed down), lookup as an API principal, sign-out.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { Forbidden, NotFound } from '../domain/errors.ts';
import { TooManyRequests, Unauthorized } from '../http/errors.ts';
import type { AccountRef, Principal } from '../keys/api-keys.ts';
import { decoyHash, matchingHashes, verifyPassword } from './passwords.ts';
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

/** The throttle counts wrong passwords per email and client address (a proxy's client, when trusted). */
async function checkThrottle(db: Queryable, email: string, client: string, now: Date): Promise<void> {
  const rows = await db.query<{ failures: number; last_failure_at: Date }>(
    `SELECT failures, last_failure_at FROM sign_in_failures WHERE email = $1 AND client = $2`,
    [email, client],
  );
  if (rows.length === 0) return;
  const wait = secondsUntilAllowed(rows[0].failures, new Date(rows[0].last_failure_at), now);
  if (wait > 0) {
    throw new TooManyRequests(`too many wrong passwords for this email: try again in ${wait} second${wait === 1 ? '' : 's'}`, wait);
  }
}

async function recordFailure(db: Database, email: string, client: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ failures: number; last_failure_at: Date }>(
      `SELECT failures, last_failure_at FROM sign_in_failures WHERE email = $1 AND client = $2 FOR UPDATE`,
      [email, client],
    );
    const failures = failuresAfterAnother(rows[0]?.failures ?? 0, rows[0] ? new Date(rows[0].last_failure_at) : null, now);
    await tx.query(
      `INSERT INTO sign_in_failures (email, client, failures, last_failure_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email, client) DO UPDATE SET failures = EXCLUDED.failures, last_failure_at = EXCLUDED.last_failure_at`,
      [email, client, failures, now],
    );
  });
}

/** A user the sign-in opened: an email in one account. */
export interface Membership {
  user_id: string;
  account_id: string;
}

/**
 * Checks email and password against every user with that email, in every account, and opens a session
 * for those whose password it is — never for the first row with the email, so a user another account
 * made with the same email neither shadows nor blocks this one. Several: the person chooses (the
 * session acts for none until then). Unknown emails cost the same time as wrong passwords.
 */
export async function signIn(db: Database, emailInput: string, password: string, now: Date, client = ''): Promise<SignedIn> {
  const email = emailInput.trim().toLowerCase();
  await checkThrottle(db, email, client, now);
  const rows = await db.query<Membership & { password_hash: string }>(
    `SELECT u.id AS user_id, u.account_id, p.password_hash
       FROM users u JOIN user_passwords p ON p.user_id = u.id JOIN accounts a ON a.id = u.account_id
      WHERE lower(u.email) = $1 ORDER BY lower(a.name), a.id`,
    [email],
  );
  if (rows.length === 0) await verifyPassword(password, await decoyHash());
  const matches = await matchingHashes(password, rows.map((r) => r.password_hash));
  const opened = rows.filter((_row, i) => matches[i]);
  if (opened.length === 0) {
    await recordFailure(db, email, client, now);
    throw new Unauthorized(WRONG);
  }
  await db.query(`DELETE FROM sign_in_failures WHERE email = $1 AND client = $2`, [email, client]);
  return openSession(db, opened, now);
}

/** A session for these users (the first acts at once when it is the only one). */
export async function openSession(db: Database, memberships: readonly Membership[], now: Date): Promise<SignedIn> {
  const token = newToken();
  const csrfToken = newToken();
  const sessionId = crypto.randomUUID();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  const [first] = memberships;
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO web_sessions (id, user_id, account_id, token_hash, csrf_token, created_at, expires_at, account_chosen)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [sessionId, first.user_id, first.account_id, tokenHash(token), csrfToken, now, expiresAt, memberships.length === 1],
    );
    for (const m of memberships) {
      await tx.query(`INSERT INTO web_session_accounts (session_id, user_id, account_id) VALUES ($1, $2, $3)`, [sessionId, m.user_id, m.account_id]);
    }
  });
  return { token, sessionId, csrfToken, expiresAt };
}

export interface Session {
  id: string;
  csrfToken: string;
  expiresAt: Date;
  /** False while a sign-in that opened several accounts waits for the person to choose one. */
  accountChosen: boolean;
  user: { id: string; email: string; name: string | null };
  account: AccountRef;
}

export async function findSession(db: Queryable, token: string, now: Date): Promise<Session | null> {
  const rows = await db.query<{
    session_id: string; csrf_token: string; expires_at: Date; account_chosen: boolean; user_id: string; email: string; user_name: string | null;
  } & AccountRef>(
    `SELECT s.id AS session_id, s.csrf_token, s.expires_at, s.account_chosen, u.id AS user_id, u.email, u.name AS user_name,
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
    accountChosen: r.account_chosen,
    user: { id: r.user_id, email: r.email, name: r.user_name },
    account: { id: r.id, name: r.name, role: r.role, path: r.path, status: r.status },
  };
}

/** The accounts a session may act for (the users its sign-in opened that still exist), by name. */
export async function sessionAccounts(db: Queryable, sessionId: string): Promise<Array<{ id: string; name: string; role: string; status: string }>> {
  return db.query(
    `SELECT a.id, a.name, a.role, a.status FROM web_session_accounts m JOIN accounts a ON a.id = m.account_id
      WHERE m.session_id = $1 ORDER BY lower(a.name), a.id`,
    [sessionId],
  );
}

/** Makes the session act for one of the accounts its sign-in opened; any other is 404. */
export async function chooseAccount(db: Queryable, sessionId: string, accountId: string): Promise<void> {
  const rows = await db.query(
    `UPDATE web_sessions s SET user_id = m.user_id, account_id = m.account_id, account_chosen = true
       FROM web_session_accounts m
      WHERE s.id = $1 AND m.session_id = s.id AND m.account_id = $2 AND s.ended_at IS NULL RETURNING s.id`,
    [sessionId, accountId],
  );
  if (rows.length === 0) throw new NotFound('Account');
}

export async function endSession(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query(`UPDATE web_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, now]);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The live session of a cookie, whose writes carry its CSRF token. */
export async function sessionWithCsrf(
  db: Queryable,
  token: string,
  request: { method: string; csrfHeader: string | undefined },
  now: Date,
): Promise<Session> {
  const session = await findSession(db, token, now);
  if (!session) throw new Unauthorized('session has ended: sign in again');
  if (!SAFE_METHODS.has(request.method) && !(request.csrfHeader && sameToken(request.csrfHeader, session.csrfToken))) {
    throw new Forbidden('X-CSRF-Token header is missing or wrong: writes made with a session cookie must send the token from /auth/session');
  }
  return session;
}

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
  const session = await sessionWithCsrf(db, token, request, now);
  if (!session.accountChosen) {
    throw new Forbidden('this sign-in opened several accounts: choose the one to act for first (POST /auth/session/account)');
  }
  return { keyId: `session:${session.id}`, account: session.account };
}
