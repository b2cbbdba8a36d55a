// The jobs Canopy runs, with their schedules; serve and worker processes register the same list.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { closeDueMonths } from '../ledger/month-close.ts';
import type { JobDefinition } from './queue.ts';

export interface JobDeps {
  db: Database;
  config: Config;
  clock: () => Date;
}

export const MONTH_CLOSE_JOB = 'month-close';

export function jobDefinitions({ db, config, clock }: JobDeps): JobDefinition[] {
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
  ];
}
