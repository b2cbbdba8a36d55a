// Email and webhook settings: SMTP, the sender, retry bounds and the webhook request timeout.
import { ConfigError, integer, text } from '../config.ts';

export interface OutboundSettings {
  /** smtp:// or smtps:// URL with credentials; null keeps every message in the outbox. */
  smtpUrl: string | null;
  /** The From address, e.g. `Canopy <canopy@example.com>`. */
  mailFrom: string;
  /** Attempts per email on temporary SMTP failures before it is given up (the reason is kept). */
  mailAttempts: number;
  /** First retry delay of an email; doubles per attempt with jitter, at most an hour. */
  mailRetryBaseSeconds: number;
  /** Timeout of one webhook request (connect to response headers). */
  webhookTimeoutMs: number;
  /** When the outbound job runs (fans events out, sends what is due). */
  outboundCron: string;
}

export function loadOutboundSettings(env: NodeJS.ProcessEnv): OutboundSettings {
  const smtpUrl = text(env, 'CANOPY_SMTP_URL');
  if (smtpUrl !== null) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new ConfigError('CANOPY_SMTP_URL must be a URL such as smtps://user:password@smtp.example.com:465');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('CANOPY_SMTP_URL must start with smtp:// or smtps://');
  }
  const mailFrom = text(env, 'CANOPY_MAIL_FROM') ?? 'Canopy <canopy@localhost>';
  if (!/@/.test(mailFrom) || /[\r\n]/.test(mailFrom)) throw new ConfigError('CANOPY_MAIL_FROM must be an address like "Canopy <canopy@example.com>"');
  return {
    smtpUrl,
    mailFrom,
    mailAttempts: integer(env, 'CANOPY_MAIL_ATTEMPTS', 8, 1, 100),
    mailRetryBaseSeconds: integer(env, 'CANOPY_MAIL_RETRY_BASE_SECONDS', 60, 1, 3600),
    webhookTimeoutMs: integer(env, 'CANOPY_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    outboundCron: text(env, 'CANOPY_OUTBOUND_CRON') ?? '* * * * *',
  };
}
