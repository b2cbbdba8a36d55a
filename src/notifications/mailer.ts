// The SMTP side: a pooled nodemailer transport from CANOPY_SMTP_URL (or none: messages stay in the outbox).
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

export interface MailTransport {
  send(message: Mail.Options): Promise<void>;
  close(): void;
}

/** Connections reused across messages (query options in the URL, e.g. ?maxConnections=8, win). */
export function smtpTransport(url: string, connections = 4): MailTransport {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('pool')) parsed.searchParams.set('pool', 'true');
  if (!parsed.searchParams.has('maxConnections')) parsed.searchParams.set('maxConnections', String(connections));
  const transport = nodemailer.createTransport(parsed.toString());
  return {
    async send(message) {
      await transport.sendMail(message);
    },
    close: () => transport.close(),
  };
}

/** Whether a failure may pass if tried later: 4xx answers and network errors do, 5xx answers do not. */
export function isTemporaryFailure(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return code === undefined || (code >= 400 && code < 500);
}
