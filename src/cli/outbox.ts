// `canopy outbox list|show|send`: the emails Canopy made (kept here when no SMTP is configured), and sending them.
import { isUuid } from '../domain/ids.ts';
import { NotFound } from '../domain/errors.ts';
import { isoTimestamp } from '../http/wire.ts';
import { outboundKeys } from '../outbound/keys.ts';
import { createOutbound } from '../outbound/run-outbound.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';

interface MessageRow {
  id: string;
  kind: string;
  to_address: string;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  text_body: string;
  sealed: boolean;
}

export const outboxCommand: StoreCommand = {
  name: 'outbox',
  usage: 'outbox list [--status outbox|queued|sent|failed] [--limit N] | outbox show <message-id> | outbox send',
  help: `Usage: canopy outbox list|show|send

The emails Canopy made (certificates, health alerts, invitations, resets). Without CANOPY_SMTP_URL they
stay in the outbox; once SMTP is set, "send" queues them and sends them now.

Commands
  list [--status outbox|queued|sent|failed] [--limit N]   newest first, with counts by status (default 50)
  show <message-id>                                      one email's text (one-time links are shown here only)
  send                                                   send what the outbox holds (and given-up messages)

Example
  canopy outbox list --status outbox --limit 20`,
  async execute({ db, config, clock, out, progress }, argv) {
    const { values, positionals } = parseOptions('outbox', argv, { status: { type: 'string' }, limit: { type: 'string' } }, true);
    const [action, id] = positionals;
    if (action === 'list') {
      const limit = Number(values.limit ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be a whole number from 1 to 10000');
      const rows = await db.query<MessageRow>(
        `SELECT id, kind, to_address, subject, status, attempts, last_error, created_at FROM mail_messages
          WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, id LIMIT $2`,
        [values.status ?? null, limit],
      );
      const counts = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM mail_messages GROUP BY status ORDER BY status`);
      out(`messages: ${counts.map((c) => `${c.n} ${c.status}`).join(', ') || 'none'}${config.outbound.smtpUrl ? '' : ' (no SMTP configured: new messages stay in the outbox)'}`);
      for (const m of rows) {
        out(`${m.id}  ${isoTimestamp(m.created_at)}  ${m.status.padEnd(7)}  ${m.kind.padEnd(16)}  ${m.to_address}  ${m.subject}${m.last_error ? `  (${m.last_error})` : ''}`);
      }
      return 0;
    }
    if (action === 'show') {
      if (!id || !isUuid(id)) throw new UsageError('outbox show <message-id> (a UUID, as outbox list shows it)');
      const [m] = await db.query<MessageRow>(
        `SELECT id, kind, to_address, subject, status, attempts, last_error, created_at, sent_at, text_body, sealed FROM mail_messages WHERE id = $1`, [id],
      );
      if (!m) throw new NotFound('Message');
      // The operator at the terminal holds the installation key already; a one-time link is shown here and nowhere else.
      const text = m.sealed ? outboundKeys(config).secrets.open(m.text_body, m.id) : m.text_body;
      out(`To: ${m.to_address}`);
      out(`Subject: ${m.subject}`);
      out(`Status: ${m.status} (${m.attempts} attempt(s))${m.sent_at ? `, sent ${isoTimestamp(m.sent_at)}` : ''}${m.last_error ? `, last error: ${m.last_error}` : ''}`);
      out('');
      out(text);
      return 0;
    }
    if (action === 'send') {
      if (!config.outbound.smtpUrl) throw new UsageError('set CANOPY_SMTP_URL (e.g. smtps://user:password@smtp.example.com:465) to send the outbox');
      const queued = await db.query(`UPDATE mail_messages SET status = 'queued', next_attempt_at = $1, attempts = 0, last_error = NULL WHERE status IN ('outbox', 'failed') RETURNING id`, [clock()]);
      const [{ total }] = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM mail_messages WHERE status IN ('queued', 'sending')`);
      out(`${queued.length} message(s) moved from the outbox; ${total} to send`);
      const outbound = createOutbound({ db, config, clock });
      try {
        const result = await outbound.sendMail((sent) => progress?.({ done: sent, total, detail: 'emails sent' }));
        out(`sent ${result.sent}, ${result.retried} to retry later (temporary SMTP failures), ${result.failed} given up`);
        return result.failed > 0 ? 1 : 0;
      } finally {
        outbound.close();
      }
    }
    throw new UsageError(`usage: canopy ${this.usage}`);
  },
};
