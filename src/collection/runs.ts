// Collection runs: which feeds a run covers, who has claimed each, and the run's progress and totals.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';

export type RunTrigger = 'nightly' | 'manual' | 'backfill' | 'cli';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface RunRow {
  id: string;
  account_id: string;
  feed_id: string | null;
  trigger: RunTrigger;
  since: string | null;
  status: RunStatus;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  feeds_total: number;
  feeds_done: number;
  devices: number;
  readings: number;
  pages: number;
  anomalies: number;
  errors: number;
  error_messages: string[];
}

const SELECT_RUN = `SELECT r.id, r.account_id, r.feed_id, r.trigger, r.since::text AS since, r.status, r.created_at, r.started_at, r.finished_at,
    count(rf.feed_id)::int AS feeds_total,
    count(rf.feed_id) FILTER (WHERE rf.status IN ('done', 'failed', 'skipped'))::int AS feeds_done,
    coalesce(sum(rf.devices), 0)::int AS devices,
    coalesce(sum(rf.readings), 0)::int AS readings,
    coalesce(sum(rf.pages), 0)::bigint AS pages,
    coalesce(sum(rf.anomalies), 0)::int AS anomalies,
    (count(rf.feed_id) FILTER (WHERE rf.status = 'failed') + count(rf.feed_id) FILTER (WHERE rf.status = 'skipped' AND rf.error IS NOT NULL))::int AS errors,
    coalesce(array_agg(rf.error ORDER BY rf.feed_id) FILTER (WHERE rf.error IS NOT NULL), '{}') AS error_messages
  FROM collection_runs r LEFT JOIN collection_run_feeds rf ON rf.run_id = r.id`;

export interface NewRun {
  account: Pick<AccountRef, 'id' | 'path'>;
  feedId?: string | null;
  trigger: RunTrigger;
  since?: string | null;
  now: Date;
}

/**
 * A run over the active feeds of active accounts in the account's subtree (or one of them), activated by now.
 * Feeds of deactivated accounts are not collected (deactivation stops collection).
 */
export async function createRun(db: Database, run: NewRun): Promise<RunRow> {
  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO collection_runs (id, account_id, feed_id, trigger, since, created_at) VALUES ($1, $2, $3, $4, $5::date, $6)`,
      [id, run.account.id, run.feedId ?? null, run.trigger, run.since ?? null, run.now],
    );
    await tx.query(
      `INSERT INTO collection_run_feeds (run_id, feed_id, account_id)
       SELECT $1, f.id, f.account_id FROM feeds f JOIN accounts a ON a.id = f.account_id
        WHERE f.deleted_at IS NULL AND f.status = 'active' AND a.status = 'active' AND a.path LIKE $2
          AND ($3::uuid IS NULL OR f.id = $3::uuid) AND (f.activated_at IS NULL OR f.activated_at <= $4) AND f.type <> 'import'`,
      [id, `${run.account.path}%`, run.feedId ?? null, run.now],
    );
  });
  return getRunById(db, id);
}

export async function getRunById(db: Queryable, id: string): Promise<RunRow> {
  const rows = await db.query<RunRow>(`${SELECT_RUN} WHERE r.id = $1 GROUP BY r.id`, [id]);
  if (rows.length === 0) throw new NotFound('Collection run');
  return rows[0];
}

/** A run of the scope account (runs are listed and read by the account that asked for them). */
export async function getRun(db: Queryable, account: AccountRef, id: string): Promise<RunRow> {
  const rows = await db.query<RunRow>(`${SELECT_RUN} WHERE r.id = $1 AND r.account_id = $2 GROUP BY r.id`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Collection run');
  return rows[0];
}

export async function listRuns(db: Queryable, account: AccountRef, page: PageRequest): Promise<RunRow[]> {
  const limit = limitClause(page, 2);
  return db.query<RunRow>(
    `${SELECT_RUN} WHERE r.account_id = $1 GROUP BY r.id ORDER BY r.created_at DESC, r.id ${limit.sql}`,
    [account.id, ...limit.params],
  );
}

/** Whether a live feed belongs to the account with this path or one below it. */
export async function feedUnder(db: Queryable, accountPath: string, feedId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM feeds f JOIN accounts a ON a.id = f.account_id WHERE f.id = $1 AND f.deleted_at IS NULL AND a.path LIKE $2`,
    [feedId, `${accountPath}%`],
  );
  return rows.length > 0;
}

/** Runs not finished (a process that died leaves them running): resumed when a worker starts. */
export async function openRuns(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ id: string }>(`SELECT id FROM collection_runs WHERE status IN ('queued', 'running') ORDER BY created_at`);
  return rows.map((r) => r.id);
}
