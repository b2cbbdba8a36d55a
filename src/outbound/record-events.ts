// Writes outbound events inside the transaction of their cause (the transactional outbox): one call per cause.
import type { Queryable } from '../db/database.ts';
import { PROJECT_COLUMNS } from '../catalog/projects.ts';
import { FEED_COLUMNS } from '../integrations/feeds-service.ts';
import { SERVER_COLUMNS } from '../integrations/servers-service.ts';
import type { EventType } from './event-types.ts';

/**
 * Only when some enabled endpoint of the account or an ancestor wants this type: a night of deposits makes
 * no event rows for an installation without webhooks. `$type` is the parameter holding the event type.
 */
const WANTED = (accountColumn: string, type: string) => `EXISTS (
  SELECT 1 FROM webhook_endpoints e JOIN accounts a ON a.id = ${accountColumn}
   WHERE e.status = 'enabled' AND ${type} = ANY(e.events) AND starts_with(a.path, e.account_path))`;

/** A deposit created, replaced or about to be deleted (call before the DELETE: its row is the payload). */
export async function recordDepositEvent(tx: Queryable, type: 'deposit.created' | 'deposit.updated' | 'deposit.deleted', depositId: string): Promise<void> {
  await tx.query(
    `INSERT INTO outbound_events (id, type, account_id, resource_id, data, occurred_at)
     SELECT gen_random_uuid(), $2, d.account_id, d.id, to_jsonb(d) - 'carried_pages', statement_timestamp()
       FROM deposits d WHERE d.id = $1 AND ${WANTED('d.account_id', '$2')}`,
    [depositId, type],
  );
}

/**
 * Transactions just inserted with their certificates (month close and direct): transaction.created when
 * wanted, certificate.issued always (it is emailed to the customer's users).
 */
export async function recordLedgerEvents(tx: Queryable, transactionIds: string[]): Promise<void> {
  await tx.query(
    `INSERT INTO outbound_events (id, type, account_id, resource_id, data, occurred_at)
     SELECT gen_random_uuid(), 'transaction.created', t.account_id, t.id, to_jsonb(t), t.created_at
       FROM transactions t WHERE t.id = ANY($1::uuid[]) AND ${WANTED('t.account_id', "'transaction.created'")}`,
    [transactionIds],
  );
  await tx.query(
    `INSERT INTO outbound_events (id, type, account_id, resource_id, data, occurred_at)
     SELECT gen_random_uuid(), 'certificate.issued', c.account_id, c.id,
            to_jsonb(c) || jsonb_build_object('kind', t.kind, 'period', t.period,
              'project', (SELECT to_jsonb(s) FROM (SELECT ${PROJECT_COLUMNS} FROM forestry_projects p WHERE p.id = c.project_id) s)),
            c.created_at
       FROM certificates c JOIN transactions t ON t.id = c.id WHERE c.id = ANY($1::uuid[])`,
    [transactionIds],
  );
}

async function recordFeeds(tx: Queryable, changes: Array<{ id: string; previous: string }>): Promise<void> {
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO outbound_events (id, type, account_id, resource_id, data, previous, occurred_at)
     SELECT gen_random_uuid(), 'feed.health_changed', x.account_id, x.id, to_jsonb(x), c.previous, coalesce(x.health_check_changed_at, statement_timestamp())
       FROM (SELECT ${FEED_COLUMNS} FROM feeds f) x JOIN unnest($1::uuid[], $2::text[]) AS c(id, previous) ON c.id = x.id
      WHERE x.health_check IS DISTINCT FROM c.previous`,
    [changes.map((c) => c.id), changes.map((c) => c.previous)],
  );
}

/** A feed's health as it was before the caller changed it (in the same transaction); records only a real change. */
export async function recordFeedHealth(tx: Queryable, feedId: string, previous: string): Promise<void> {
  await recordFeeds(tx, [{ id: feedId, previous }]);
}

/**
 * Snapshots a server's health and its feeds' before a health check writes them; `record()`, called at the
 * end of the same transaction, writes an event for each one that changed.
 */
export async function watchServerHealth(tx: Queryable, serverId: string): Promise<{ record(): Promise<void> }> {
  const [server] = await tx.query<{ health_check: string }>(`SELECT health_check FROM servers WHERE id = $1`, [serverId]);
  const feeds = await tx.query<{ id: string; previous: string }>(
    `SELECT id, health_check AS previous FROM feeds WHERE server_id = $1 AND deleted_at IS NULL`, [serverId],
  );
  return {
    async record() {
      if (server) {
        await tx.query(
          `INSERT INTO outbound_events (id, type, account_id, resource_id, data, previous, occurred_at)
           SELECT gen_random_uuid(), 'server.health_changed', x.account_id, x.id, to_jsonb(x), $2, coalesce(x.health_check_changed_at, statement_timestamp())
             FROM (SELECT ${SERVER_COLUMNS} FROM servers WHERE id = $1) x WHERE x.health_check <> $2`,
          [serverId, server.health_check],
        );
      }
      await recordFeeds(tx, feeds);
    },
  };
}

/** A collection run that has just finished (succeeded or failed). */
export async function recordRunFinished(tx: Queryable, runId: string): Promise<void> {
  await tx.query(
    `INSERT INTO outbound_events (id, type, account_id, resource_id, data, occurred_at)
     SELECT gen_random_uuid(), 'collection_run.finished', r.account_id, r.id, jsonb_build_object('id', r.id), coalesce(r.finished_at, statement_timestamp())
       FROM collection_runs r WHERE r.id = $1 AND r.status IN ('succeeded', 'failed') AND ${WANTED('r.account_id', "'collection_run.finished'")}`,
    [runId],
  );
}

export type { EventType };
