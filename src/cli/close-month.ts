// `canopy close-month [--month YYYY-MM]`: settles a month (or every due month) into transactions and certificates.
import { parseMonth } from '../domain/calendar.ts';
import { InvalidInput } from '../domain/errors.ts';
import { closeDueMonths, closeMonth } from '../ledger/month-close.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';

export const closeMonthCommand: StoreCommand = {
  name: 'close-month',
  usage: 'close-month [--month YYYY-MM]    (default: every month that has ended plus the grace period)',
  help: `Usage: canopy close-month [--month YYYY-MM]

Settles a month: every active account with deposits in it gets one transaction for their sum and a
certificate dated the month's last second, and those deposits lock. Running it again creates nothing new.
Without --month, closes every month that has ended plus CANOPY_CLOSE_GRACE_DAYS (default 2).

Options
  --month YYYY-MM    close this month (it must have ended)

Example
  canopy close-month --month 2026-11`,
  async execute({ db, config, clock, out }, argv) {
    const { values } = parseOptions('close-month', argv, { month: { type: 'string' } });
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
