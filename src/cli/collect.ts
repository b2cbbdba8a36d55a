// `canopy collect [--feed <id>] [--account <id>] [--since YYYY-MM-DD]`: collect now, with progress and a summary.
import { parseArgs } from 'node:util';
import { parseRecollectDay } from '../domain/calendar.ts';
import { InvalidInput } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import { createCollectionRuntime } from '../collection/runtime.ts';
import { createRun, feedUnder } from '../collection/runs.ts';
import { UsageError, type StoreCommand } from './command.ts';

export const collectCommand: StoreCommand = {
  name: 'collect',
  usage: 'collect [--feed <feed-id>] [--account <account-id>] [--since YYYY-MM-DD]   (default: every active feed)',
  async execute({ db, config, clock, out, progress, collection }, argv) {
    const { values } = parseArgs({ args: argv, options: { feed: { type: 'string' }, account: { type: 'string' }, since: { type: 'string' } } });
    if (values.feed !== undefined && !isUuid(values.feed)) throw new UsageError('--feed must be a feed id (a UUID)');
    if (values.account !== undefined && !isUuid(values.account)) throw new UsageError('--account must be an account id (a UUID)');
    if (values.since !== undefined) {
      try {
        parseRecollectDay(values.since, clock(), '--since');
      } catch (error) {
        if (error instanceof InvalidInput) throw new UsageError(error.message);
        throw error;
      }
    }
    const [account] = await db.query<{ id: string; path: string }>(
      values.account ? `SELECT id, path FROM accounts WHERE id = $1` : `SELECT id, path FROM accounts WHERE parent_id IS NULL`,
      values.account ? [values.account] : [],
    );
    if (!account) throw new UsageError(`no account ${values.account ?? '(root)'}`);
    if (values.feed) {
      if (!(await feedUnder(db, account.path, values.feed))) throw new UsageError(`no feed ${values.feed}${values.account ? ` under account ${values.account}` : ''}`);
    }
    const runtime = collection ?? createCollectionRuntime({ db, config, clock });
    const run = await createRun(db, { account, feedId: values.feed ?? null, trigger: 'cli', since: values.since ?? null, now: clock() });
    out(`collection run ${run.id}: ${run.feeds_total} feed(s)${values.since ? ` from ${values.since}` : ''}`);
    const done = await runtime.engine.executeRun(run.id, {
      onProgress: ({ run: r }) =>
        progress?.({ done: r.feeds_done, total: r.feeds_total, detail: `feeds · ${r.readings} readings · ${r.pages} pages · ${r.errors} error(s)` }),
    });
    out(`${done.status}: ${done.feeds_done}/${done.feeds_total} feeds, ${done.devices} devices, ${done.readings} readings, ${done.pages} pages, ${done.anomalies} anomalies, ${done.errors} error(s)`);
    for (const message of done.error_messages) out(`  error: ${message}`);
    return done.status === 'succeeded' ? 0 : 1;
  },
};
