// Reproduction of runs meeting on feeds (issue 12's measurement): one dealer, a Print Tracker server, six
// feeds activated 45 days back; right after creating them (their backfills running), two POST
// /v1/collection-runs and one `canopy collect`-style run in the same process. Prints, per round, the feeds
// short of the sandbox truth, days exact, pages short, and what each run said.
// Run: node bench/overlapping-runs.ts [--rounds 3 --latency-ms 40]
//      TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node bench/overlapping-runs.ts   (PostgreSQL)
import { parseArgs } from 'node:util';
import { createRun, getRunById } from '../src/collection/runs.ts';
import { collectionWorld, depositsByDay, truth, truthByDay } from '../test/collection/helpers.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'latency-ms': { type: 'string', default: '40' } } });
const NOW = '2025-04-15T02:00:00Z';
const ACTIVATED = '2025-03-01';

const w = await collectionWorld({
  now: NOW,
  sandbox: { seed: 11, customers: 6, start: '2025-01-01', rates: { stoppedCustomer: 0 }, faults: { printtracker: { latencyMs: Number(values['latency-ms']) } } },
});
let feedsShort = 0;
let feedsTotal = 0;
let pagesShort = 0;
let pagesTruth = 0;
let daysExact = 0;
let daysTotal = 0;
const statuses = new Map<string, number>();
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    const dealer = await w.t.account(`Dealer round ${round}`);
    const [path] = await w.t.db.query<{ path: string }>(`SELECT path FROM accounts WHERE id = $1`, [dealer.id]);
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    });
    const customers: Array<{ id: string; entity: string }> = [];
    for (const [i, entity] of w.sb.printtracker.customerEntityIds.entries()) {
      const c = await w.t.account(`Round ${round} customer ${i}`, { key: dealer.key });
      await w.t.json(`/v1/accounts/${c.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: entity, activated_at: ACTIVATED } });
      customers.push({ id: c.id, entity });
    }
    // The backfills are running: two "Collect now" and a command-line collection in the same process.
    const posted = [];
    for (let i = 0; i < 2; i++) posted.push((await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 })).id as string);
    const cli = await createRun(w.t.db, { account: { id: dealer.id, path: path.path }, trigger: 'cli', now: w.t.clock.read() });
    await w.t.app.collection.engine.executeRun(cli.id);
    await w.t.app.collection.idle();
    const runs = await w.t.db.query<{ id: string }>(
      `SELECT id FROM collection_runs WHERE account_id = $1 OR account_id IN (SELECT id FROM accounts WHERE parent_id = $1)`, [dealer.id],
    );
    for (const r of runs) {
      const run = await getRunById(w.t.db, r.id);
      statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
    }
    let short = 0;
    let exact = 0;
    let days = 0;
    let missing = 0;
    let total = 0;
    for (const c of customers) {
      const expected = truthByDay(await truth(w.sb, { entity: c.entity, start: ACTIVATED, end: NOW.slice(0, 10) }));
      const got = await depositsByDay(w.t, c.id, dealer.key);
      const want = [...expected.values()].reduce((a, b) => a + b, 0);
      const have = [...got.values()].reduce((a, b) => a + b, 0);
      total += want;
      missing += want - have;
      if (want !== have) short += 1;
      for (const [day, pages] of expected) {
        days += 1;
        if (got.get(day) === pages) exact += 1;
      }
    }
    process.stdout.write(`round ${round}: ${short} of ${customers.length} feeds short of the truth, ${exact}/${days} days exact, ${missing} of ${total} pages short; runs: ${runs.length}\n`);
    feedsShort += short;
    feedsTotal += customers.length;
    pagesShort += missing;
    pagesTruth += total;
    daysExact += exact;
    daysTotal += days;
  }
  process.stdout.write(
    `total (${w.t.db.kind}): ${feedsShort} of ${feedsTotal} feeds short, ${daysExact}/${daysTotal} days exact, ${pagesShort} of ${pagesTruth} pages short; run statuses: ${[...statuses].map(([s, n]) => `${n} ${s}`).join(', ')}\n`,
  );
} finally {
  await w.close();
}
