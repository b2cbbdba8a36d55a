// The collection engine: runs a collection over its feeds (claimed across workers, bounded per server and
// overall), checks servers' health, and keeps feeds' health and leases.
import crypto from 'node:crypto';
import os from 'node:os';
import type { Database } from '../db/database.ts';
import { startOfDay } from '../domain/calendar.ts';
import { DEFAULT_WINDOW_POLICY, type WindowPolicy } from '../domain/collection-window.ts';
import { Conflict } from '../domain/errors.ts';
import { openConnector } from '../connectors/connect.ts';
import { UpstreamError } from '../connectors/http/upstream-client.ts';
import { Limiter, forEachConcurrently } from '../connectors/http/limiter.ts';
import type { Connector, ConnectorOptions, ServerAccess } from '../connectors/types.ts';
import { serverAccess, testConnection, type ConnectionTest, type ServerRow } from '../integrations/servers-service.ts';
import type { SecretBox } from '../integrations/secrets.ts';
import type { CollectionSettings } from './settings.ts';
import { collectCounterFeed, collectJobFeed, collectTenantFeed, type CollectFeedDeps, type FeedCollection, type FeedToCollect } from './collect-feed.ts';
import { getRunById, type RunRow } from './runs.ts';
import { healthAfterCollection } from './feed-ledger.ts';
import { collectionMetrics } from './metrics.ts';
import { fairToIo } from './fair-db.ts';
import { recordFeedHealth, recordRunFinished, watchServerHealth } from '../outbound/record-events.ts';

export interface EngineDeps {
  db: Database;
  settings: CollectionSettings;
  secrets: SecretBox;
  clock: () => Date;
  log: (line: string) => void;
  /** seconds a claim on a feed lasts without renewal (a crashed worker's feeds are taken over after it) */
  leaseSeconds?: number;
  workerId?: string;
  /** test hook: called before each feed is collected */
  beforeFeed?: (feedId: string) => Promise<void> | void;
}

export interface RunProgress {
  run: RunRow;
  /** feeds this process collected so far in this execution */
  processed: number;
}

export interface CollectionEngine {
  readonly workerId: string;
  connect(access: ServerAccess): Connector;
  /** Collects the run's feeds that no other worker holds; resolves with the run as this worker leaves it. */
  executeRun(runId: string, options?: { onProgress?: (p: RunProgress) => void; signal?: AbortSignal }): Promise<RunRow>;
  /** Connects to a server, records its health, and takes its feeds offline or back. */
  checkServer(serverId: string): Promise<ConnectionTest>;
  /** The hourly check: every server with live feeds, then every feed's 3-business-day health. */
  checkHealth(): Promise<{ servers: number; unhealthy: number; feedsChanged: number }>;
}

const CLAIM_BATCH = 8;
const SERVER_CHECKS_AT_ONCE = 8;
const CONNECTION_FAILURES = new Set(['unreachable', 'timed_out', 'wrong_credentials', 'refused_address']);

export function createCollectionEngine(deps: EngineDeps): CollectionEngine {
  const { settings } = deps;
  const db = fairToIo(deps.db);
  const workerId = deps.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const leaseSeconds = deps.leaseSeconds ?? settings.leaseSeconds;
  const policy: WindowPolicy = { ...DEFAULT_WINDOW_POLICY, lookbackDays: settings.lookbackDays };

  // One request budget per server and one feed budget for the whole process, whatever runs go on at once.
  const serverLimiters = new Map<string, Limiter>();
  const limiterFor = (serverId: string) => {
    let limiter = serverLimiters.get(serverId);
    if (!limiter) serverLimiters.set(serverId, (limiter = new Limiter(settings.serverConcurrency)));
    return limiter;
  };
  const feedLimiter = new Limiter(settings.feedConcurrency);
  const connectorOptions = (): ConnectorOptions => ({
    concurrency: settings.serverConcurrency,
    timeoutMs: settings.requestTimeoutMs,
    attempts: settings.requestAttempts,
    retryBaseMs: settings.retryBaseMs,
    allowPrivate: settings.allowPrivateUpstreams,
    requestRangeDays: settings.requestRangeDays,
    now: () => deps.clock().getTime(),
  });
  const feedDeps: CollectFeedDeps = {
    db, now: deps.clock, policy, limits: { maxPagesPerDay: settings.maxPagesPerDevicePerDay },
    workerId, leaseSeconds, lookupConcurrency: settings.serverConcurrency,
  };
  const connect = (access: ServerAccess) => openConnector(access, { ...connectorOptions(), limiter: limiterFor(access.id) });

  const setServerHealth = async (server: Pick<ServerRow, 'id'>, test: ConnectionTest): Promise<void> => {
    const now = deps.clock();
    const health = test.ok ? 'healthy' : 'unhealthy';
    const previous = await db.transaction(async (tx) => {
      const [before] = await tx.query<{ health_check: string }>(`SELECT health_check FROM servers WHERE id = $1 FOR UPDATE`, [server.id]);
      if (!before) return null;
      const healthEvents = await watchServerHealth(tx, server.id);
      await tx.query(
        `UPDATE servers SET health_check = $2, health_check_checked_at = $3, health_check_message = $4,
            health_check_changed_at = CASE WHEN health_check <> $2 THEN $3 ELSE health_check_changed_at END
          WHERE id = $1`,
        [server.id, health, now, test.ok ? null : test.message],
      );
      if (!test.ok) {
        // Skipped until a check passes: the feeds say why.
        await tx.query(
          `UPDATE feeds SET health_check = 'offline', health_check_checked_at = $2,
              health_check_changed_at = CASE WHEN health_check <> 'offline' THEN $2 ELSE health_check_changed_at END
            WHERE server_id = $1 AND deleted_at IS NULL`,
          [server.id, now],
        );
      } else {
        const feeds = await tx.query<{ id: string; last_reading_at: Date | null }>(
          `SELECT id, last_reading_at FROM feeds WHERE server_id = $1 AND deleted_at IS NULL AND health_check = 'offline'`, [server.id],
        );
        for (const feed of feeds) {
          await tx.query(
            `UPDATE feeds SET health_check = $2, health_check_checked_at = $3, health_check_changed_at = $3 WHERE id = $1`,
            [feed.id, healthAfterCollection(feed.last_reading_at, now), now],
          );
        }
      }
      await healthEvents.record();
      return before.health_check;
    });
    if (previous !== null && previous !== health) deps.log(`server ${server.id}: ${health}${test.ok ? '' : `: ${test.message}`}`);
  };

  const checkServer = async (serverId: string): Promise<ConnectionTest> => {
    let test: ConnectionTest;
    try {
      const { access } = await serverAccess(db, deps.secrets, serverId);
      test = await testConnection(connect(access), deps.clock);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      test = { ok: false, result: 'wrong_credentials', message: error.message, checked_at: deps.clock() };
    }
    await setServerHealth({ id: serverId }, test);
    collectionMetrics.serverChecks.inc({ result: test.result });
    return test;
  };

  const recomputeFeedHealth = async (): Promise<number> => {
    const now = deps.clock();
    const feeds = await db.query<{ id: string; last_reading_at: Date | null; health_check: string; type: string }>(
      `SELECT id, last_reading_at, health_check, type FROM feeds
        WHERE deleted_at IS NULL AND status = 'active' AND health_check IN ('healthy', 'unhealthy') AND type <> 'printix'`,
    );
    let changed = 0;
    for (const feed of feeds) {
      const health = healthAfterCollection(feed.last_reading_at, now);
      if (health === feed.health_check) continue;
      changed += 1;
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE feeds SET health_check = $2, health_check_checked_at = $3, health_check_changed_at = $3 WHERE id = $1`, [feed.id, health, now]);
        await recordFeedHealth(tx, feed.id, feed.health_check);
      });
    }
    return changed;
  };

  const checkHealth = async () => {
    const servers = await db.query<{ id: string }>(
      `SELECT DISTINCT s.id FROM servers s JOIN feeds f ON f.server_id = s.id WHERE f.deleted_at IS NULL AND f.status = 'active'`,
    );
    let unhealthy = 0;
    for (const server of servers) if (!(await checkServer(server.id)).ok) unhealthy += 1;
    return { servers: servers.length, unhealthy, feedsChanged: await recomputeFeedHealth() };
  };

  const executeRun = async (runId: string, options: { onProgress?: (p: RunProgress) => void; signal?: AbortSignal } = {}): Promise<RunRow> => {
    const now = deps.clock();
    const [run] = await db.query<{ since: string | null }>(
      `UPDATE collection_runs SET status = 'running', started_at = coalesce(started_at, $2)
        WHERE id = $1 AND status IN ('queued', 'running') RETURNING since::text AS since`,
      [runId, now],
    );
    if (!run) return getRunById(db, runId);
    const since = run.since === null ? null : new Date(`${run.since}T00:00:00Z`);
    deps.log(`collection run ${runId}: started by ${workerId}`);

    // Servers are checked before each run; feeds of a server that fails are skipped, not attempted.
    const servers = await db.query<{ server_id: string }>(
      `SELECT DISTINCT f.server_id FROM collection_run_feeds rf JOIN feeds f ON f.id = rf.feed_id
        WHERE rf.run_id = $1 AND rf.status IN ('pending', 'claimed')`,
      [runId],
    );
    const down = new Map<string, string>();
    // One connector per server for the run, opened once even when many lanes ask at the same moment: its
    // limiter is what bounds the requests in flight to that server.
    const connectors = new Map<string, Promise<Connector>>();
    const connectorFor = (serverId: string): Promise<Connector> => {
      let opening = connectors.get(serverId);
      if (!opening) {
        opening = serverAccess(db, deps.secrets, serverId).then(({ access }) => connect(access));
        connectors.set(serverId, opening);
        // A failed open is not kept: the server's next feed tries again.
        opening.catch(() => {
          if (connectors.get(serverId) === opening) connectors.delete(serverId);
        });
      }
      return opening;
    };
    await forEachConcurrently(servers, SERVER_CHECKS_AT_ONCE, async ({ server_id }) => {
      const test = await checkServer(server_id);
      if (!test.ok) down.set(server_id, `server ${server_id} is unhealthy: ${test.message}`);
    });
    const skipServer = async (serverId: string, reason: string) => {
      down.set(serverId, reason);
      await db.query(
        `UPDATE collection_run_feeds rf SET status = 'skipped', error = $3, finished_at = $4
          FROM feeds f WHERE f.id = rf.feed_id AND rf.run_id = $1 AND f.server_id = $2 AND rf.status = 'pending'`,
        [runId, serverId, reason, deps.clock()],
      );
    };
    for (const [serverId, reason] of down) await skipServer(serverId, reason);

    const heartbeat = setInterval(() => {
      void db.query(
        `UPDATE collection_run_feeds SET lease_until = now() + make_interval(secs => $2) WHERE claimed_by = $1 AND status = 'claimed'`,
        [workerId, leaseSeconds],
      ).catch(() => {});
      void db.query(`UPDATE feeds SET lease_until = now() + make_interval(secs => $2) WHERE lease_owner = $1`, [workerId, leaseSeconds]).catch(() => {});
    }, Math.max(1000, (leaseSeconds * 1000) / 3));
    heartbeat.unref();

    let processed = 0;
    let lastReport = 0;
    const report = async () => {
      if (!options.onProgress || performance.now() - lastReport < 1000) return;
      lastReport = performance.now();
      options.onProgress({ run: await getRunById(db, runId), processed });
    };
    let lastLog = performance.now();

    const queue: string[] = [];
    const claim = async (): Promise<string | null> => {
      if (queue.length === 0) {
        const claimed = await db.query<{ feed_id: string }>(
          `UPDATE collection_run_feeds SET status = 'claimed', claimed_by = $2, lease_until = now() + make_interval(secs => $3)
            WHERE run_id = $1 AND feed_id IN (
              SELECT feed_id FROM collection_run_feeds
               WHERE run_id = $1 AND (status = 'pending' OR (status = 'claimed' AND lease_until < now()))
               ORDER BY feed_id LIMIT $4 FOR UPDATE SKIP LOCKED)
            RETURNING feed_id`,
          // A few at a time, so other workers joining the run find feeds left to claim.
          [runId, workerId, leaseSeconds, Math.min(CLAIM_BATCH, settings.feedConcurrency)],
        );
        queue.push(...claimed.map((c) => c.feed_id));
      }
      return queue.shift() ?? null;
    };

    const finishFeed = async (feedId: string, status: 'done' | 'failed' | 'skipped', result: FeedCollection | null, error: string | null) => {
      await db.query(
        `UPDATE collection_run_feeds SET status = $3, devices = $4, readings = $5, pages = $6, anomalies = $7, error = $8, finished_at = $9
          WHERE run_id = $1 AND feed_id = $2`,
        [runId, feedId, status, result?.devices ?? 0, result?.readings ?? 0, result?.pages ?? 0, result?.anomalies ?? 0, error, deps.clock()],
      );
      await db.query(`UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [feedId, workerId]);
    };

    const collectOne = async (feedId: string) => {
      await deps.beforeFeed?.(feedId);
      const [feed] = await db.query<FeedToCollect & { server_id: string; type: string }>(
        `UPDATE feeds SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
          WHERE id = $1 AND deleted_at IS NULL AND status = 'active'
            AND (lease_owner IS NULL OR lease_until < now() OR lease_owner = $2)
          RETURNING id, account_id, server_id, type, external_id, collection_scope, activated_at, window_start`,
        [feedId, workerId, leaseSeconds],
      );
      if (!feed) {
        const [state] = await db.query<{ live: boolean }>(
          `SELECT (deleted_at IS NULL AND status = 'active') AS live FROM feeds WHERE id = $1`, [feedId],
        );
        // Deactivated or deleted since the run began: nothing to collect, not an error.
        if (!state?.live) return finishFeed(feedId, 'skipped', null, null);
        // Another collector holds it (another run, or a worker that died and whose claim has not lapsed):
        // this run collects it after, never at the same time.
        await db.query(
          `UPDATE collection_run_feeds SET claimed_by = NULL, lease_until = now() + interval '2 seconds' WHERE run_id = $1 AND feed_id = $2`,
          [runId, feedId],
        );
        return;
      }
      const serverDown = down.get(feed.server_id);
      if (serverDown) return finishFeed(feedId, 'skipped', null, serverDown);
      // Re-collect from `since` (never before the feed's activation): devices are re-based on their readings before it.
      const from = since === null ? null : new Date(Math.max(since.getTime(), startOfDay(feed.activated_at ?? since).getTime()));
      if (from !== null && (feed.window_start === null || from < feed.window_start)) {
        await db.transaction(async (tx) => {
          await tx.query(`UPDATE feeds SET window_start = $2 WHERE id = $1`, [feedId, from]);
          await tx.query(`UPDATE feed_devices SET base_count = NULL, base_read_at = NULL WHERE feed_id = $1`, [feedId]);
        });
        feed.window_start = from;
      }
      const started = performance.now();
      try {
        const connector = await connectorFor(feed.server_id);
        const source = connector.source;
        const result = source.kind === 'counters' ? await collectCounterFeed(feedDeps, source, feed)
          : source.kind === 'jobs' ? await collectJobFeed(feedDeps, source, feed)
          : await collectTenantFeed(feedDeps, source, feed);
        if (source.kind === 'jobs') {
          const traits = source.learntTraits();
          if (Object.keys(traits).length > 0) await db.query(`UPDATE servers SET traits = traits || $2::jsonb WHERE id = $1`, [feed.server_id, JSON.stringify(traits)]);
        }
        await finishFeed(feedId, result.stopped ? 'skipped' : 'done', result, null);
        collectionMetrics.feeds.inc({ type: feed.type, outcome: result.stopped ? 'skipped' : 'done' });
        collectionMetrics.feedSeconds.observe({ type: feed.type }, (performance.now() - started) / 1000);
        collectionMetrics.readings.inc({ type: feed.type }, result.readings);
        collectionMetrics.anomalies.inc({ type: feed.type }, result.anomalies);
      } catch (error) {
        collectionMetrics.feeds.inc({ type: feed.type, outcome: 'failed' });
        const message = error instanceof UpstreamError || error instanceof Conflict ? error.message : 'internal error while collecting (see the server log)';
        if (!(error instanceof UpstreamError) && !(error instanceof Conflict)) deps.log(`collection run ${runId}: feed ${feedId} failed: ${(error as Error).stack ?? String(error)}`);
        await db.query(`UPDATE feeds SET last_error = $2 WHERE id = $1`, [feedId, message]);
        await finishFeed(feedId, 'failed', null, `feed ${feedId}: ${message}`);
        if (error instanceof UpstreamError && CONNECTION_FAILURES.has(error.failure) && !down.has(feed.server_id)) {
          const test = await checkServer(feed.server_id);
          if (!test.ok) await skipServer(feed.server_id, `server ${feed.server_id} is unhealthy: ${test.message}`);
        }
      }
      processed += 1;
      await report();
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        const progress = await getRunById(db, runId);
        deps.log(`collection run ${runId}: ${progress.feeds_done}/${progress.feeds_total} feeds, ${progress.readings} readings, ${progress.pages} pages, ${progress.errors} error(s)`);
      }
    };

    const remaining = async () => (await db.query<{ n: number; wait: number | null }>(
      `SELECT count(*)::int AS n, greatest(0, extract(epoch FROM min(lease_until) - now()))::float8 AS wait
         FROM collection_run_feeds WHERE run_id = $1 AND status IN ('pending', 'claimed')`, [runId],
    ))[0];
    let left = { n: 0, wait: null as number | null };
    try {
      for (;;) {
        const lanes = Array.from({ length: settings.feedConcurrency }, async () => {
          for (let feedId = await claim(); feedId !== null && !options.signal?.aborted; feedId = await claim()) {
            const id = feedId;
            await feedLimiter.run(() => collectOne(id));
          }
        });
        await Promise.all(lanes);
        left = await remaining();
        if (left.n === 0 || options.signal?.aborted) break;
        // Feeds another worker holds: it finishes them (we look again shortly), or its claim lapses and they are ours.
        await new Promise((resolve) => setTimeout(resolve, Math.min(2, (left.wait ?? 0) + 0.1) * 1000));
      }
    } finally {
      clearInterval(heartbeat);
      await Promise.all([...connectors.values()].map((c) => c.then((connector) => {
        collectionMetrics.requests.inc({ type: connector.type }, connector.stats.requests);
        collectionMetrics.retries.inc({ type: connector.type }, connector.stats.retries);
        return connector.close();
      }, () => {})));
    }
    // The last worker out closes the run.
    if (left.n === 0) {
      await db.transaction(async (tx) => {
        const closed = await tx.query(
          `UPDATE collection_runs SET status = CASE WHEN EXISTS (
              SELECT 1 FROM collection_run_feeds WHERE run_id = $1 AND (status = 'failed' OR (status = 'skipped' AND error IS NOT NULL)))
            THEN 'failed' ELSE 'succeeded' END, finished_at = $2
            WHERE id = $1 AND status = 'running' RETURNING id`,
          [runId, deps.clock()],
        );
        if (closed.length > 0) await recordRunFinished(tx, runId);
      });
    }
    const final = await getRunById(db, runId);
    if (left.n === 0) collectionMetrics.runs.inc({ trigger: final.trigger, status: final.status });
    options.onProgress?.({ run: final, processed });
    deps.log(
      `collection run ${runId}: ${final.status}: ${final.feeds_done}/${final.feeds_total} feeds, ${final.devices} devices, ${final.readings} readings, ${final.pages} pages, ${final.anomalies} anomalies, ${final.errors} error(s)`,
    );
    return final;
  };

  return { workerId, connect, executeRun, checkServer, checkHealth };
}
