// Puts one email in the store, once per cause: queued for SMTP, or kept in the outbox when none is configured.
import crypto from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import type { SecretBox } from '../integrations/secrets.ts';

export type MailKind = 'certificate' | 'health_alert' | 'invitation' | 'password_reset' | 'webhook_disabled';

export interface MailQueue {
  /** Whether SMTP is configured: new messages are queued for it, else kept in the outbox. */
  smtp: boolean;
  secrets: SecretBox;
  /** The dashboard's origin, for links in the messages. */
  baseUrl: string;
  unsubscribeKey: Buffer;
}

export interface NewMail {
  /** Unique per message: the same cause never makes a second one. */
  causeKey: string;
  kind: MailKind;
  accountId: string;
  userId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Carries a one-time link: sealed at rest, never shown by the API or the dashboard. */
  sealed?: boolean;
  senderName?: string | null;
  certificateId?: string | null;
  now: Date;
}

/** Returns false when a message for this cause already exists. */
export async function queueMail(tx: Queryable, queue: Pick<MailQueue, 'smtp' | 'secrets'>, mail: NewMail): Promise<boolean> {
  const id = crypto.randomUUID();
  const seal = (body: string) => (mail.sealed ? queue.secrets.seal(body, id) : body);
  const rows = await tx.query(
    `INSERT INTO mail_messages (id, cause_key, kind, account_id, user_id, to_address, subject, text_body, html_body, sealed, sender_name,
        certificate_id, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
     ON CONFLICT (cause_key) DO NOTHING RETURNING id`,
    [id, mail.causeKey, mail.kind, mail.accountId, mail.userId, mail.to, mail.subject, seal(mail.text), seal(mail.html), mail.sealed ?? false,
      mail.senderName ?? null, mail.certificateId ?? null, queue.smtp ? 'queued' : 'outbox', mail.now],
  );
  return rows.length > 0;
}
