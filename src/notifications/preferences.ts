// What each user chooses to receive by email, and who receives a kind of message for an account.
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';

export type MailCategory = 'certificates' | 'health_alerts';
export const MAIL_CATEGORIES: readonly MailCategory[] = ['certificates', 'health_alerts'];

export interface Preferences {
  user_id: string;
  certificates: boolean;
  health_alerts: boolean;
}

export interface Recipient {
  id: string;
  email: string;
  name: string | null;
}

/** The users of exactly these accounts who have not opted out of the category. */
export async function recipientsOf(db: Queryable, accountIds: string[], category: MailCategory): Promise<Array<Recipient & { account_id: string }>> {
  return db.query<Recipient & { account_id: string }>(
    `SELECT u.id, u.email, u.name, u.account_id FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
      WHERE u.account_id = ANY($1::uuid[]) AND coalesce(p.${category}, true) ORDER BY u.account_id, u.email`,
    [accountIds],
  );
}

export async function recipients(db: Queryable, accountId: string, category: MailCategory): Promise<Recipient[]> {
  return recipientsOf(db, [accountId], category);
}

export async function getPreferences(db: Queryable, account: AccountRef, userId: string): Promise<Preferences> {
  const rows = await db.query<Preferences>(
    `SELECT u.id AS user_id, coalesce(p.certificates, true) AS certificates, coalesce(p.health_alerts, true) AS health_alerts
       FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.id = $1 AND u.account_id = $2`,
    [userId, account.id],
  );
  if (rows.length === 0) throw new NotFound('User');
  return rows[0];
}

/** Sets the given choices (others unchanged) for a user of any account; the caller has checked who may. */
export async function setPreferences(db: Queryable, userId: string, choices: Partial<Record<MailCategory, boolean>>, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO notification_preferences (user_id, account_id, certificates, health_alerts, updated_at)
     SELECT id, account_id, coalesce($2, true), coalesce($3, true), $4 FROM users WHERE id = $1
     ON CONFLICT (user_id) DO UPDATE SET certificates = coalesce($2, notification_preferences.certificates),
        health_alerts = coalesce($3, notification_preferences.health_alerts), updated_at = $4`,
    [userId, choices.certificates ?? null, choices.health_alerts ?? null, now],
  );
}

export async function updatePreferences(db: Queryable, account: AccountRef, userId: string, choices: Partial<Record<MailCategory, boolean>>, now: Date): Promise<Preferences> {
  await getPreferences(db, account, userId);
  await setPreferences(db, userId, choices, now);
  return getPreferences(db, account, userId);
}
