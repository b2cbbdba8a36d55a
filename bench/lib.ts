// Shared benchmark tools: a store with a bootstrapped root, bulk account creation, and an HTTP load loop.
import crypto from 'node:crypto';
import http from 'node:http';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createKey } from '../src/keys/api-keys.ts';

export interface BenchStore {
  db: Database;
  config: Config;
  rootId: string;
  close(): Promise<void>;
}

/** PGlite in memory, or PostgreSQL in a throwaway schema when DATABASE_URL is set. */
export async function benchStore(): Promise<BenchStore> {
  const url = process.env.DATABASE_URL || null;
  const schema = url ? `bench_${crypto.randomBytes(4).toString('hex')}` : undefined;
  const db = await openDatabase({ databaseUrl: url, dataDir: null, schema, poolSize: 10 });
  await migrate(db);
  // No per-key ceiling: a benchmark is one key asking as fast as it can.
  const config = loadConfig({ CANOPY_BOOTSTRAP_KEY: 'bench_root_key_0000000000', CANOPY_DATA_DIR: '/nonexistent', CANOPY_RATE_LIMIT_PER_KEY: '0' });
  const boot = await bootstrap(db, config, new Date());
  return {
    db, config, rootId: boot.rootAccountId,
    async close() {
      if (schema) await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

/** Creates a channel with `customers` customer accounts by bulk SQL; returns ids and a channel key. */
export async function channelWithCustomers(store: BenchStore, customers: number) {
  const channelId = crypto.randomUUID();
  const rootPath = `/${store.rootId}/`;
  const channelPath = `${rootPath}${channelId}/`;
  await store.db.query(
    `INSERT INTO accounts (id, name, display_name, role, parent_id, path, status, activated_at) VALUES ($1, 'Bench Channel', 'Bench Channel', 'channel', $2, $3, 'active', now())`,
    [channelId, store.rootId, channelPath],
  );
  const ids: string[] = [];
  for (let start = 0; start < customers; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, customers - start) }, () => crypto.randomUUID());
    await store.db.query(
      `INSERT INTO accounts (id, name, display_name, role, parent_id, path, status, activated_at)
       SELECT id, 'Customer ' || lpad(n::text, 6, '0'), 'Customer ' || lpad(n::text, 6, '0'), 'customer', $2, $3 || id || '/', 'active', now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [batch, channelId, channelPath],
    );
    ids.push(...batch);
  }
  const key = await createKey(store.db, channelId, 'bench');
  return { channelId, channelPath, customerIds: ids, key: key.key };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sends GETs with `concurrency` keep-alive connections for `seconds`; latencies in milliseconds. */
export async function load(url: string, headers: Record<string, string>, seconds: number, concurrency = 8): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors += 1;
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    });
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, seconds: elapsed, rps: latencies.length / elapsed,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors,
  };
}

export function formatLoad(label: string, r: LoadResult): string {
  return `${label.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   (${r.requests} requests, ${r.errors} errors)`;
}
