// Fans recorded events out: a delivery per subscribed endpoint, certificate emails, health-alert items; then marks them.
import type { Database } from '../db/database.ts';
import { queueCertificateEmails } from '../notifications/certificate-email.ts';
import { collectAlertItem } from '../notifications/health-alerts.ts';
import type { MailQueue } from '../notifications/queue-mail.ts';
import type { StoredEvent } from '../webhooks/payload.ts';

const BATCH = 500;

export interface FanOutDeps {
  db: Database;
  queue: MailQueue;
  co2GramsPerPage: number;
  clock: () => Date;
}

/** Handles every event not yet fanned out, a batch per transaction; re-running one is harmless (unique keys). */
export async function fanOutEvents(deps: FanOutDeps): Promise<{ events: number; deliveries: number }> {
  const totals = { events: 0, deliveries: 0 };
  for (;;) {
    const done = await deps.db.transaction(async (tx) => {
      const now = deps.clock();
      const events = await tx.query<StoredEvent>(
        `SELECT id, type, account_id, resource_id, data, previous, occurred_at FROM outbound_events
          WHERE fanned_out_at IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (events.length === 0) return null;
      const ids = events.map((e) => e.id);
      // An endpoint of the event's account or of any ancestor that wants the type; never anything outside.
      const deliveries = await tx.query(
        `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, account_id, next_attempt_at, period_started_at, created_at)
         SELECT gen_random_uuid(), ev.id, e.id, e.account_id, $2, $2, $2
           FROM outbound_events ev JOIN accounts a ON a.id = ev.account_id
           JOIN webhook_endpoints e ON e.status = 'enabled' AND ev.type = ANY(e.events) AND starts_with(a.path, e.account_path)
          WHERE ev.id = ANY($1::uuid[])
         ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`,
        [ids, now],
      );
      await queueCertificateEmails(tx, deps.queue, events.filter((e) => e.type === 'certificate.issued'), deps.co2GramsPerPage, now);
      for (const event of events) {
        if (event.type === 'feed.health_changed' || event.type === 'server.health_changed') await collectAlertItem(tx, event);
      }
      await tx.query(`UPDATE outbound_events SET fanned_out_at = $2 WHERE id = ANY($1::uuid[])`, [ids, now]);
      return { events: events.length, deliveries: deliveries.length };
    });
    if (!done) return totals;
    totals.events += done.events;
    totals.deliveries += done.deliveries;
  }
}
