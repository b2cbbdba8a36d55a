// Collection runs: asking for one (joining a pending one, within the account's bound), which feeds it
// covers, and its progress, totals and per-feed outcomes. The states and their moves are in claims.ts.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { Conflict, NotFound } from '../domain/errors.ts';
import { QUEUED_RUN_GRACE_SECONDS, type FeedOutcome } from './claims.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';

export type RunTrigger = 'nightly' | 'manual' | 'backfill' | 'cli';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';

/** How many feeds of a run ended each way; `open` are still pending or being collected. */
export type RunOutcomes = Record<FeedOutcome | 'open', number>;

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
  pages_read: number;
  anomalies: number;
  errors: number;
  error_messages: string[];
  outcomes: RunOutcomes;
}

const SELECT_RUN = `SELECT r.id, r.account_id, r.feed_id, r.trigger, r.since::text AS since, r.status, r.created_at, r.started_at, r.finished_at,
    count(rf.feed_id)::int AS feeds_total,
    count(rf.feed_id) FILTER (WHERE rf.status NOT IN ('pending', 'claimed'))::int AS feeds_done,
    coalesce(sum(rf.devices), 0)::int AS devices,
    coalesce(sum(rf.readings), 0)::int AS readings,
    coalesce(sum(rf.pages), 0)::bigint AS pages,
    coalesce(sum(rf.pages_read), 0)::bigint AS pages_read,
    coalesce(sum(rf.anomalies), 0)::int AS anomalies,
    count(rf.feed_id) FILTER (WHERE rf.status IN ('failed', 'offline'))::int AS errors,
    coalesce(array_agg(rf.error ORDER BY rf.feed_id) FILTER (WHERE rf.status IN ('failed', 'offline')), '{}') AS error_messages,
    json_build_object(
      'collected', count(rf.feed_id) FILTER (WHERE rf.status = 'collected'),
      'failed', count(rf.feed_id) FILTER (WHERE rf.status = 'failed'),
      'offline', count(rf.feed_id) FILTER (WHERE rf.status = 'offline'),
      'waited_for', count(rf.feed_id) FILTER (WHERE rf.status = 'waited_for'),
      'skipped', count(rf.feed_id) FILTER (WHERE rf.status = 'skipped'),
      'open', count(rf.feed_id) FILTER (WHERE rf.status IN ('pending', 'claimed'))) AS outcomes
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
  const id = await db.transaction((tx) => insertRun(tx, run));
  return getRunById(db, id);
}

async function insertRun(tx: Queryable, run: NewRun): Promise<string> {
  const id = crypto.randomUUID();
  {
    await tx.query(
      // Its jobs have a grace period to start it; after that any process's sweep does (claims.ts joinableRuns).
      `INSERT INTO collection_runs (id, account_id, feed_id, trigger, since, created_at, lease_until)
       VALUES ($1, $2, $3, $4, $5::date, $6, now() + make_interval(secs => $7))`,
      [id, run.account.id, run.feedId ?? null, run.trigger, run.since ?? null, run.now, QUEUED_RUN_GRACE_SECONDS],
    );
    await tx.query(
      `INSERT INTO collection_run_feeds (run_id, feed_id, account_id)
       SELECT $1, f.id, f.account_id FROM feeds f JOIN accounts a ON a.id = f.account_id
        WHERE f.deleted_at IS NULL AND f.status = 'active' AND a.status = 'active' AND a.path LIKE $2
          AND ($3::uuid IS NULL OR f.id = $3::uuid) AND (f.activated_at IS NULL OR f.activated_at <= $4) AND f.type <> 'import'`,
      [id, `${run.account.path}%`, run.feedId ?? null, run.now],
    );
  }
  return id;
}

export interface RunRequest extends NewRun {
  /** open runs of this trigger the account may have at once (null: no bound) */
  openRunsBound: number | null;
}

/**
 * Asks for a run. A pending run of the same account, feed and since (none of its feeds started) is joined
 * instead: one pending run per request, however often it is made. Past the account's bound on open runs,
 * a Conflict naming the rule.
 */
export async function requestRun(db: Database, request: RunRequest): Promise<{ run: RunRow; joined: boolean }> {
  const { id, joined } = await db.transaction(async (tx) => {
    // Requests of one account queue here, so two at once cannot both miss the pending run and create two.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`collection-runs:${request.account.id}`]);
    const [pending] = await tx.query<{ id: string }>(
      `SELECT r.id FROM collection_runs r
        WHERE r.account_id = $1 AND r.feed_id IS NOT DISTINCT FROM $2::uuid AND r.since IS NOT DISTINCT FROM $3::date
          AND r.status IN ('queued', 'running')
          AND NOT EXISTS (SELECT 1 FROM collection_run_feeds rf WHERE rf.run_id = r.id AND (rf.attempts > 0 OR rf.status NOT IN ('pending', 'claimed')))
        ORDER BY r.created_at DESC LIMIT 1`,
      [request.account.id, request.feedId ?? null, request.since ?? null],
    );
    if (pending) return { id: pending.id, joined: true };
    if (request.openRunsBound !== null) {
      const [open] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM collection_runs WHERE account_id = $1 AND trigger = $2 AND status IN ('queued', 'running')`,
        [request.account.id, request.trigger],
      );
      if (open.n >= request.openRunsBound) {
        throw new Conflict(
          `collection runs: this account already has ${open.n} open run(s), at most ${request.openRunsBound} (CANOPY_COLLECT_OPEN_RUNS_PER_ACCOUNT); follow them at GET /v1/collection-runs and ask again when one has finished`,
        );
      }
    }
    return { id: await insertRun(tx, request), joined: false };
  });
  return { run: await getRunById(db, id), joined };
}

export interface RunFeedRow {
  feed_id: string;
  account_id: string;
  outcome: FeedOutcome | 'pending' | 'collecting';
  error: string | null;
  covered_by: string | null;
  devices: number;
  readings: number;
  pages: number;
  pages_read: number;
  anomalies: number;
  attempts: number;
  finished_at: Date | null;
}

/** The feeds of a run with how each ended (or that it has not yet), in feed order. */
export async function listRunFeeds(db: Queryable, account: AccountRef, runId: string, page: PageRequest): Promise<RunFeedRow[]> {
  await getRun(db, account, runId);
  const limit = limitClause(page, 2);
  return db.query<RunFeedRow>(
    `SELECT feed_id, account_id, CASE WHEN status = 'claimed' THEN (CASE WHEN collecting THEN 'collecting' ELSE 'pending' END) ELSE status END AS outcome,
        error, covered_by, devices, readings, pages, pages_read, anomalies, attempts, finished_at
       FROM collection_run_feeds WHERE run_id = $1 ORDER BY feed_id ${limit.sql}`,
    [runId, ...limit.params],
  );
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

/** Runs not finished (a process that died leaves them running): resumed when a process starts. */
export async function openRuns(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ id: string }>(`SELECT id FROM collection_runs WHERE status IN ('queued', 'running') ORDER BY created_at`);
  return rows.map((r) => r.id);
}
