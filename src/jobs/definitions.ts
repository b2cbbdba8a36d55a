// The jobs Canopy runs, with their schedules; serve and worker processes register the same list.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { purgeIdempotencyRecords } from '../http/idempotency.ts';
import { closeDueMonths } from '../ledger/month-close.ts';
import { COLLECT_RUN_JOB, SERVER_CHECK_JOB, type CollectionRuntime } from '../collection/runtime.ts';
import { createRun } from '../collection/runs.ts';
import type { JobDefinition } from './queue.ts';
import { createOutbound } from '../outbound/run-outbound.ts';

export interface JobDeps {
  db: Database;
  config: Config;
  clock: () => Date;
  collection: CollectionRuntime;
}

export const MONTH_CLOSE_JOB = 'month-close';
export const COLLECT_NIGHTLY_JOB = 'collect-nightly';
export const HEALTH_CHECK_JOB = 'health-check';
export const IDEMPOTENCY_PURGE_JOB = 'idempotency-purge';
export const OUTBOUND_JOB = 'outbound';

function requireText(data: Record<string, unknown>, key: string): string {
  const value = data[key];
  if (typeof value !== 'string' || value === '') throw new Error(`job payload needs ${key}`);
  return value;
}

export function jobDefinitions({ db, config, clock, collection }: JobDeps): JobDefinition[] {
  const outbound = createOutbound({ db, config, clock });
  return [
    {
      // Daily: acts once a month has ended plus the grace period; re-running is a no-op.
      name: MONTH_CLOSE_JOB,
      cron: config.closeCron,
      async handle(_data, { log }) {
        const results = await closeDueMonths(db, { clock, graceDays: config.closeGraceDays, log });
        const failures = results.flatMap((r) => r.failures);
        if (failures.length > 0) throw new Error(`month close left ${failures.length} account(s) open; see the log`);
      },
    },
    {
      // Nightly: one run over every active feed, which every worker helps with (collect-run).
      name: COLLECT_NIGHTLY_JOB,
      cron: config.collection.collectCron,
      async handle(_data, { log }) {
        const [root] = await db.query<{ id: string; path: string }>(`SELECT id, path FROM accounts WHERE parent_id IS NULL`);
        if (!root) return;
        const run = await createRun(db, { account: root, trigger: 'nightly', now: clock() });
        log(`nightly collection run ${run.id}: ${run.feeds_total} feed(s)`);
        await collection.startRun(run.id);
      },
    },
    {
      // A run's feeds are claimed one by one, so any number of these may work on one run; re-running is safe.
      name: COLLECT_RUN_JOB,
      // Several runs go on at once (a backfill does not wait for the night); feeds and requests stay bounded per process and server.
      concurrency: config.collection.runsPerProcess,
      async handle(data) {
        await collection.engine.executeRun(requireText(data, 'runId'));
      },
    },
    {
      name: SERVER_CHECK_JOB,
      async handle(data) {
        await collection.engine.checkServer(requireText(data, 'serverId'));
      },
    },
    {
      // Hourly: a failed server is retried (its feeds come back when it passes), and stale feeds turn unhealthy.
      name: HEALTH_CHECK_JOB,
      cron: config.collection.healthCron,
      async handle(_data, { log }) {
        const result = await collection.engine.checkHealth();
        log(`health check: ${result.servers} server(s), ${result.unhealthy} unhealthy, ${result.feedsChanged} feed(s) changed health`);
      },
    },
    {
      // Hourly: Idempotency-Key records answer for 24 hours; older ones are deleted.
      name: IDEMPOTENCY_PURGE_JOB,
      cron: '41 * * * *',
      async handle(_data, { log }) {
        const purged = await purgeIdempotencyRecords(db, clock());
        if (purged > 0) log(`idempotency: ${purged} record(s) older than 24 hours deleted`);
      },
    },
    {
      // Every minute: events fanned out, health alerts composed, webhooks and emails that are due sent (rows are claimed, so workers share it).
      name: OUTBOUND_JOB,
      cron: config.outbound.outboundCron,
      async handle(_data, { log }) {
        await outbound.run(log);
      },
    },
  ];
}
