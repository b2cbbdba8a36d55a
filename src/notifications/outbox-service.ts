// The outbox: every email Canopy made, readable by the account it was sent for (and its ancestors); sendable once SMTP is set.
import type { Queryable } from '../db/database.ts';
import { Conflict, NotFound } from '../domain/errors.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import type { MailKind } from './queue-mail.ts';

export type MailStatus = 'outbox' | 'queued' | 'sending' | 'sent' | 'failed';

export interface OutboxRow {
  id: string;
  kind: MailKind;
  account_id: string;
  to_address: string;
  subject: string;
  /** null when the message carries a one-time link (sealed at rest) */
  text_body: string | null;
  sealed: boolean;
  status: MailStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const SELECT_MESSAGE = `SELECT m.id, m.kind, m.account_id, m.to_address, m.subject, CASE WHEN m.sealed THEN NULL ELSE m.text_body END AS text_body,
    m.sealed, m.status, m.attempts, m.last_error, m.created_at, m.sent_at
  FROM mail_messages m JOIN accounts a ON a.id = m.account_id`;

export async function listOutbox(db: Queryable, account: AccountRef, status: string | undefined, page: PageRequest): Promise<OutboxRow[]> {
  const limit = limitClause(page, 3);
  return db.query<OutboxRow>(
    `${SELECT_MESSAGE} WHERE starts_with(a.path, $1) AND ($2::text IS NULL OR m.status = $2) ORDER BY m.created_at DESC, m.id ${limit.sql}`,
    [account.path, status ?? null, ...limit.params],
  );
}

export async function getOutboxMessage(db: Queryable, account: AccountRef, id: string): Promise<OutboxRow> {
  const rows = await db.query<OutboxRow>(`${SELECT_MESSAGE} WHERE m.id = $1 AND starts_with(a.path, $2)`, [id, account.path]);
  if (rows.length === 0) throw new NotFound('Message');
  return rows[0];
}

/** Queues messages kept in the outbox (and given-up ones) for SMTP: one, or all of the scope. */
export async function queueOutbox(db: Queryable, account: AccountRef, smtp: boolean, now: Date, id?: string): Promise<number> {
  if (id !== undefined) await getOutboxMessage(db, account, id);
  if (!smtp) throw new Conflict('no SMTP server is configured (CANOPY_SMTP_URL): messages stay in the outbox');
  const rows = await db.query(
    `UPDATE mail_messages m SET status = 'queued', next_attempt_at = $2, attempts = 0, last_error = NULL
       FROM accounts a WHERE a.id = m.account_id AND starts_with(a.path, $1) AND m.status IN ('outbox', 'failed')
        AND ($3::uuid IS NULL OR m.id = $3) RETURNING m.id`,
    [account.path, now, id ?? null],
  );
  return rows.length;
}
