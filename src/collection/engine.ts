// The collection engine: runs a collection over its feeds (claimed across workers and runs through
// claims.ts, bounded per server and overall), checks servers' health, and keeps feeds' health.
import crypto from 'node:crypto';
import os from 'node:os';
import type { Database } from '../db/database.ts';
import { startOfDay } from '../domain/calendar.ts';
import { DEFAULT_WINDOW_POLICY, type WindowPolicy } from '../domain/collection-window.ts';
import { Conflict } from '../domain/errors.ts';
import { openConnector } from '../connectors/connect.ts';
import { DEFAULT_ANSWER_BOUNDS } from '../connectors/http/answer-bounds.ts';
import { UpstreamError } from '../connectors/http/upstream-client.ts';
import { Limiter, forEachConcurrently } from '../connectors/http/limiter.ts';
import type { Connector, ConnectorOptions, ServerAccess } from '../connectors/types.ts';
import { serverAccess, testConnection, type ConnectionTest, type ServerRow } from '../integrations/servers-service.ts';
import type { SecretBox } from '../integrations/secrets.ts';
import type { CollectionSettings } from './settings.ts';
import { collectCounterFeed, collectJobFeed, collectTenantFeed, type CollectFeedDeps, type FeedCollection, type FeedToCollect } from './collect-feed.ts';
import { getRunById, type RunRow } from './runs.ts';
import {
  claimRunFeeds, closeRun, coveredBy, deferRunFeed, failCrashLooping, finishRunFeed, markCollecting, offlineServerFeeds,
  releaseFeed, renewFeeds, renewRunFeeds, renewRuns, rewindFeed, startRun, takeFeed,
} from './claims.ts';
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
  /**
   * Test hooks at each step of collecting a feed: a hook may wait (to force an order across runs) or throw
   * LaneKilled (this engine then behaves as a process that died there: it releases nothing and stops).
   */
  hooks?: (step: CollectionStep, at: { runId: string; feedId: string; workerId: string }) => Promise<void> | void;
  /** false: no renewal of leases (a test stands for a process that will die) */
  heartbeat?: boolean;
}

/**
 * claim: before taking the feed's claim; deferred: another lane held it, the run comes back later; claimed:
 * the claim is this lane's; read: a chunk read, before its commit; committed: after it (the cursor moved);
 * release: before letting the feed go.
 */
export type CollectionStep = 'claim' | 'deferred' | 'claimed' | 'read' | 'committed' | 'release';

/** Thrown by a test hook: the engine dies where it stands, as a killed process would. */
export class LaneKilled extends Error {
  constructor() {
    super('collector killed (test)');
    this.name = 'LaneKilled';
  }
}

const outcomeSummary = (run: RunRow) =>
  Object.entries(run.outcomes).filter(([, n]) => n > 0).map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'no feeds';

export interface RunProgress {
  run: RunRow;
  /** feeds this process collected so far in this execution */
  processed: number;
}

export interface CollectionEngine {
  readonly workerId: string;
  connect(access: ServerAccess): Connector;
  /** Runs this engine is working on now. */
  executing(): string[];
  /**
   * Collects the run's feeds (waiting for those another run holds); resolves with the run as this worker
   * leaves it. A second call for a run this engine is already working on joins that execution.
   */
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
    answerBounds: { ...DEFAULT_ANSWER_BOUNDS, maxBytes: settings.maxAnswerBytes },
    requestRangeDays: settings.requestRangeDays,
    now: () => deps.clock().getTime(),
  });
  const collectDeps: Omit<CollectFeedDeps, 'claimToken'> = {
    db, now: deps.clock, policy, limits: { maxPagesPerDay: settings.maxPagesPerDevicePerDay },
    leaseSeconds, lookupConcurrency: settings.serverConcurrency,
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

  // The runs this process works on (one execution per run, whatever asks for it) and the feed claims its
  // lanes hold: one heartbeat renews them all while the process lives.
  const executions = new Map<string, { done: Promise<RunRow>; listeners: Set<(p: RunProgress) => void> }>();
  const heldTokens = new Set<string>();
  let heartbeat: NodeJS.Timeout | null = null;
  // Set when a test hook kills this engine: from then on it acts as a dead process (no step, no renewal).
  let dead = false;
  const beat = async () => {
    const runs = [...executions.keys()];
    await renewRuns(db, runs, leaseSeconds);
    await renewRunFeeds(db, runs, workerId, leaseSeconds);
    await renewFeeds(db, [...heldTokens], leaseSeconds);
  };
  const heartbeatOn = (on: boolean) => {
    if (deps.heartbeat === false) return;
    if (on && heartbeat === null && !dead) {
      heartbeat = setInterval(() => void beat().catch(() => {}), Math.max(200, (leaseSeconds * 1000) / 3));
      heartbeat.unref();
    } else if (!on && heartbeat !== null) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  };
  const hook = async (step: CollectionStep, runId: string, feedId: string) => {
    if (dead) throw new LaneKilled();
    try {
      await deps.hooks?.(step, { runId, feedId, workerId });
    } catch (error) {
      if (error instanceof LaneKilled) {
        dead = true;
        heartbeatOn(false);
      }
      throw error;
    }
  };

  const runOnce = async (runId: string, listeners: Set<(p: RunProgress) => void>, signal: AbortSignal | undefined): Promise<RunRow> => {
    const run = await startRun(db, runId, deps.clock(), leaseSeconds);
    if (!run) return getRunById(db, runId);
    const since = run.since === null ? null : new Date(`${run.since}T00:00:00Z`);
    deps.log(`collection run ${runId}: started by ${workerId}`);

    // Servers are checked before each run; feeds of a server that fails are offline, not attempted.
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
    const serverDown = async (serverId: string, reason: string) => {
      down.set(serverId, reason);
      for (const type of await offlineServerFeeds(db, runId, serverId, reason, deps.clock())) collectionMetrics.feeds.inc({ type, outcome: 'offline' });
    };
    await forEachConcurrently(servers, SERVER_CHECKS_AT_ONCE, async ({ server_id }) => {
      const test = await checkServer(server_id);
      if (!test.ok) await serverDown(server_id, `server ${server_id} is unhealthy: ${test.message}`);
    });

    let processed = 0;
    let lastReport = 0;
    const report = async () => {
      if (listeners.size === 0 || performance.now() - lastReport < 1000) return;
      lastReport = performance.now();
      const progress = { run: await getRunById(db, runId), processed };
      for (const listener of listeners) listener(progress);
    };
    let lastLog = performance.now();

    const queue: string[] = [];
    const claim = async (): Promise<string | null> => {
      if (dead) throw new LaneKilled();
      if (queue.length === 0) {
        for (const dead of await failCrashLooping(db, runId, deps.clock())) {
          deps.log(`collection run ${runId}: ${dead.error}`);
          await db.query(`UPDATE feeds SET last_error = $2 WHERE id = $1`, [dead.feed_id, dead.error]);
          collectionMetrics.feeds.inc({ type: 'unknown', outcome: 'failed' });
        }
        // A few at a time, so other workers joining the run find feeds left to claim.
        queue.push(...await claimRunFeeds(db, runId, workerId, leaseSeconds, Math.min(CLAIM_BATCH, settings.feedConcurrency)));
      }
      return queue.shift() ?? null;
    };

    const finish = (feedId: string, end: Omit<Parameters<typeof finishRunFeed>[4], 'now'>, type: string) => {
      collectionMetrics.feeds.inc({ type, outcome: end.outcome });
      return finishRunFeed(db, runId, feedId, workerId, { ...end, now: deps.clock() });
    };

    const collectOne = async (feedId: string) => {
      await hook('claim', runId, feedId);
      const token = `${workerId}/${runId}/${crypto.randomBytes(6).toString('hex')}`;
      const feed = await takeFeed(db, feedId, token, runId, deps.clock(), leaseSeconds);
      if (!feed) {
        const [state] = await db.query<{ live: boolean }>(
          `SELECT (deleted_at IS NULL AND status = 'active') AS live FROM feeds WHERE id = $1`, [feedId],
        );
        // Deactivated or deleted since the run began: nothing to collect, not an error.
        if (!state?.live) return finish(feedId, { outcome: 'skipped', error: `feed ${feedId} was deactivated or deleted after the run began` }, 'unknown');
        // Another run's lane holds it (or one whose process died, until its claim lapses): this run comes
        // back to it when it is free, and either finds its request covered or collects it then.
        await deferRunFeed(db, runId, feedId, workerId, 1);
        return hook('deferred', runId, feedId);
      }
      heldTokens.add(token);
      let released = false;
      const release = async (collected: { from: Date | null } | null) => {
        released = true;
        await hook('release', runId, feedId);
        await releaseFeed(db, feedId, token, collected);
      };
      try {
        await markCollecting(db, runId, feedId, workerId);
        await hook('claimed', runId, feedId);
        // Re-collect from `since` (never before the feed's activation): devices are re-based on their readings before it.
        const from = since === null ? null : new Date(Math.max(since.getTime(), startOfDay(feed.activated_at ?? since).getTime()));
        const covering = coveredBy(feed, { id: runId, request_order: run.request_order, from });
        if (covering !== null) {
          await finish(feedId, { outcome: 'waited_for', coveredBy: covering }, feed.type);
          return await release(null);
        }
        const offline = down.get(feed.server_id);
        if (offline) {
          await finish(feedId, { outcome: 'offline', error: offline }, feed.type);
          return await release(null);
        }
        if (from !== null && (feed.window_start === null || from < feed.window_start)) {
          if (await rewindFeed(db, feedId, token, from)) feed.window_start = from;
        }
        const started = performance.now();
        const connector = await connectorFor(feed.server_id);
        const source = connector.source;
        const feedDeps: CollectFeedDeps = {
          ...collectDeps, claimToken: token,
          afterRead: () => hook('read', runId, feedId), afterCommit: () => hook('committed', runId, feedId),
        };
        const result = source.kind === 'counters' ? await collectCounterFeed(feedDeps, source, feed)
          : source.kind === 'jobs' ? await collectJobFeed(feedDeps, source, feed)
          : await collectTenantFeed(feedDeps, source, feed);
        if (source.kind === 'jobs') {
          const traits = source.learntTraits();
          if (Object.keys(traits).length > 0) await db.query(`UPDATE servers SET traits = traits || $2::jsonb WHERE id = $1`, [feed.server_id, JSON.stringify(traits)]);
        }
        if (result.stopped?.claimLost) {
          // Another lane took the feed (our claim lapsed) or it restarted: what was committed stays; this
          // run collects it again once it is free, never marks it done.
          deps.log(`collection run ${runId}: feed ${feedId}: ${result.stopped.reason}; collecting it again when it is free`);
          await release(null);
          return await deferRunFeed(db, runId, feedId, workerId, 1);
        }
        const totals = { devices: result.devices, readings: result.readings, pages: result.pages, pagesRead: result.pagesRead, anomalies: result.anomalies };
        if (result.stopped) {
          await finish(feedId, { outcome: 'skipped', totals, error: `feed ${feedId}: ${result.stopped.reason}` }, feed.type);
          return await release(null);
        }
        await finish(feedId, { outcome: 'collected', totals }, feed.type);
        await release({ from });
        collectionMetrics.feedSeconds.observe({ type: feed.type }, (performance.now() - started) / 1000);
        collectionMetrics.readings.inc({ type: feed.type }, result.readings);
        collectionMetrics.pagesRead.inc({ type: feed.type }, result.pagesRead);
        collectionMetrics.anomalies.inc({ type: feed.type }, result.anomalies);
      } catch (error) {
        if (error instanceof LaneKilled) throw error;
        const message = error instanceof UpstreamError || error instanceof Conflict ? error.message : 'internal error while collecting (see the server log)';
        if (!(error instanceof UpstreamError) && !(error instanceof Conflict)) deps.log(`collection run ${runId}: feed ${feedId} failed: ${(error as Error).stack ?? String(error)}`);
        await db.query(`UPDATE feeds SET last_error = $2 WHERE id = $1`, [feedId, message]);
        let outcome: 'failed' | 'offline' = 'failed';
        if (error instanceof UpstreamError && CONNECTION_FAILURES.has(error.failure) && !down.has(feed.server_id)) {
          const test = await checkServer(feed.server_id);
          if (!test.ok) {
            outcome = 'offline';
            await serverDown(feed.server_id, `server ${feed.server_id} is unhealthy: ${test.message}`);
          }
        }
        await finish(feedId, { outcome, error: `feed ${feedId}: ${message}` }, feed.type);
        if (!released) await release(null);
      } finally {
        heldTokens.delete(token);
      }
      processed += 1;
      await report();
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        const progress = await getRunById(db, runId);
        deps.log(`collection run ${runId}: ${progress.feeds_done}/${progress.feeds_total} feeds, ${progress.readings} readings, ${progress.pages_read} pages read (${progress.pages} net), ${progress.errors} error(s)`);
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
          for (let feedId = await claim(); feedId !== null && !signal?.aborted; feedId = await claim()) {
            const id = feedId;
            await feedLimiter.run(() => collectOne(id));
          }
        });
        await Promise.all(lanes);
        left = await remaining();
        if (left.n === 0 || signal?.aborted) break;
        // Feeds another lane holds: it finishes them (we look again shortly), or its claim lapses and they are ours.
        await new Promise((resolve) => setTimeout(resolve, Math.min(2, (left.wait ?? 0) + 0.1) * 1000));
      }
    } finally {
      await Promise.all([...connectors.values()].map((c) => c.then((connector) => {
        collectionMetrics.requests.inc({ type: connector.type }, connector.stats.requests);
        collectionMetrics.retries.inc({ type: connector.type }, connector.stats.retries);
        return connector.close();
      }, () => {})));
    }
    // The last worker out closes the run.
    const closed = left.n === 0 && (await db.transaction(async (tx) => {
      const done = await closeRun(tx, runId, deps.clock());
      if (done) await recordRunFinished(tx, runId);
      return done;
    }));
    const final = await getRunById(db, runId);
    if (closed) collectionMetrics.runs.inc({ trigger: final.trigger, status: final.status });
    for (const listener of listeners) listener({ run: final, processed });
    deps.log(
      `collection run ${runId}: ${final.status}: ${final.feeds_done}/${final.feeds_total} feeds (${outcomeSummary(final)}), ${final.devices} devices, ${final.readings} readings, ${final.pages_read} pages read, ${final.pages} net, ${final.anomalies} anomalies, ${final.errors} error(s)`,
    );
    return final;
  };

  const executeRun = (runId: string, options: { onProgress?: (p: RunProgress) => void; signal?: AbortSignal } = {}): Promise<RunRow> => {
    const existing = executions.get(runId);
    if (existing) {
      if (options.onProgress) existing.listeners.add(options.onProgress);
      return existing.done;
    }
    const listeners = new Set<(p: RunProgress) => void>(options.onProgress ? [options.onProgress] : []);
    const done = runOnce(runId, listeners, options.signal).finally(() => {
      executions.delete(runId);
      if (executions.size === 0) heartbeatOn(false);
    });
    executions.set(runId, { done, listeners });
    heartbeatOn(true);
    return done;
  };

  const executing = () => [...executions.keys()];

  return { workerId, connect, executing, executeRun, checkServer, checkHealth };
}
