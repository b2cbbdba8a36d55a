// Benchmark: importing a CSV of meter readings (1,000,000 rows by default) into an import feed, streamed and
// committed in chunks, with peak RSS sampled during the import (and a file a tenth the size, to show memory stays
// flat); beside it, in the same run, the collection engine's own cost per reading, collecting a Print Tracker
// feed from the sandbox.
// Run: npm run bench:import   [-- --rows 1000000 --devices 4000]   (DATABASE_URL=postgres://... for PostgreSQL)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrap } from '../src/bootstrap.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createKey } from '../src/keys/api-keys.ts';
import { fileRows, guessFile } from '../src/imports/csv-input.ts';
import { createJob, importSettings, runImport } from '../src/imports/import-feed.ts';
import { startSandbox } from '../sandbox/server.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    devices: { type: 'string', default: '4000' },
    'collect-devices': { type: 'string', default: '40' },
    'collect-days': { type: 'string', default: '120' },
  },
});
const ROWS = Number(values.rows);
const DEVICES = Number(values.devices);
const NOW = new Date('2025-06-15T12:00:00Z');
const DAY = 86_400_000;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Samples RSS while `work` runs: the peak, and where it started. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; startRss: number; peakRss: number }> {
  global.gc?.();
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const t0 = performance.now();
  try {
    const result = await work();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, seconds: (performance.now() - t0) / 1000, startRss, peakRss };
  } finally {
    clearInterval(timer);
  }
}

/** A fleet export of `rows` readings, one a day per device, written as a stream (never held in memory). */
async function writeExport(file: string, rows: number, devices: number, prefix: string): Promise<void> {
  const days = Math.ceil(rows / devices);
  const first = NOW.getTime() - (days + 1) * DAY;
  const out = fs.createWriteStream(file);
  out.write('Device ID,Serial Number,Read At,Lifetime Total\r\n');
  let written = 0;
  for (let d = 0; d < days && written < rows; d++) {
    let chunk = '';
    for (let i = 0; i < devices && written < rows; i++, written++) {
      const at = new Date(first + d * DAY + ((i * 37) % 600) * 60_000).toISOString().replace('.000Z', 'Z');
      chunk += `${prefix}-${String(i).padStart(5, '0')},SN${i},${at},${100_000 + i * 7 + d * (50 + (i % 200))}\r\n`;
    }
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function openStore(dir: string): Promise<{ db: Database; config: Config; rootId: string; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL || null;
  const schema = url ? `bench_${crypto.randomBytes(4).toString('hex')}` : undefined;
  const db = await openDatabase({ databaseUrl: url, dataDir: url ? null : path.join(dir, 'data'), schema, poolSize: 10 });
  await migrate(db);
  const config = loadConfig({
    CANOPY_BOOTSTRAP_KEY: 'bench_root_key_0000000000', CANOPY_DATA_DIR: '/nonexistent', CANOPY_RATE_LIMIT_PER_KEY: '0',
    CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1', CANOPY_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
  });
  const boot = await bootstrap(db, config, NOW);
  return {
    db, config, rootId: boot.rootAccountId,
    async close() {
      if (schema) await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

async function importFile(store: Awaited<ReturnType<typeof openStore>>, file: string, label: string) {
  const accountId = crypto.randomUUID();
  const feedId = crypto.randomUUID();
  await store.db.query(
    `INSERT INTO accounts (id, name, display_name, role, parent_id, path, status, activated_at)
     VALUES ($1, $2, $2, 'customer', $3, $4, 'active', $5)`,
    [accountId, `Import ${label}`, store.rootId, `/${store.rootId}/${accountId}/`, NOW],
  );
  await store.db.query(
    `INSERT INTO feeds (id, account_id, server_id, type, external_id, status, activated_at, window_start, created_at)
     VALUES ($1, $2, NULL, 'import', 'bench', 'active', '2020-01-01', '2020-01-01', $3)`,
    [feedId, accountId, NOW],
  );
  const feed = { id: feedId, account_id: accountId, type: 'import', collection_scope: 'all' as const, activated_at: new Date('2020-01-01') };
  const { mapping } = guessFile(fs.readFileSync(file).subarray(0, 65_536), NOW.getTime());
  const jobId = await createJob(store.db, feed, { source: 'cli', filename: file }, NOW);
  let storedAt = 0;
  const t0 = performance.now();
  const run = await withPeakRss(() => runImport({ db: store.db, clock: () => NOW, settings: importSettings(store.config.collection) }, {
    feed, jobId, kind: mapping.kind, rows: fileRows(fs.createReadStream(file), mapping),
    options: { zone: mapping.zone, dateFormat: mapping.date_format, thousands: mapping.thousands_separator },
    onProgress: (p) => {
      storedAt = performance.now();
      if (p.rows % 100_000 === 0) process.stderr.write(`  ${label}: ${p.rows} rows stored\n`);
    },
  }));
  const storeSeconds = (storedAt - t0) / 1000;
  if (run.result.accepted !== run.result.rows) throw new Error(`${label}: only ${run.result.accepted} of ${run.result.rows} rows accepted: ${JSON.stringify(run.result.problems.slice(0, 3))}`);
  const [{ pages }] = await store.db.query<{ pages: string }>(`SELECT coalesce(sum(pages), 0)::text AS pages FROM deposits WHERE feed_id = $1`, [feedId]);
  return { ...run, storeSeconds, recomputeSeconds: run.seconds - storeSeconds, pages: Number(pages), size: fs.statSync(file).size };
}

/** The collection engine on a Print Tracker feed from the sandbox: its time per reading, HTTP included. */
async function collectionCost(store: Awaited<ReturnType<typeof openStore>>) {
  const devices = Number(values['collect-devices']);
  const days = Number(values['collect-days']);
  const start = new Date(NOW.getTime() - days * DAY).toISOString().slice(0, 10);
  const sb = await startSandbox({ seed: 11, customers: 1, devicesPerCustomer: devices, start, now: () => NOW.getTime() });
  const app = await buildApp({ db: store.db, config: store.config, clock: () => NOW });
  await app.ready();
  try {
    const key = (await createKey(store.db, store.rootId, 'bench')).key;
    const call = async (url: string, body: unknown) => {
      const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload: body as object });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return JSON.parse(res.body);
    };
    const customer = await call('/v1/accounts', { name: 'Collected customer' });
    const pt = sb.printtracker;
    const server = await call('/v1/servers', { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey });
    const t0 = performance.now();
    await call(`/v1/accounts/${customer.id}/feeds`, { server_id: server.id, external_id: pt.customerEntityIds[0], activated_at: start });
    await app.collection.idle();
    const seconds = (performance.now() - t0) / 1000;
    const [{ readings }] = await store.db.query<{ readings: number }>(
      `SELECT coalesce(sum(rf.readings), 0)::int AS readings FROM collection_run_feeds rf WHERE rf.account_id = $1`, [customer.id],
    );
    return { readings, seconds };
  } finally {
    await app.close();
    await sb.close();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-bench-import-'));
try {
  const small = path.join(dir, 'small.csv');
  const large = path.join(dir, 'large.csv');
  await writeExport(small, Math.round(ROWS / 10), DEVICES, 'small');
  await writeExport(large, ROWS, DEVICES, 'large');
  const store = await openStore(dir);
  const storeName = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (on disk)';
  console.log(`Import benchmark on ${storeName}, Node ${process.version}, ${os.cpus().length} CPUs; ${DEVICES} devices, one reading a day each`);
  const tenth = await importFile(store, small, `${Math.round(ROWS / 10)} rows`);
  const full = await importFile(store, large, `${ROWS} rows`);
  const collected = await collectionCost(store);
  await store.close();
  const line = (label: string, r: typeof full, rows: number) =>
    `${label.padEnd(14)} ${mb(r.size).padStart(7)}  ${(rows / r.seconds).toFixed(0).padStart(7)} rows/s overall  ` +
    `(store ${(rows / r.storeSeconds).toFixed(0)} rows/s in ${r.storeSeconds.toFixed(1)} s, deposits recomputed in ${r.recomputeSeconds.toFixed(1)} s)  ` +
    `${(r.seconds * 1e6 / rows).toFixed(1)} µs/row  RSS ${mb(r.startRss)} → peak ${mb(r.peakRss)}  ${r.pages} pages`;
  console.log(line(`${Math.round(ROWS / 10)} rows`, tenth, Math.round(ROWS / 10)));
  console.log(line(`${ROWS} rows`, full, ROWS));
  console.log(`peak RSS grew ${mb(full.peakRss - full.startRss)} for ${ROWS} rows vs ${mb(tenth.peakRss - tenth.startRss)} for a tenth of them`);
  console.log(
    `collection engine (Print Tracker from the sandbox, same store, same run): ${collected.readings} readings in ${collected.seconds.toFixed(1)} s = ` +
    `${(collected.seconds * 1e6 / collected.readings).toFixed(1)} µs/reading (${(collected.readings / collected.seconds).toFixed(0)} readings/s)`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
