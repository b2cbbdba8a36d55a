// What the API, the jobs and the CLI share to collect: the engine, sealed credentials, and how a run is started.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { loadSecretKey, secretBox, type SecretBox } from '../integrations/secrets.ts';
import type { IntegrationDeps } from '../integrations/servers-service.ts';
import { createCollectionEngine, type CollectionEngine, type EngineDeps } from './engine.ts';
import { openRuns } from './runs.ts';
import { joinableRuns, lapseAllClaims } from './claims.ts';
import { detached } from '../db/ambient.ts';

export const COLLECT_RUN_JOB = 'collect-run';
export const SERVER_CHECK_JOB = 'server-check';

/** The part of the job queue collection needs. */
export interface RunQueue {
  send(name: string, data?: Record<string, unknown>): Promise<string | null>;
}

export interface CollectionRuntime {
  engine: CollectionEngine;
  secrets: SecretBox;
  integration: IntegrationDeps;
  /** Starts a run: as a job when a queue is attached, else in this process, in the background. */
  startRun(runId: string): Promise<void>;
  /** Checks a server soon (after its credentials changed), without making the caller wait. */
  checkServerSoon(serverId: string): void;
  attachQueue(queue: RunQueue | null): void;
  setLog(log: (line: string) => void): void;
  /** Resolves when every run started in this process without a queue has finished (tests, shutdown). */
  idle(): Promise<void>;
  /**
   * After a start: runs left open by a process that died are started again (their committed feeds are not
   * collected twice). `soleProcess` (the embedded store admits one) also frees the claims that process held.
   */
  resumeOpenRuns(soleProcess: boolean): Promise<number>;
  /**
   * Every serve and worker process looks, twice a lease period, for open runs nobody renews (their process
   * died, or their jobs were never started) or with feeds nobody collects, and joins them: no run waits for
   * a restart or for the job queue's expiry. Returns a stop function.
   */
  startSweep(): () => void;
  /** One look (what the sweep does each time): the runs this process joined. */
  sweepOnce(): Promise<string[]>;
}

export function createCollectionRuntime(deps: {
  db: Database;
  config: Config;
  clock: () => Date;
  log?: (line: string) => void;
  engine?: Partial<Pick<EngineDeps, 'leaseSeconds' | 'workerId' | 'hooks' | 'heartbeat'>>;
}): CollectionRuntime {
  let log = deps.log ?? (() => {});
  const secrets = secretBox(loadSecretKey(deps.config.collection.secretKey, deps.config.dataDir));
  const engine = createCollectionEngine({
    db: deps.db, settings: deps.config.collection, secrets, clock: deps.clock, log: (line) => log(line), ...deps.engine,
  });
  let queue: RunQueue | null = null;
  const inFlight = new Set<Promise<unknown>>();
  // Work a request starts but does not wait for runs outside the request's transaction (db/ambient.ts).
  const background = (work: () => Promise<unknown>) => {
    const tracked = detached(work).catch((error: unknown) => log(`collection: ${(error as Error).message}`)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  /** A row created inside a request's transaction is visible once that commits; never if it rolls back. */
  const whenVisible = async (table: 'collection_runs' | 'servers', id: string): Promise<boolean> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await deps.db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).length > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  };
  return {
    engine,
    secrets,
    integration: { secrets, allowPrivateUpstreams: deps.config.collection.allowPrivateUpstreams, connect: engine.connect },
    async startRun(runId) {
      if (queue) {
        for (let shard = 0; shard < deps.config.collection.runShards; shard++) await queue.send(COLLECT_RUN_JOB, { runId, shard });
      }
      else background(async () => (await whenVisible('collection_runs', runId)) && engine.executeRun(runId));
    },
    checkServerSoon(serverId) {
      if (queue) void queue.send(SERVER_CHECK_JOB, { serverId }).catch((error: Error) => log(`collection: ${error.message}`));
      else background(async () => (await whenVisible('servers', serverId)) && engine.checkServer(serverId));
    },
    attachQueue(next) {
      queue = next;
    },
    setLog(next) {
      log = next;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async resumeOpenRuns(soleProcess) {
      // Lapsed, not freed: a claim whose collector was collecting counts a death (claims.ts), so a feed that
      // kills the process on every start is failed after the second instead of resumed forever.
      if (soleProcess) await lapseAllClaims(deps.db);
      const runs = await openRuns(deps.db);
      for (const runId of runs) {
        log(`collection run ${runId} was left open: resuming it`);
        await this.startRun(runId);
      }
      return runs.length;
    },
    async sweepOnce() {
      const joined = await joinableRuns(deps.db, engine.executing(), deps.config.collection.runsPerProcess - engine.executing().length);
      for (const runId of joined) {
        log(`collection run ${runId}: joining it (its process stopped renewing it, or it has feeds nobody is collecting)`);
        background(() => engine.executeRun(runId));
      }
      return joined;
    },
    startSweep() {
      let sweeping = false;
      const timer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void this.sweepOnce().catch((error: Error) => log(`collection sweep: ${error.message}`)).finally(() => (sweeping = false));
      }, Math.max(250, (deps.config.collection.leaseSeconds * 1000) / 2));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
