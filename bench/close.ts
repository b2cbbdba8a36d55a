// Benchmark: month close of 10,000 customers x 30 deposits, and GET /v1/account of a channel whose
// 1,000 customers hold 3 years of daily deposits (figures come from the monthly roll-up, not a scan).
// Run: npm run bench:close   [-- --customers 10000 --deposits 30]   (DATABASE_URL=postgres://... for PostgreSQL)
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { closeMonth } from '../src/ledger/month-close.ts';
import { benchStore, channelWithCustomers, formatLoad, load, type BenchStore } from './lib.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    deposits: { type: 'string', default: '30' },
    'figure-customers': { type: 'string', default: '1000' },
    years: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
  },
});

/** One deposit a day per customer from `firstDay`, written set-based, with the roll-up rebuilt to match. */
async function bulkDeposits(store: BenchStore, channelPath: string, customerIds: string[], firstDay: string, days: number) {
  for (let i = 0; i < customerIds.length; i += 200) {
    await store.db.query(
      `INSERT INTO deposits (id, account_id, date, day, pages, width, length, density, standard_pages)
       SELECT gen_random_uuid(), a.id, d + interval '12 hours', d::date, p, 0.2159, 0.2794, 75, p
         FROM unnest($1::uuid[]) AS a(id)
        CROSS JOIN generate_series($2::date, $2::date + ($3::int - 1), interval '1 day') AS d
        CROSS JOIN LATERAL (SELECT 50 + (abs(hashtext(a.id::text || d::text)) % 400) AS p) pages`,
      [customerIds.slice(i, i + 200), firstDay, days],
    );
  }
  // The roll-up holds each account's subtree: the customer, its channel and the root.
  await store.db.query(
    `INSERT INTO account_monthly_pages (account_id, month, standard_pages)
     SELECT ancestor::uuid, date_trunc('month', d.day)::date, sum(d.standard_pages)
       FROM deposits d JOIN accounts a ON a.id = d.account_id
       CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from a.path), '/')) AS ancestor
      WHERE a.path LIKE $1
      GROUP BY 1, 2
     ON CONFLICT (account_id, month) DO UPDATE SET standard_pages = account_monthly_pages.standard_pages + EXCLUDED.standard_pages`,
    [`${channelPath}%`],
  );
}

const customers = Number(values.customers);
const depositsEach = Number(values.deposits);

// 1. Month close.
{
  const store = await benchStore();
  console.log(`store: ${store.db.kind}`);
  let t0 = performance.now();
  const channel = await channelWithCustomers(store, customers);
  await bulkDeposits(store, channel.channelPath, channel.customerIds, '2021-02-01', Math.min(depositsEach, 28));
  if (depositsEach > 28) {
    // more than one deposit a day: a second pass on the first days
    await bulkDeposits(store, channel.channelPath, channel.customerIds, '2021-02-01', depositsEach - 28);
  }
  const [{ n }] = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deposits`);
  console.log(`setup: ${customers} customers, ${n} deposits in 2021-02 (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  t0 = performance.now();
  const result = await closeMonth(store.db, '2021-02', {
    clock: () => new Date('2021-03-05T00:00:00Z'), graceDays: 2, log: (line) => console.log(`  ${line}`),
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`month close: ${result.accountsClosed} accounts in ${seconds.toFixed(2)}s = ${(result.accountsClosed / seconds).toFixed(0)} accounts/s (${result.pages} standard pages, ${result.failures.length} failures)`);
  t0 = performance.now();
  const again = await closeMonth(store.db, '2021-02', { clock: () => new Date('2021-03-05T00:00:00Z'), graceDays: 2 });
  console.log(`re-run (idempotent): ${again.accountsClosed} accounts closed in ${((performance.now() - t0) / 1000).toFixed(2)}s`);
  await store.close();
}

// 2. Account figures with years of history.
{
  const store = await benchStore();
  const years = Number(values.years);
  const figureCustomers = Number(values['figure-customers']);
  let t0 = performance.now();
  const channel = await channelWithCustomers(store, figureCustomers);
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate()));
  const days = Math.round((now.getTime() - first.getTime()) / 86_400_000);
  await bulkDeposits(store, channel.channelPath, channel.customerIds, first.toISOString().slice(0, 10), days);
  const [{ n }] = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deposits`);
  console.log(`setup: channel with ${figureCustomers} customers, ${n} daily deposits over ${years} years (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  const app = await buildApp({ db: store.db, config: store.config, clock: () => new Date() });
  app.get('/bench/trivial', async () => ({ ok: true }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const auth = { authorization: `Bearer ${channel.key}` };
  const body = (await (await fetch(`${base}/v1/account`, { headers: auth })).json()) as { ltd_pages: number; ltd_trees: number };
  console.log(`channel ltd_pages ${body.ltd_pages}, ltd_trees ${body.ltd_trees}`);
  await load(`${base}/v1/account`, auth, 1);
  const trivial = await load(`${base}/bench/trivial`, {}, Number(values.seconds));
  const account = await load(`${base}/v1/account`, auth, Number(values.seconds));
  console.log(formatLoad('GET /bench/trivial (baseline)', trivial));
  console.log(formatLoad(`GET /v1/account (${years}y history)`, account));
  await app.close();
  await store.close();
}
