// Sends queued emails over SMTP: claims them, sends (with the certificate PDF attached), marks them sent,
// retries temporary failures with backoff and gives up after the bound with the reason kept.
import type { Database } from '../db/database.ts';
import { certificatePeriodLabel, projectLocation } from '../ledger/certificate-pages.ts';
import { renderCertificatePdf } from '../ledger/certificate-pdf.ts';
import type { CertificateRow } from '../ledger/certificates-service.ts';
import type { SecretBox } from '../integrations/secrets.ts';
import { brandingFor } from './branding.ts';
import { isTemporaryFailure, type MailTransport } from './mailer.ts';
import { unsubscribeUrl } from './unsubscribe-links.ts';
import type { MailCategory } from './preferences.ts';

export interface MailSendDeps {
  db: Database;
  transport: MailTransport;
  secrets: SecretBox;
  clock: () => Date;
  random: () => number;
  /** The From address; a dealer's sender name is put before it. */
  from: string;
  attempts: number;
  retryBaseSeconds: number;
  baseUrl: string;
  unsubscribeKey: Buffer;
  /** Messages sent at once (the transport pools its connections). */
  concurrency?: number;
  /** Test hook: called after the SMTP server accepted a message and before it is marked sent (a crash here resends). */
  afterSend?: (id: string) => Promise<void> | void;
}

interface Claimed {
  id: string;
  kind: string;
  account_id: string;
  user_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  sealed: boolean;
  sender_name: string | null;
  certificate_id: string | null;
  attempts: number;
}

const LEASE_MS = 5 * 60_000;
const BATCH = 200;
const CATEGORY: Record<string, MailCategory | undefined> = { certificate: 'certificates', health_alert: 'health_alerts' };

/** The retry delay after the n-th temporary failure: doubling from the base, at most an hour, with jitter. */
export function mailRetryDelayMs(attempt: number, baseSeconds: number, random: () => number): number {
  return Math.round(Math.min(3_600_000, baseSeconds * 1000 * 2 ** (attempt - 1)) * (0.5 + random() / 2));
}

function fromAddress(from: string, senderName: string | null): string {
  if (!senderName) return from;
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return `"${senderName} via Canopy" <${address}>`;
}

type PdfSource = Pick<CertificateRow, 'id' | 'account_id' | 'date' | 'pages' | 'trees' | 'created_at' | 'kind' | 'period'> & {
  account_name: string;
  project_name: string;
  forest_latitude: number | null;
  forest_longitude: number | null;
};

/** What the PDFs of a batch need, in two queries whatever its size; a certificate deleted since is absent (no attachment). */
async function pdfSources(db: Database, ids: string[]): Promise<Map<string, PdfSource & { dealer: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<PdfSource>(
    `SELECT c.id, c.account_id, a.display_name AS account_name, c.date, c.pages, c.trees::text AS trees, c.created_at, t.kind,
            t.period::text AS period, p.name AS project_name, p.forest_latitude, p.forest_longitude
       FROM certificates c JOIN transactions t ON t.id = c.id JOIN accounts a ON a.id = c.account_id JOIN forestry_projects p ON p.id = c.project_id
      WHERE c.id = ANY($1::uuid[])`,
    [ids],
  );
  const brandings = await brandingFor(db, [...new Set(rows.map((r) => r.account_id))]);
  return new Map(rows.map((r) => [r.id, { ...r, dealer: brandings.get(r.account_id)?.sender_name ?? null }]));
}

async function certificatePdf(row: PdfSource & { dealer: string | null }): Promise<{ filename: string; content: Buffer }> {
  const content = await renderCertificatePdf({
    certificateId: row.id, accountName: row.account_name, issuedBy: row.dealer,
    periodLabel: certificatePeriodLabel(row), date: row.date, pages: row.pages, trees: row.trees, projectName: row.project_name,
    projectLocation: projectLocation(row.forest_latitude, row.forest_longitude), issuedAt: row.created_at,
  });
  return { filename: `certificate-${row.id}.pdf`, content };
}

async function sendOne(deps: MailSendDeps, m: Claimed, pdfs: Awaited<ReturnType<typeof pdfSources>>): Promise<'sent' | 'retry' | 'failed'> {
  const open = (body: string) => (m.sealed ? deps.secrets.open(body, m.id) : body);
  const category = CATEGORY[m.kind];
  const unsubscribe = category && m.user_id ? unsubscribeUrl(deps.baseUrl, deps.unsubscribeKey, m.user_id, category) : null;
  const attempts = m.attempts + 1;
  try {
    const source = m.certificate_id ? pdfs.get(m.certificate_id) : undefined;
    const pdf = source ? await certificatePdf(source) : null;
    await deps.transport.send({
      from: fromAddress(deps.from, m.sender_name), to: m.to_address, subject: m.subject, text: open(m.text_body), html: open(m.html_body),
      // The same Message-ID on every attempt: a receiver that saw it already can tell a resend.
      messageId: `<${m.id}@canopy>`,
      headers: unsubscribe ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
      attachments: pdf ? [{ filename: pdf.filename, content: pdf.content, contentType: 'application/pdf' }] : [],
    });
  } catch (error) {
    const reason = String((error as Error).message ?? error).slice(0, 300);
    const now = deps.clock();
    if (isTemporaryFailure(error) && attempts < deps.attempts) {
      await deps.db.query(
        `UPDATE mail_messages SET status = 'queued', attempts = $2, next_attempt_at = $3, lease_until = NULL, last_error = $4 WHERE id = $1 AND status = 'sending'`,
        [m.id, attempts, new Date(now.getTime() + mailRetryDelayMs(attempts, deps.retryBaseSeconds, deps.random)), reason],
      );
      return 'retry';
    }
    await deps.db.query(
      `UPDATE mail_messages SET status = 'failed', attempts = $2, lease_until = NULL, last_error = $3 WHERE id = $1 AND status = 'sending'`,
      [m.id, attempts, `${isTemporaryFailure(error) ? `gave up after ${attempts} attempts` : 'refused'}: ${reason}`],
    );
    return 'failed';
  }
  await deps.afterSend?.(m.id);
  await deps.db.query(
    `UPDATE mail_messages SET status = 'sent', attempts = $2, sent_at = $3, lease_until = NULL, last_error = NULL WHERE id = $1 AND status = 'sending'`,
    [m.id, attempts, deps.clock()],
  );
  return 'sent';
}

/** Sends every message due now; returns what happened to them. */
export async function sendDueMail(deps: MailSendDeps, onProgress?: (sent: number) => void): Promise<{ sent: number; retried: number; failed: number }> {
  const totals = { sent: 0, retried: 0, failed: 0 };
  for (;;) {
    const now = deps.clock();
    // A message left 'sending' by a process that died is due again once its lease lapses (at least once).
    const batch = await deps.db.query<Claimed>(
      `UPDATE mail_messages m SET status = 'sending', lease_until = $3
        WHERE m.id IN (SELECT id FROM mail_messages
                        WHERE (status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)
                        ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING m.id, m.kind, m.account_id, m.user_id, m.to_address, m.subject, m.text_body, m.html_body, m.sealed, m.sender_name,
          m.certificate_id, m.attempts`,
      [now, BATCH, new Date(now.getTime() + LEASE_MS)],
    );
    if (batch.length === 0) break;
    const pdfs = await pdfSources(deps.db, [...new Set(batch.flatMap((m) => (m.certificate_id ? [m.certificate_id] : [])))]);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 8, batch.length) }, async () => {
      while (next < batch.length) {
        const outcome = await sendOne(deps, batch[next++], pdfs);
        if (outcome === 'sent') totals.sent += 1;
        else if (outcome === 'retry') totals.retried += 1;
        else totals.failed += 1;
        onProgress?.(totals.sent);
      }
    }));
  }
  return totals;
}
