// `canopy collect [--feed <id>] [--account <id>] [--since YYYY-MM-DD]`: collect now, with progress and a summary.
import { parseRecollectDay } from '../domain/calendar.ts';
import { InvalidInput } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import { createCollectionRuntime } from '../collection/runtime.ts';
import { feedUnder, requestRun, type RunRow } from '../collection/runs.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';

/** One line a dealer can trust: the status, how each feed ended, pages read and the net change. */
export function runSummary(run: RunRow): string {
  const o = run.outcomes;
  const ended = [`${o.collected} collected`, `${o.waited_for} waited for another run`, `${o.failed} failed`, `${o.offline} offline`]
    .concat(o.skipped > 0 ? [`${o.skipped} skipped`] : []).join(', ');
  return `${run.status}: ${run.feeds_done}/${run.feeds_total} feeds (${ended}), ${run.devices} devices, ${run.readings} readings, ${run.pages_read} pages read, net ${run.pages >= 0 ? '+' : ''}${run.pages} pages, ${run.anomalies} anomalies, ${run.errors} error(s)`;
}

export const collectCommand: StoreCommand = {
  name: 'collect',
  usage: 'collect [--feed <feed-id>] [--account <account-id>] [--since YYYY-MM-DD]   (default: every active feed)',
  help: `Usage: canopy collect [--feed <feed-id>] [--account <account-id>] [--since YYYY-MM-DD]

Collects now, as the nightly run does: every active feed, or those below an account, or one feed.
Shows a progress bar on a terminal, then a summary; exits 1 if a feed failed.

Options
  --account <id>       only the feeds of this account and the accounts below it (canopy accounts list)
  --feed <id>          only this feed (GET /v1/feeds?include_descendants=true lists them)
  --since YYYY-MM-DD   read again from this day (late readings, a fixed outage)

Example
  canopy collect --account 0b6f3c2e-8d4a-4f1b-9c7e-2a5d8e1f4b3c --since 2026-11-01`,
  async execute({ db, config, clock, out, progress, collection }, argv) {
    const { values } = parseOptions('collect', argv, { feed: { type: 'string' }, account: { type: 'string' }, since: { type: 'string' } });
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
    const { run, joined } = await requestRun(db, {
      account, feedId: values.feed ?? null, trigger: 'cli', since: values.since ?? null, now: clock(), openRunsBound: null,
    });
    out(`collection run ${run.id}: ${run.feeds_total} feed(s)${values.since ? ` from ${values.since}` : ''}${joined ? ' (joined: the same request was already pending)' : ''}`);
    const done = await runtime.engine.executeRun(run.id, {
      onProgress: ({ run: r }) =>
        progress?.({ done: r.feeds_done, total: r.feeds_total, detail: `feeds · ${r.readings} readings · ${r.pages_read} pages read · ${r.errors} error(s)` }),
    });
    out(runSummary(done));
    for (const message of done.error_messages) out(`  error: ${message}`);
    return done.status === 'succeeded' ? 0 : 1;
  },
};
