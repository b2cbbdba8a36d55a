// Tells an endpoint's owners that Canopy disabled it after three days of failed deliveries.
import type { Queryable } from '../db/database.ts';
import { queueMail, type MailQueue } from './queue-mail.ts';
import { renderMail } from './templates.ts';

export async function queueEndpointDisabledEmail(
  tx: Queryable,
  queue: MailQueue,
  endpoint: { id: string; account_id: string; url: string; reason: string; disabledAt: Date },
): Promise<void> {
  const users = await tx.query<{ id: string; email: string }>(`SELECT id, email FROM users WHERE account_id = $1 ORDER BY email`, [endpoint.account_id]);
  for (const user of users) {
    const body = renderMail({
      heading: 'A webhook endpoint was disabled',
      paragraphs: [
        `Canopy stopped sending events to ${endpoint.url}: ${endpoint.reason}.`,
        'Events that could not be delivered are kept in its delivery log and can be resent once the endpoint answers again; enable it on the Webhooks page.',
      ],
      action: { label: 'Open Webhooks', url: `${queue.baseUrl}/webhooks` },
      signature: 'Canopy',
    });
    await queueMail(tx, queue, {
      causeKey: `webhook_disabled:${endpoint.id}:${endpoint.disabledAt.toISOString()}:${user.id}`, kind: 'webhook_disabled',
      accountId: endpoint.account_id, userId: user.id, to: user.email, subject: 'Canopy: webhook endpoint disabled', ...body, now: endpoint.disabledAt,
    });
  }
}
