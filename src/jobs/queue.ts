// The durable job queue: pg-boss in the same database (PGlite embedded, or PostgreSQL), and its schedules.
import { PgBoss, fromPglite } from 'pg-boss';
import { currentTransaction } from '../db/ambient.ts';
import type { Database } from '../db/database.ts';

/** Seconds without a heartbeat after which a running job counts as abandoned and is retried. */
export const JOB_HEARTBEAT_SECONDS = 60;

export interface JobContext {
  log: (line: string) => void;
}

/** A kind of job: a queue, an optional cron schedule, and a handler that only parses and calls a service. */
export interface JobDefinition {
  name: string;
  cron?: string;
  /** Jobs of this kind one process runs at once (default 1). */
  concurrency?: number;
  handle: (data: Record<string, unknown>, context: JobContext) => Promise<void>;
}

export interface JobQueue {
  boss: PgBoss;
  send(name: string, data?: Record<string, unknown>, singletonKey?: string): Promise<string | null>;
  stop(): Promise<void>;
}

interface BossDatabase {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * A job sent while a request holds its transaction (Idempotency-Key, see db/ambient.ts) is inserted in
 * that transaction: it exists exactly when the request's effect does. (On PGlite, the one connection is
 * held by that transaction, so going around it would wait for ever.)
 */
function joiningRequestTransaction<T extends BossDatabase>(adapter: T): T {
  return {
    ...adapter,
    async executeSql(text: string, values?: unknown[]) {
      const joined = values?.length ? await currentTransaction()?.run((tx) => tx.query(text, values)) : null;
      return joined ? { rows: joined.value } : adapter.executeSql(text, values);
    },
  };
}

export async function startJobs(
  db: Database,
  definitions: JobDefinition[],
  options: { work: boolean; schedule: boolean; log: (line: string) => void; schema?: string },
): Promise<JobQueue> {
  const boss = db.pglite
    ? new PgBoss({ db: joiningRequestTransaction(fromPglite(db.pglite)), backend: 'pglite', schedule: options.schedule, supervise: options.work })
    : new PgBoss({
        db: joiningRequestTransaction({
          async executeSql(text: string, values?: unknown[]) {
            // pg-boss sends multi-statement DDL without parameters; pg.Pool handles both forms.
            return db.pool!.query(text, values);
          },
        }),
        schema: options.schema ?? 'pgboss',
        schedule: options.schedule,
        supervise: options.work,
      });
  boss.on('error', (error: Error) => options.log(`job queue error: ${error.message}`));
  await boss.start();
  for (const def of definitions) {
    // A job whose process died is given to another after its heartbeat lapses (pg-boss touches running
    // jobs every half period), not after the 15-minute expiry: a nightly job taken by a worker killed
    // before it created its run is started again by a live one within about two minutes.
    await boss.createQueue(def.name, { heartbeatSeconds: JOB_HEARTBEAT_SECONDS });
    await boss.updateQueue(def.name, { heartbeatSeconds: JOB_HEARTBEAT_SECONDS });
    if (def.cron && options.schedule) await boss.schedule(def.name, def.cron, {}, { tz: 'UTC' });
    if (options.work) {
      await boss.work<Record<string, unknown>>(def.name, { localConcurrency: def.concurrency ?? 1 }, async (jobs) => {
        for (const job of jobs) {
          options.log(`job ${def.name} ${job.id} started`);
          await def.handle(job.data ?? {}, { log: options.log });
          options.log(`job ${def.name} ${job.id} finished`);
        }
      });
    }
  }
  return {
    boss,
    send: (name, data = {}, singletonKey) => boss.send(name, data, singletonKey ? { singletonKey } : {}),
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
