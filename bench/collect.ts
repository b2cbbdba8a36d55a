// Benchmark: one nightly collection of 10,000 Print Tracker customer feeds x 20 devices against the sandbox (in a
// child process, 50 ms added per request), at the default per-server concurrency and at 16, beside a
// one-request-at-a-time baseline on a sample, extrapolated. Deposits of sampled customers are checked against the truth.
// Run: npm run bench:collect   [-- --customers 10000 --devices 20 --latency-ms 50 --sample 50 --verify 100]
//      DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:collect   (PostgreSQL, in a throwaway schema)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createAccount, type AccountRow } from '../src/accounts/service.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { createCollectionRuntime } from '../src/collection/runtime.ts';
import { createRun, type RunRow } from '../src/collection/runs.ts';
import { createFeed } from '../src/integrations/feeds-service.ts';
import { createServer } from '../src/integrations/servers-service.ts';
import { openDatabase, type Database, type Queryable } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import type { AccountRef, Principal } from '../src/keys/api-keys.ts';
import { benchStore, type BenchStore } from './lib.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    devices: { type: 'string', default: '20' },
    'latency-ms': { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
    /** feeds collected at once (default: CANOPY_COLLECT_CONCURRENCY's default) */
    'feed-concurrency': { type: 'string' },
    sample: { type: 'string', default: '50' },
    verify: { type: 'string', default: '100' },
    'setup-concurrency': { type: 'string', default: '8' },
    'baseline-concurrency': { type: 'string', default: '32' },
    now: { type: 'string', default: '2026-06-10T02:00:00Z' },
    'activated-days': { type: 'string', default: '3' },
    'world-start': { type: 'string', default: '2026-01-01' },
    /** print the statements that took the most time in each run */
    queries: { type: 'boolean', default: false },
    /** write a CPU profile of Canopy's process during the night at --concurrency to this file */
    'cpu-prof': { type: 'string' },
    /** internal: create and migrate a PGlite data directory, then exit (run in a child process) */
    'prepare-store': { type: 'string' },
    /** skip the night at the default concurrency (quicker, for experiments; no ratio to it) */
    'skip-default': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(values.customers);
const DEVICES = Number(values.devices);
const LATENCY_MS = Number(values['latency-ms']);
const FAST = Number(values.concurrency);
const DEFAULTS = loadConfig({}).collection;
const FEED_CONCURRENCY = Number(values['feed-concurrency'] ?? DEFAULTS.feedConcurrency);
const SAMPLE = Math.min(Number(values.sample), CUSTOMERS);
const VERIFY = Math.min(Number(values.verify), CUSTOMERS);
const DEFAULT_SERVER_CONCURRENCY = DEFAULTS.serverConcurrency;
const DAY_MS = 86_400_000;
const NOW0 = Date.parse(values.now);
const ACTIVATED = new Date(NOW0 - Number(values['activated-days']) * DAY_MS).toISOString().slice(0, 10);
const SECRET_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const elapsed = (t0: number) => performance.now() - t0;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

// ---------------------------------------------------------------------------------------------------------------
// The sandbox in a child process, so its work never shares Canopy's event loop.

interface SandboxInfo {
  printtracker: { url: string; apiKey: string; dealerEntityId: string; customerEntityIds: string[] };
}

async function startSandboxProcess(): Promise<{ child: ChildProcess; info: SandboxInfo }> {
  const args = [
    path.join(import.meta.dirname, '../src/cli/main.ts'), 'sandbox', '--json', '--seed', '7',
    '--customers', String(CUSTOMERS), '--devices-per-customer', String(DEVICES),
    '--start', values['world-start'], '--now', iso(NOW0), '--latency-ms', String(LATENCY_MS),
    '--printtracker-port', '0', '--pharos-port', '0', '--printix-port', '0', '--printix-auth-port', '0',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code}) before printing its URLs`)));
  });
  return { child, info: JSON.parse(firstLine) as SandboxInfo };
}

let sandboxUrl = '';
async function control<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(`${sandboxUrl}/__sandbox/${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Stats {
  total: number;
  routes: Record<string, Record<string, number>>;
}
/** Requests the upstream answered with something Canopy retries (5xx, 429, resets, hangs). */
const retried = (s: Stats) => Object.values(s.routes).flatMap((r) => Object.entries(r))
  .filter(([outcome]) => outcome === '429' || outcome === 'reset' || outcome === 'hang' || /^5\d\d$/.test(outcome))
  .reduce((a, [, n]) => a + n, 0);
const byRoute = (s: Stats) => Object.entries(s.routes).map(([route, r]) => `${route.replace(/^GET \/v1\/entity\/:id/, '…')} ${Object.values(r).reduce((a, b) => a + b, 0)}`).join(', ');

/** Peak resident memory of the sandbox process (VmHWM), when /proc says. */
function childPeakRss(child: ChildProcess): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the sandbox process has used, when /proc says. */
function childCpuSeconds(child: ChildProcess): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The store: PostgreSQL in a throwaway schema, or PGlite in a data directory on disk as `canopy serve` runs it.
// The directory is created (initdb, migrations) by a child process: a server creates it once, on its first start,
// and PGlite's initdb alone peaks at about 1 GB, which says nothing about collecting.

const BENCH_CONFIG_ENV = { CANOPY_BOOTSTRAP_KEY: 'bench_root_key_0000000000', CANOPY_DATA_DIR: '/nonexistent' };

async function prepareStore(dataDir: string): Promise<void> {
  const db = await openDatabase({ dataDir });
  await migrate(db);
  await bootstrap(db, loadConfig(BENCH_CONFIG_ENV), new Date());
  await db.close();
  process.stdout.write(`${JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
}

async function openStore(): Promise<BenchStore & { note: string }> {
  if (process.env.DATABASE_URL) return { ...(await benchStore()), note: 'a throwaway schema' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-bench-collect-'));
  const dataDir = path.join(dir, 'data');
  const t0 = performance.now();
  const child = spawn(process.execPath, [import.meta.filename, '--prepare-store', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`creating the PGlite data directory failed (${code})`);
  const { maxRss } = JSON.parse(output) as { maxRss: number };
  const db = await openDatabase({ dataDir });
  const [root] = await db.query<{ id: string }>(`SELECT id FROM accounts WHERE parent_id IS NULL`);
  return {
    db, config: loadConfig(BENCH_CONFIG_ENV), rootId: root.id,
    note: `data directory ${dataDir}, created by a child process in ${secs(elapsed(t0))} (its initdb peaked at ${mb(maxRss)} RSS)`,
    async close() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Setup: a dealer, its Print Tracker server, customer accounts and feeds, through the services.

interface Customer {
  account: AccountRef;
  entity: string;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

const ref = (row: AccountRow): AccountRef => ({ id: row.id, name: row.name, role: row.role, path: row.path, status: row.status });

/** Counts the statements Canopy sends and the time they take (sum over concurrent ones), per SQL text. */
class QueryCounter {
  statements = 0;
  transactions = 0;
  /** statement time, summed (overlapping ones each count) */
  ms = 0;
  /** time inside transactions, from their first statement to their last */
  txMs = 0;
  readonly bySql = new Map<string, { n: number; ms: number }>();
  reset() {
    this.statements = 0;
    this.transactions = 0;
    this.ms = 0;
    this.txMs = 0;
    this.bySql.clear();
  }
  wrap(db: Database): Database {
    const timed = (q: Queryable): Queryable => ({
      query: async <R extends object>(sql: string, params?: readonly unknown[]) => {
        const t0 = performance.now();
        try {
          return await q.query<R>(sql, params);
        } finally {
          const ms = performance.now() - t0;
          this.statements += 1;
          this.ms += ms;
          const key = sql.replace(/\s+/g, ' ').slice(0, 90);
          const entry = this.bySql.get(key) ?? { n: 0, ms: 0 };
          entry.n += 1;
          entry.ms += ms;
          this.bySql.set(key, entry);
        }
      },
    });
    const plain = timed(db);
    return {
      ...db,
      kind: db.kind,
      query: plain.query,
      transaction: async (fn) => {
        this.transactions += 1;
        return db.transaction(async (tx) => {
          const t0 = performance.now();
          try {
            return await fn(timed(tx));
          } finally {
            this.txMs += performance.now() - t0;
          }
        });
      },
    };
  }
  top(n: number): string[] {
    return [...this.bySql].sort((a, b) => b[1].ms - a[1].ms).slice(0, n).map(([sql, e]) => `${String(e.n).padStart(7)} x ${(e.ms / e.n).toFixed(2).padStart(6)} ms  ${sql}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface NightResult {
  label: string;
  feeds: number;
  seconds: number;
  requests: number;
  retries: number;
  peakRss: number;
  run: RunRow;
  routes: string;
  statements: number;
  transactions: number;
  dbMs: number;
  txMs: number;
  cpuSeconds: number;
  /** event-loop delay in Canopy's process, ms */
  loopDelay: { p50: number; p99: number; max: number };
  sandboxCpuSeconds: number | null;
}

async function main() {
  const store = await openStore();
  const { child, info } = await startSandboxProcess();
  sandboxUrl = info.printtracker.url;
  const stopChild = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('exit', stopChild);
  let now = NOW0;
  const clock = () => new Date(now);
  const baseEnv = {
    CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1', CANOPY_SECRET_KEY: SECRET_KEY, CANOPY_DATA_DIR: '/nonexistent',
    CANOPY_COLLECT_CONCURRENCY: String(FEED_CONCURRENCY),
  };
  const configWith = (env: Record<string, string>) => loadConfig({ ...baseEnv, ...env });

  console.log(`store: ${store.db.kind}, ${store.note}`);
  console.log(`world: ${CUSTOMERS} customers x ${DEVICES} devices on one Print Tracker server, ${LATENCY_MS} ms added per request, clock ${iso(NOW0)}`);
  console.log(`machine: ${(await import('node:os')).cpus().length} cores, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}; Node ${process.version}`);

  try {
    // Setup.
    let t0 = performance.now();
    const [root] = await store.db.query<AccountRef>(`SELECT id, name, role, path, status FROM accounts WHERE id = $1`, [store.rootId]);
    const dealer = ref(await createAccount(store.db, root, { name: 'Bench Dealer', role: 'channel' }, clock()));
    // The serial baseline's sample lives under a channel of its own, so a run over that channel covers exactly it.
    const sampleChannel = ref(await createAccount(store.db, dealer, { name: 'Sample', role: 'channel' }, clock()));
    const principal: Principal = { keyId: 'bench', account: dealer };
    const runtime0 = createCollectionRuntime({ db: store.db, config: configWith({}), clock });
    const server = await createServer(store.db, runtime0.integration, dealer, {
      type: 'printtracker', url: info.printtracker.url, username: info.printtracker.dealerEntityId, password: info.printtracker.apiKey,
    }, clock());
    const entities = info.printtracker.customerEntityIds;
    const customers: Customer[] = new Array(entities.length);
    // The sample: spread evenly over the world's customers.
    const sampleIndex = new Set(Array.from({ length: SAMPLE }, (_, i) => Math.floor((i * CUSTOMERS) / SAMPLE)));
    let lastLine = performance.now();
    await forEachLimited(entities, Number(values['setup-concurrency']), async (entity, i) => {
      const parent = sampleIndex.has(i) ? sampleChannel : dealer;
      const account = ref(await createAccount(store.db, parent, { name: `Customer ${String(i).padStart(5, '0')}` }, clock()));
      await createFeed(store.db, principal, account, { server_id: server.id, external_id: entity, activated_at: ACTIVATED }, clock());
      customers[i] = { account, entity };
      if (performance.now() - lastLine > 5000) {
        lastLine = performance.now();
        console.log(`  setup: ${customers.filter(Boolean).length}/${CUSTOMERS} accounts and feeds`);
      }
    });
    console.log(`setup: dealer, server, ${CUSTOMERS} customer accounts and feeds (activated ${ACTIVATED}) through createAccount/createServer/createFeed in ${secs(elapsed(t0))}; RSS ${mb(process.memoryUsage.rss())}, peak so far ${mb(process.resourceUsage().maxRSS * 1024)}`);

    // PGlite's start-up alone peaks well above what it then holds (about 830 MB for half a second, then ~340 MB).
    const maxRssBeforeRuns = process.resourceUsage().maxRSS * 1024;
    const counter = new QueryCounter();
    const counted = counter.wrap(store.db);
    const night = async (label: string, opts: { at: number; serverConcurrency: number; feedConcurrency: number; account: AccountRef; latencyMs: number; profile?: string }): Promise<NightResult> => {
      now = opts.at;
      await control('clock', 'POST', { now: iso(now) });
      await control('faults', 'POST', { latencyMs: opts.latencyMs });
      await control('stats', 'DELETE');
      counter.reset();
      const runtime = createCollectionRuntime({
        db: counted, clock,
        config: configWith({ CANOPY_SERVER_CONCURRENCY: String(opts.serverConcurrency), CANOPY_COLLECT_CONCURRENCY: String(opts.feedConcurrency) }),
        log: (line) => {
          if (!/: \d+\/\d+ feeds, /.test(line) && !/started by/.test(line)) console.log(`    ${line}`);
        },
      });
      const run = await createRun(store.db, { account: opts.account, trigger: 'nightly', now: clock() });
      let peakRss = process.memoryUsage.rss();
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 200);
      const profiler = opts.profile ? new Session() : null;
      if (profiler) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const cpu0 = process.cpuUsage();
      const sandboxCpu0 = childCpuSeconds(child);
      const started = performance.now();
      let lastPrint = started;
      const done = await runtime.engine.executeRun(run.id, {
        onProgress: ({ run: r }) => {
          if (performance.now() - lastPrint < 5000) return;
          lastPrint = performance.now();
          const s = (performance.now() - started) / 1000;
          console.log(`  ${label}: ${r.feeds_done}/${r.feeds_total} feeds in ${s.toFixed(0)} s (${(r.feeds_done / s).toFixed(1)} feeds/s), ${r.readings} readings, ${r.errors} error(s), RSS ${mb(process.memoryUsage.rss())}`);
        },
      });
      const ms = elapsed(started);
      const cpu = process.cpuUsage(cpu0);
      loop.disable();
      const sandboxCpu1 = childCpuSeconds(child);
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        fs.writeFileSync(opts.profile!, JSON.stringify(profile));
        profiler.disconnect();
        console.log(`  CPU profile of ${label}: ${opts.profile}`);
      }
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const stats = await control<Stats>('stats');
      if (done.status !== 'succeeded') throw new Error(`${label}: run ${done.status}: ${done.error_messages.slice(0, 3).join('; ')}`);
      const result = {
        label, feeds: done.feeds_done, seconds: ms / 1000, requests: stats.total, retries: retried(stats), peakRss, run: done, routes: byRoute(stats),
        statements: counter.statements, transactions: counter.transactions, dbMs: counter.ms, txMs: counter.txMs,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        loopDelay: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        sandboxCpuSeconds: sandboxCpu0 === null || sandboxCpu1 === null ? null : sandboxCpu1 - sandboxCpu0,
      };
      console.log(
        `${label}: ${result.feeds} feeds in ${result.seconds.toFixed(1)} s = ${(result.feeds / result.seconds).toFixed(1)} feeds/s; ` +
        `${result.requests} requests (${(result.requests / result.feeds).toFixed(2)}/feed: ${result.routes}), ${result.retries} retried; ` +
        `${done.readings} readings, ${done.pages} pages; ${(result.statements / result.feeds).toFixed(1)} SQL statements and ` +
        `${(result.transactions / result.feeds).toFixed(1)} transactions per feed (open ${(result.txMs / 1000).toFixed(1)} s, summed); CPU: Canopy ${result.cpuSeconds.toFixed(1)} s` +
        `${result.sandboxCpuSeconds === null ? '' : `, sandbox ${result.sandboxCpuSeconds.toFixed(1)} s`}; ` +
        `event-loop delay p50 ${result.loopDelay.p50.toFixed(0)} ms, p99 ${result.loopDelay.p99.toFixed(0)} ms, max ${result.loopDelay.max.toFixed(0)} ms; peak RSS ${mb(peakRss)}`,
      );
      if (values.queries) for (const line of counter.top(15)) console.log(`    ${line}`);
      return result;
    };

    /** Deposits per UTC day of each customer equal the sandbox truth from the activation day to today. */
    const verify = async (label: string, list: Customer[]) => {
      const today = iso(now).slice(0, 10);
      let mismatches = 0;
      let pages = 0;
      for (const c of list) {
        const truth = await (await fetch(`${sandboxUrl}/__sandbox/truth?${new URLSearchParams({ entity: c.entity, start: ACTIVATED, end: today })}`)).json() as Array<{ date: string; pages: number }>;
        const expected = new Map(truth.filter((r) => r.pages > 0).map((r) => [r.date, r.pages]));
        const rows = await store.db.query<{ day: string; pages: number }>(
          `SELECT day::text AS day, sum(pages)::int AS pages FROM deposits WHERE account_id = $1 GROUP BY day HAVING sum(pages) <> 0`, [c.account.id],
        );
        const got = new Map(rows.map((r) => [r.day, r.pages]));
        const days = new Set([...expected.keys(), ...got.keys()]);
        const wrong = [...days].filter((d) => expected.get(d) !== got.get(d));
        if (wrong.length > 0) {
          mismatches += 1;
          if (mismatches <= 3) console.log(`  MISMATCH ${c.entity}: ${wrong.map((d) => `${d} deposited ${got.get(d) ?? 0}, truth ${expected.get(d) ?? 0}`).join('; ')}`);
        }
        pages += [...got.values()].reduce((a, b) => a + b, 0);
      }
      console.log(`verify ${label}: ${list.length - mismatches}/${list.length} sampled customers' deposits equal the truth per UTC day (${pages} pages)`);
      if (mismatches > 0) throw new Error(`${mismatches} customers' deposits differ from the truth`);
    };
    const verifySample = Array.from({ length: VERIFY }, (_, i) => customers[Math.floor(((i + 0.5) * CUSTOMERS) / VERIFY)]);

    // The first run: establishes each device's baseline (mostRecentPriorTo) over a short backfill. Not measured,
    // so it runs without the added latency and with more requests in flight.
    const baseline = await night('baseline run (first, not measured; 0 ms latency)', {
      at: NOW0, serverConcurrency: Number(values['baseline-concurrency']), feedConcurrency: Math.max(FEED_CONCURRENCY, Number(values['baseline-concurrency'])),
      account: dealer, latencyMs: 0,
    });
    await verify('after the baseline run', verifySample);

    const nightDefault = values['skip-default'] ? null : await night(`night 1, server concurrency ${DEFAULT_SERVER_CONCURRENCY} (default)`, {
      at: NOW0 + DAY_MS, serverConcurrency: DEFAULT_SERVER_CONCURRENCY, feedConcurrency: FEED_CONCURRENCY, account: dealer, latencyMs: LATENCY_MS,
    });
    if (nightDefault) await verify('after night 1', verifySample);
    const nightFast = await night(`night 2, server concurrency ${FAST}`, {
      at: NOW0 + 2 * DAY_MS, serverConcurrency: FAST, feedConcurrency: FEED_CONCURRENCY, account: dealer, latencyMs: LATENCY_MS,
      profile: values['cpu-prof'],
    });
    await verify('after night 2', verifySample);
    const serial = await night(`night 3, one request at a time, ${SAMPLE} sampled feeds`, {
      at: NOW0 + 3 * DAY_MS, serverConcurrency: 1, feedConcurrency: 1, account: sampleChannel, latencyMs: LATENCY_MS,
    });
    await verify('of the serial sample after night 3', customers.filter((_, i) => sampleIndex.has(i)));

    const serialNight = (serial.seconds / serial.feeds) * CUSTOMERS;
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const sandboxRss = childPeakRss(child);
    const row = (r: NightResult, seconds = r.seconds, feeds = r.feeds) =>
      `| ${r.label.padEnd(50)} | ${(feeds / seconds).toFixed(1).padStart(8)} | ${seconds.toFixed(1).padStart(9)} | ${String(r.requests).padStart(8)} | ${(r.requests / r.feeds).toFixed(2).padStart(8)} | ${String(r.retries).padStart(7)} | ${mb(r.peakRss).padStart(8)} |`;
    console.log('');
    console.log(`Collection benchmark (${store.db.kind}): ${CUSTOMERS} feeds x ${DEVICES} devices, ${LATENCY_MS} ms per request, feed concurrency ${FEED_CONCURRENCY}`);
    console.log(`| ${'run'.padEnd(50)} | feeds/s  | s / night | requests | req/feed | retries | peak RSS |`);
    console.log(`|${'-'.repeat(52)}|----------|-----------|----------|----------|---------|----------|`);
    console.log(row(baseline));
    if (nightDefault) console.log(row(nightDefault));
    console.log(row(nightFast));
    console.log(row(serial));
    console.log(`| ${`one request at a time, extrapolated to ${CUSTOMERS}`.padEnd(50)} | ${(CUSTOMERS / serialNight).toFixed(1).padStart(8)} | ${serialNight.toFixed(0).padStart(9)} | ${''.padStart(8)} | ${''.padStart(8)} | ${''.padStart(7)} | ${''.padStart(8)} |`);
    console.log('');
    console.log(`ratios: concurrency ${FAST} is ${nightDefault ? `${(nightDefault.seconds / nightFast.seconds).toFixed(2)}x the default (${DEFAULT_SERVER_CONCURRENCY}), ` : ''}${(serialNight / nightFast.seconds).toFixed(1)}x one request at a time (${(serialNight / 60).toFixed(0)} min, ${(serial.seconds / serial.feeds).toFixed(2)} s per feed)`);
    console.log(`target: a night at ${FAST} in <= 180 s: ${nightFast.seconds <= 180 ? 'met' : 'MISSED'} (${nightFast.seconds.toFixed(0)} s); RSS < 1 GB: ${maxRss < 1024 ** 3 ? 'met' : 'MISSED'} (peak ${mb(Math.max(...[baseline, nightDefault, nightFast, serial].map((r) => r?.peakRss ?? 0)))} while collecting, sampled every 200 ms; ${mb(maxRss)} for the whole process, ${mb(maxRssBeforeRuns)} of it reached before the first run${sandboxRss === null ? '' : `; the sandbox process ${mb(sandboxRss)}`})`);
    console.log(`PrintReleaf's own figure: 1-2 s per customer serially = ${((CUSTOMERS * 1) / 3600).toFixed(1)}-${((CUSTOMERS * 2) / 3600).toFixed(1)} h for ${CUSTOMERS}`);
  } finally {
    stopChild();
    await store.close();
  }
}

if (values['prepare-store']) await prepareStore(values['prepare-store']);
else await main();
