// Benchmark: GET /v1/account of a channel with 1,000 customers, beside a trivial route on the same server.
// Run: npm run bench:api            (embedded PGlite, in memory)
//      DATABASE_URL=postgres://... npm run bench:api
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { benchStore, channelWithCustomers, formatLoad, load } from './lib.ts';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '8' } },
});
const customers = Number(values.customers);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const store = await benchStore();
const channel = await channelWithCustomers(store, customers);
const app = await buildApp({ db: store.db, config: store.config, clock: () => new Date() });
app.get('/bench/trivial', async () => ({ ok: true }));
const base = await app.listen({ port: 0, host: '127.0.0.1' });
const auth = { authorization: `Bearer ${channel.key}` };

console.log(`store: ${store.db.kind}; channel with ${customers} customers; ${seconds}s per route, ${concurrency} connections`);
// Warm up both routes so JIT and caches are comparable.
await load(`${base}/bench/trivial`, {}, 1, concurrency);
await load(`${base}/v1/account`, auth, 1, concurrency);
const trivial = await load(`${base}/bench/trivial`, {}, seconds, concurrency);
const account = await load(`${base}/v1/account`, auth, seconds, concurrency);
console.log(formatLoad('GET /bench/trivial (baseline)', trivial));
console.log(formatLoad('GET /v1/account (channel)', account));
console.log(
  `ratio: /v1/account serves ${(account.rps / trivial.rps * 100).toFixed(1)}% of the baseline's throughput; p99 ${(account.p99 / trivial.p99).toFixed(1)}x the baseline's`,
);
await app.close();
await store.close();
