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

/** Stores messages in one statement; a cause that already has its message is skipped. Returns how many were new. */
export async function queueMails(tx: Queryable, queue: Pick<MailQueue, 'smtp' | 'secrets'>, mails: NewMail[]): Promise<number> {
  if (mails.length === 0) return 0;
  const ids = mails.map(() => crypto.randomUUID());
  const seal = (body: string, i: number) => (mails[i].sealed ? queue.secrets.seal(body, ids[i]) : body);
  const column = <T>(pick: (mail: NewMail, i: number) => T) => mails.map(pick);
  const rows = await tx.query(
    `INSERT INTO mail_messages (id, cause_key, kind, account_id, user_id, to_address, subject, text_body, html_body, sealed, sender_name,
        certificate_id, status, next_attempt_at, created_at)
     SELECT id, cause_key, kind, account_id, user_id, to_address, subject, text_body, html_body, sealed, sender_name, certificate_id, $13, created_at, created_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[],
                   $11::text[], $12::uuid[], $14::timestamptz[])
         AS m(id, cause_key, kind, account_id, user_id, to_address, subject, text_body, html_body, sealed, sender_name, certificate_id, created_at)
     ON CONFLICT (cause_key) DO NOTHING RETURNING id`,
    [
      ids, column((m) => m.causeKey), column((m) => m.kind), column((m) => m.accountId), column((m) => m.userId), column((m) => m.to),
      column((m) => m.subject), column((m, i) => seal(m.text, i)), column((m, i) => seal(m.html, i)), column((m) => m.sealed ?? false),
      column((m) => m.senderName ?? null), column((m) => m.certificateId ?? null), queue.smtp ? 'queued' : 'outbox', column((m) => m.now),
    ],
  );
  return rows.length;
}

/** Returns false when a message for this cause already exists. */
export async function queueMail(tx: Queryable, queue: Pick<MailQueue, 'smtp' | 'secrets'>, mail: NewMail): Promise<boolean> {
  return (await queueMails(tx, queue, [mail])) === 1;
}
