// Who may collect a feed now: the states of runs, of a run's feeds and of feed claims, and every move
// between them, each one SQL statement with its precondition (README "Collection": the diagram).
import type { Database, Queryable } from '../db/database.ts';

/** A run's feed ends in one of these; `pending` and `claimed` are the open states. */
export type FeedOutcome = 'collected' | 'failed' | 'offline' | 'waited_for' | 'skipped';
export const FEED_OUTCOMES: readonly FeedOutcome[] = ['collected', 'failed', 'offline', 'waited_for', 'skipped'];

/** Seconds a queued run waits for one of its jobs to start it before any process's sweep joins it. */
export const QUEUED_RUN_GRACE_SECONDS = 120;

/** Collector deaths on one (run, feed) after which it is failed instead of resumed again. */
export const DEATHS_BEFORE_FAILING = 2;

const lease = (param: string) => `now() + make_interval(secs => ${param})`;

// ---- runs: queued -> running -> succeeded | partial | failed -------------------------------------------

/** queued|running -> running; renews the run's lease. Null when the run is finished (nothing to do). */
export async function startRun(db: Queryable, runId: string, now: Date, leaseSeconds: number): Promise<{ since: string | null; created_at: Date; request_order: string } | null> {
  const [run] = await db.query<{ since: string | null; created_at: Date; request_order: string }>(
    `UPDATE collection_runs SET status = 'running', started_at = coalesce(started_at, $2), lease_until = ${lease('$3')}
      WHERE id = $1 AND status IN ('queued', 'running') RETURNING since::text AS since, created_at, request_order::text AS request_order`,
    [runId, now, leaseSeconds],
  );
  return run ?? null;
}

/** Keeps the runs this process works on from looking abandoned. */
export async function renewRuns(db: Queryable, runIds: string[], leaseSeconds: number): Promise<void> {
  if (runIds.length === 0) return;
  await db.query(
    `UPDATE collection_runs SET lease_until = ${lease('$2')} WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
    [runIds, leaseSeconds],
  );
}

/**
 * running -> succeeded (every feed collected, covered by another run, or no longer active) | failed (none
 * collected) | partial; only once no feed of the run is open. False when feeds are still open.
 */
export async function closeRun(db: Queryable, runId: string, now: Date): Promise<boolean> {
  const closed = await db.query(
    `UPDATE collection_runs r SET finished_at = $2, lease_until = NULL, status = (
        SELECT CASE WHEN count(*) FILTER (WHERE rf.status IN ('failed', 'offline')) = 0 THEN 'succeeded'
                    WHEN count(*) FILTER (WHERE rf.status IN ('collected', 'waited_for')) = 0 THEN 'failed'
                    ELSE 'partial' END
          FROM collection_run_feeds rf WHERE rf.run_id = r.id)
      WHERE r.id = $1 AND r.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM collection_run_feeds rf WHERE rf.run_id = r.id AND rf.status IN ('pending', 'claimed'))
      RETURNING r.id`,
    [runId, now],
  );
  return closed.length > 0;
}

/**
 * Open runs a live process should join: one whose lease lapsed (the processes on it died, or its jobs
 * never started it), and one that has a feed nobody is collecting (so no process idles while another has
 * a queue of them).
 */
export async function joinableRuns(db: Queryable, exclude: string[], limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await db.query<{ id: string }>(
    `SELECT r.id FROM collection_runs r
      WHERE r.status IN ('queued', 'running') AND NOT (r.id = ANY($1::uuid[]))
        AND (r.lease_until < now() OR (r.status = 'running' AND EXISTS (
          SELECT 1 FROM collection_run_feeds rf WHERE rf.run_id = r.id
             AND ((rf.status = 'pending' AND (rf.lease_until IS NULL OR rf.lease_until < now())) OR (rf.status = 'claimed' AND rf.lease_until < now())))))
      ORDER BY r.created_at LIMIT $2`,
    [exclude, limit],
  );
  return rows.map((r) => r.id);
}

// ---- a run's feeds: pending -> claimed -> collected | failed | offline | waited_for | skipped -----------
//                    claimed -> pending (deferred: another run holds the feed, or our claim was lost)

/**
 * claimed (lapsed, its collector was collecting) -> failed, when that collector was the second to die on
 * it: the feed is not resumed blindly a third time. Returns the feeds failed.
 */
export async function failCrashLooping(db: Queryable, runId: string, now: Date): Promise<Array<{ feed_id: string; error: string }>> {
  return db.query<{ feed_id: string; error: string }>(
    `UPDATE collection_run_feeds SET status = 'failed', collecting = false, finished_at = $2, deaths = deaths + 1,
        error = 'feed ' || feed_id || ': the process collecting it died ' || (deaths + 1) || ' times in this run; not resumed again (see the server log; collect it again once the cause is fixed)'
      WHERE run_id = $1 AND status = 'claimed' AND collecting AND lease_until < now() AND deaths + 1 >= $3
      RETURNING feed_id, error`,
    [runId, now, DEATHS_BEFORE_FAILING],
  );
}

/**
 * pending (not deferred) | claimed (lapsed) -> claimed by this worker, a few at a time. A lapsed claim whose
 * collector was collecting counts a death.
 */
export async function claimRunFeeds(db: Queryable, runId: string, workerId: string, leaseSeconds: number, limit: number): Promise<string[]> {
  const rows = await db.query<{ feed_id: string }>(
    `UPDATE collection_run_feeds SET status = 'claimed', claimed_by = $2, lease_until = ${lease('$3')},
        deaths = deaths + CASE WHEN status = 'claimed' AND collecting THEN 1 ELSE 0 END, collecting = false
      WHERE run_id = $1 AND feed_id IN (
        SELECT feed_id FROM collection_run_feeds
         WHERE run_id = $1 AND ((status = 'pending' AND (lease_until IS NULL OR lease_until < now())) OR (status = 'claimed' AND lease_until < now()))
         ORDER BY feed_id LIMIT $4 FOR UPDATE SKIP LOCKED)
      RETURNING feed_id`,
    [runId, workerId, leaseSeconds, limit],
  );
  return rows.map((r) => r.feed_id);
}

/** The run feeds this worker has claimed stay its own while it lives. */
export async function renewRunFeeds(db: Queryable, runIds: string[], workerId: string, leaseSeconds: number): Promise<void> {
  if (runIds.length === 0) return;
  await db.query(
    `UPDATE collection_run_feeds SET lease_until = ${lease('$3')} WHERE run_id = ANY($1::uuid[]) AND claimed_by = $2 AND status = 'claimed'`,
    [runIds, workerId, leaseSeconds],
  );
}

/** claimed -> claimed, collecting: this worker's lane now holds the feed's claim (one attempt more). */
export async function markCollecting(db: Queryable, runId: string, feedId: string, workerId: string): Promise<void> {
  await db.query(
    `UPDATE collection_run_feeds SET collecting = true, attempts = attempts + 1
      WHERE run_id = $1 AND feed_id = $2 AND claimed_by = $3 AND status = 'claimed'`,
    [runId, feedId, workerId],
  );
}

/** claimed -> pending, not before `afterSeconds`: the run comes back to the feed when its holder is done. */
export async function deferRunFeed(db: Queryable, runId: string, feedId: string, workerId: string, afterSeconds: number): Promise<void> {
  await db.query(
    `UPDATE collection_run_feeds SET status = 'pending', claimed_by = NULL, collecting = false, lease_until = ${lease('$4')}
      WHERE run_id = $1 AND feed_id = $2 AND claimed_by = $3 AND status = 'claimed'`,
    [runId, feedId, workerId, afterSeconds],
  );
}

export interface FeedTotals {
  devices: number;
  readings: number;
  pages: number;
  pagesRead: number;
  anomalies: number;
}

/** claimed (by this worker) -> an outcome. */
export async function finishRunFeed(
  db: Queryable, runId: string, feedId: string, workerId: string,
  end: { outcome: FeedOutcome; totals?: FeedTotals; error?: string | null; coveredBy?: string | null; now: Date },
): Promise<void> {
  const t = end.totals;
  await db.query(
    `UPDATE collection_run_feeds SET status = $4, devices = $5, readings = $6, pages = $7, pages_read = $8, anomalies = $9,
        error = $10, covered_by = $11, finished_at = $12, collecting = false
      WHERE run_id = $1 AND feed_id = $2 AND claimed_by = $3 AND status = 'claimed'`,
    [runId, feedId, workerId, end.outcome, t?.devices ?? 0, t?.readings ?? 0, t?.pages ?? 0, t?.pagesRead ?? 0, t?.anomalies ?? 0,
      end.error ?? null, end.coveredBy ?? null, end.now],
  );
}

/** pending -> offline for every feed of the run on a server that failed its check; returns their types. */
export async function offlineServerFeeds(db: Queryable, runId: string, serverId: string, reason: string, now: Date): Promise<string[]> {
  const rows = await db.query<{ type: string }>(
    `UPDATE collection_run_feeds rf SET status = 'offline', error = $3, finished_at = $4, collecting = false
      FROM feeds f WHERE f.id = rf.feed_id AND rf.run_id = $1 AND f.server_id = $2 AND rf.status = 'pending'
      RETURNING f.type`,
    [runId, serverId, reason, now],
  );
  return rows.map((r) => r.type);
}

// ---- feed claims: free -> held by one lane's token -> free ---------------------------------------------

export interface HeldFeed {
  id: string;
  account_id: string;
  server_id: string;
  type: string;
  external_id: string;
  collection_scope: 'all' | 'managed_only';
  activated_at: Date | null;
  window_start: Date | null;
  collected_by_run: string | null;
  collected_claim_at: Date | null;
  /** where the claim of the last finished collection stands in the order of requests and claims */
  collected_claim_order: string | null;
  collected_from: Date | null;
}

/**
 * free (no holder, or a lapsed one) -> held by `token` for `runId`. Null when another lane holds it, or the
 * feed is no longer active. Only the holder's token may write a chunk (writeChunk checks it).
 */
export async function takeFeed(db: Queryable, feedId: string, token: string, runId: string, now: Date, leaseSeconds: number): Promise<HeldFeed | null> {
  const [feed] = await db.query<HeldFeed>(
    `UPDATE feeds SET lease_owner = $2, lease_run = $3, lease_taken_at = $4, lease_order = nextval('collection_order'), lease_until = ${lease('$5')}
      WHERE id = $1 AND deleted_at IS NULL AND status = 'active' AND (lease_owner IS NULL OR lease_until < now())
      RETURNING id, account_id, server_id, type, external_id, collection_scope, activated_at, window_start,
        collected_by_run, collected_claim_at, collected_claim_order::text AS collected_claim_order, collected_from`,
    [feedId, token, runId, now, leaseSeconds],
  );
  return feed ?? null;
}

/** Held -> held longer, for the tokens a process's lanes hold. */
export async function renewFeeds(db: Queryable, tokens: string[], leaseSeconds: number): Promise<void> {
  if (tokens.length === 0) return;
  await db.query(`UPDATE feeds SET lease_until = ${lease('$2')} WHERE lease_owner = ANY($1::text[])`, [tokens, leaseSeconds]);
}

/**
 * Held by `token`: the cursor moves back to `from` (collect --since) and every device re-bases on its
 * reading before it, in one transaction. False when the token no longer holds the feed.
 */
export async function rewindFeed(db: Database, feedId: string, token: string, from: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const moved = await tx.query(`UPDATE feeds SET window_start = $2 WHERE id = $1 AND lease_owner = $3 RETURNING id`, [feedId, from, token]);
    if (moved.length === 0) return false;
    await tx.query(`UPDATE feed_devices SET base_count = NULL, base_read_at = NULL WHERE feed_id = $1`, [feedId]);
    return true;
  });
}

/** Held by `token` -> free; a collection that finished records itself as covering requests made before its claim. */
export async function releaseFeed(db: Queryable, feedId: string, token: string, collected: { from: Date | null } | null): Promise<void> {
  await db.query(
    `UPDATE feeds SET lease_owner = NULL, lease_until = NULL, lease_run = NULL, lease_taken_at = NULL, lease_order = NULL,
        collected_by_run = CASE WHEN $3 THEN lease_run ELSE collected_by_run END,
        collected_claim_at = CASE WHEN $3 THEN lease_taken_at ELSE collected_claim_at END,
        collected_claim_order = CASE WHEN $3 THEN lease_order ELSE collected_claim_order END,
        collected_from = CASE WHEN $3 THEN $4::timestamptz ELSE collected_from END
      WHERE id = $1 AND lease_owner = $2`,
    [feedId, token, collected !== null, collected?.from ?? null],
  );
}

/**
 * Any state -> free, and no earlier collection covers anything: the feed restarts (new activation, entity,
 * scope) or stops. A lane that held it finds its next chunk refused and comes back to it.
 */
export async function breakFeedClaim(db: Queryable, feedId: string): Promise<void> {
  await db.query(
    `UPDATE feeds SET lease_owner = NULL, lease_until = NULL, lease_run = NULL, lease_taken_at = NULL, lease_order = NULL,
        collected_by_run = NULL, collected_claim_at = NULL, collected_claim_order = NULL, collected_from = NULL
      WHERE id = $1`,
    [feedId],
  );
}

/** Whether a finished collection of a feed covers a run's request: its claim came after the request, from no later a day. */
export function coveredBy(
  feed: Pick<HeldFeed, 'collected_by_run' | 'collected_claim_order' | 'collected_from'>, run: { id: string; request_order: string; from: Date | null },
): string | null {
  if (feed.collected_by_run === null || feed.collected_by_run === run.id || feed.collected_claim_order === null) return null;
  if (BigInt(feed.collected_claim_order) < BigInt(run.request_order)) return null;
  if (run.from !== null && (feed.collected_from === null || feed.collected_from.getTime() > run.from.getTime())) return null;
  return feed.collected_by_run;
}

/** A process that is the store's only one (embedded) starts: every claim it finds was held by its dead self. */
export async function lapseAllClaims(db: Queryable): Promise<void> {
  await db.query(`UPDATE feeds SET lease_until = now() - interval '1 second' WHERE lease_owner IS NOT NULL`);
  await db.query(`UPDATE collection_run_feeds SET lease_until = now() - interval '1 second' WHERE status = 'claimed'`);
  await db.query(`UPDATE collection_runs SET lease_until = now() - interval '1 second' WHERE status IN ('queued', 'running')`);
}
