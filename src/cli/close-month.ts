// `canopy close-month [--month YYYY-MM]`: settles a month (or every due month) into transactions and certificates.
import { parseArgs } from 'node:util';
import { parseMonth } from '../domain/calendar.ts';
import { InvalidInput } from '../domain/errors.ts';
import { closeDueMonths, closeMonth } from '../ledger/month-close.ts';
import { UsageError, type StoreCommand } from './command.ts';

export const closeMonthCommand: StoreCommand = {
  name: 'close-month',
  usage: 'close-month [--month YYYY-MM]    (default: every month that has ended plus the grace period)',
  async execute({ db, config, clock, out }, argv) {
    const { values } = parseArgs({ args: argv, options: { month: { type: 'string' } } });
    const options = { clock, graceDays: config.closeGraceDays, log: out };
    let results;
    if (values.month !== undefined) {
      try {
        parseMonth(values.month, '--month');
      } catch (error) {
        if (error instanceof InvalidInput) throw new UsageError(error.message);
        throw error;
      }
      results = [await closeMonth(db, values.month, options)];
    } else {
      results = await closeDueMonths(db, options);
    }
    return results.some((r) => r.failures.length > 0) ? 1 : 0;
  },
};
