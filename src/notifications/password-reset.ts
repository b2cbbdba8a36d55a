// Forgot password: a one-time reset link by email, the same answer whether the address is known or not, throttled.
import type { Database } from '../db/database.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { createPasswordLink } from '../sessions/password-links.ts';
import { queuePasswordLinkEmail } from './password-link-email.ts';
import type { MailQueue } from './queue-mail.ts';

/** Requests per hour: per email address typed, and per client address. */
export const RESETS_PER_EMAIL_PER_HOUR = 3;
export const RESETS_PER_CLIENT_PER_HOUR = 20;
const HOUR_MS = 3_600_000;

/** Counts one request against a key; false once it is over its hourly allowance. */
async function withinAllowance(db: Database, key: string, allowance: number, now: Date): Promise<boolean> {
  const [row] = await db.query<{ requests: number }>(
    `INSERT INTO password_reset_requests (key, requests, window_started_at) VALUES ($1, 1, $2)
     ON CONFLICT (key) DO UPDATE SET
       requests = CASE WHEN password_reset_requests.window_started_at <= $3 THEN 1 ELSE password_reset_requests.requests + 1 END,
       window_started_at = CASE WHEN password_reset_requests.window_started_at <= $3 THEN $2 ELSE password_reset_requests.window_started_at END
     RETURNING requests`,
    [key, now, new Date(now.getTime() - HOUR_MS)],
  );
  return row.requests <= allowance;
}

/**
 * Emails a reset link to every user signing in with this address (unless throttled). Says nothing about
 * whether there is one: the caller answers the same in every case.
 */
export async function requestPasswordReset(db: Database, queue: MailQueue, email: string, clientAddress: string, now: Date): Promise<{ sent: number }> {
  const address = email.trim().toLowerCase();
  // Both allowances are counted on every request, so a throttled address cannot be probed either.
  const perEmail = await withinAllowance(db, `email:${address}`, RESETS_PER_EMAIL_PER_HOUR, now);
  const perClient = await withinAllowance(db, `client:${clientAddress}`, RESETS_PER_CLIENT_PER_HOUR, now);
  if (!perEmail || !perClient) return { sent: 0 };
  const users = await db.query<{ id: string; account_id: string; account_name: string; name: string; role: AccountRef['role']; path: string; status: AccountRef['status'] }>(
    `SELECT u.id, u.account_id, a.display_name AS account_name, a.name, a.role, a.path, a.status
       FROM users u JOIN accounts a ON a.id = u.account_id WHERE lower(u.email) = $1`,
    [address],
  );
  for (const user of users) {
    const account: AccountRef = { id: user.account_id, name: user.name, role: user.role, path: user.path, status: user.status };
    const link = await createPasswordLink(db, account, user.id, now);
    await queuePasswordLinkEmail(db, queue, { ...link, accountId: user.account_id, accountName: user.account_name }, 'password_reset', now);
  }
  return { sent: users.length };
}
