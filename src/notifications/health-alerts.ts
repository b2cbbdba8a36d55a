// Health alerts: servers and feeds turning unhealthy or offline (and recovering), told to the dealer's users in
// at most one message per account per hour, grouping everything that changed.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import type { StoredEvent } from '../webhooks/payload.ts';
import { recipients } from './preferences.ts';
import { queueMail, type MailQueue } from './queue-mail.ts';
import { renderMail } from './templates.ts';
import { unsubscribeUrl } from './unsubscribe-links.ts';

const HOUR_MS = 3_600_000;
const LISTED = 50;
const BAD = new Set(['unhealthy', 'offline']);

/** Whether a change is worth telling: turning bad, or coming back from bad (pending → healthy is not news). */
export function isAlertWorthy(health: string, previous: string | null): boolean {
  if (BAD.has(health)) return health !== previous;
  return health === 'healthy' && previous !== null && BAD.has(previous);
}

/** At fan-out: a health event that is news becomes an item waiting for the dealer's next alert. */
export async function collectAlertItem(tx: Queryable, event: StoredEvent): Promise<void> {
  const data = event.data as { id: string; account_id: string; server_id?: string; health_check: string };
  if (!isAlertWorthy(data.health_check, event.previous)) return;
  const subject = event.type === 'server.health_changed' ? 'server' : 'feed';
  await tx.query(
    `INSERT INTO health_alert_items (id, event_id, account_id, subject, health, previous, occurred_at)
     SELECT $1, $2, ${subject === 'server' ? '$3::uuid' : '(SELECT account_id FROM servers WHERE id = $3::uuid)'}, $4, $5, $6, $7
     ON CONFLICT (event_id) DO NOTHING`,
    [crypto.randomUUID(), event.id, subject === 'server' ? data.account_id : data.server_id, subject, data.health_check, event.previous, event.occurred_at],
  );
}

interface Item {
  subject: 'server' | 'feed';
  resource_id: string;
  health: string;
  label: string;
  detail: string | null;
}

function describe(items: Item[]) {
  // The latest change of each server or feed in the group is what the reader needs.
  const latest = new Map(items.map((i) => [`${i.subject}:${i.resource_id}`, i]));
  const pick = (subject: Item['subject'], bad: boolean) => [...latest.values()].filter((i) => i.subject === subject && BAD.has(i.health) === bad);
  const lines = (list: Item[]) => {
    const shown = list.slice(0, LISTED).map((i) => `${i.label} (${i.health}${i.detail ? `: ${i.detail}` : ''})`);
    return list.length > LISTED ? [...shown, `… and ${list.length - LISTED} more`] : shown;
  };
  const groups = [
    { title: 'Servers unhealthy', items: pick('server', true) },
    { title: 'Feeds unhealthy or offline', items: pick('feed', true) },
    { title: 'Servers recovered', items: pick('server', false) },
    { title: 'Feeds recovered', items: pick('feed', false) },
  ].filter((g) => g.items.length > 0);
  const summary = groups.map((g) => `${g.items.length} ${g.title.toLowerCase()}`).join(', ');
  return { summary, lists: groups.map((g) => ({ title: g.title, items: lines(g.items) })) };
}

async function composeFor(db: Database, queue: MailQueue, accountId: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Whoever locks the waiting items composes; another worker finds none and leaves.
    const waiting = await tx.query<{ id: string }>(
      `SELECT id FROM health_alert_items WHERE account_id = $1 AND alert_id IS NULL ORDER BY occurred_at, id FOR UPDATE SKIP LOCKED`, [accountId],
    );
    if (waiting.length === 0) return false;
    const [last] = await tx.query<{ at: Date | null }>(`SELECT max(created_at) AS at FROM health_alerts WHERE account_id = $1`, [accountId]);
    if (last.at && now.getTime() - new Date(last.at).getTime() < HOUR_MS) return false;
    const alertId = crypto.randomUUID();
    await tx.query(`INSERT INTO health_alerts (id, account_id, created_at) VALUES ($1, $2, $3)`, [alertId, accountId, now]);
    await tx.query(`UPDATE health_alert_items SET alert_id = $2 WHERE id = ANY($1::uuid[])`, [waiting.map((w) => w.id), alertId]);
    const items = await tx.query<Item>(
      `SELECT i.subject, e.resource_id, i.health,
              CASE WHEN i.subject = 'server' THEN s.type || ' server ' || s.url
                   ELSE coalesce(ca.display_name, 'customer') || ' · ' || coalesce(f.external_name, f.external_id) END AS label,
              CASE WHEN i.subject = 'server' THEN e.data ->> 'health_check_message' ELSE NULL END AS detail
         FROM health_alert_items i JOIN outbound_events e ON e.id = i.event_id
         LEFT JOIN servers s ON i.subject = 'server' AND s.id = e.resource_id
         LEFT JOIN feeds f ON i.subject = 'feed' AND f.id = e.resource_id
         LEFT JOIN accounts ca ON ca.id = f.account_id
        WHERE i.alert_id = $1 ORDER BY i.occurred_at, i.id`,
      [alertId],
    );
    const { summary, lists } = describe(items);
    for (const user of await recipients(tx, accountId, 'health_alerts')) {
      const body = renderMail({
        heading: 'Collection health changed',
        paragraphs: [`Since the last alert: ${summary}.`, 'Canopy keeps trying: feeds of a server come back on their own when it answers again, and no page is lost meanwhile.'],
        lists,
        action: { label: 'Open Integrations', url: `${queue.baseUrl}/integrations` },
        signature: 'Canopy',
        unsubscribeUrl: unsubscribeUrl(queue.baseUrl, queue.unsubscribeKey, user.id, 'health_alerts'),
      });
      await queueMail(tx, queue, {
        causeKey: `health_alert:${alertId}:${user.id}`, kind: 'health_alert', accountId, userId: user.id, to: user.email,
        subject: `Canopy health: ${summary}`, ...body, now,
      });
    }
    return true;
  });
}

/** Composes the alerts that are due: every account with waiting changes whose last alert is an hour old (or none). */
export async function composeHealthAlerts(db: Database, queue: MailQueue, now: Date): Promise<number> {
  const accounts = await db.query<{ account_id: string }>(`SELECT DISTINCT account_id FROM health_alert_items WHERE alert_id IS NULL`);
  let composed = 0;
  for (const { account_id } of accounts) if (await composeFor(db, queue, account_id, now)) composed += 1;
  return composed;
}
