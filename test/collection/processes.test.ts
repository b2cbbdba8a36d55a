// Real processes: `canopy serve` killed with SIGKILL in the middle of a backfill resumes after a restart with
// nothing lost or doubled; `canopy collect` hands off to the running server, shows progress and a summary;
// two `canopy worker` processes on one PostgreSQL share a run. The sandbox's key is in no log and no file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { testDatabaseUrl } from '../helpers/harness.ts';
import { processEnv, processStore, runCli, spawnCanopy, stop, waitFor, type Proc } from '../helpers/canopy-processes.ts';
import { truth } from './helpers.ts';
import { openDatabase } from '../../src/db/database.ts';
import { startJobs } from '../../src/jobs/queue.ts';
import { COLLECT_RUN_JOB } from '../../src/collection/runtime.ts';
import { createRun, getRunById } from '../../src/collection/runs.ts';

// The sandbox's clock stands still a day behind the real one (Canopy's processes run on real time), so
// truth is fixed while the test runs and a backfill from 45 days back is a handful of weekly chunks.
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const SANDBOX_NOW = new Date(today - DAY + 2 * 3_600_000).toISOString();
const ACTIVATED = new Date(today - 45 * DAY).toISOString().slice(0, 10);
const WORLD_START = new Date(today - 150 * DAY).toISOString().slice(0, 10);

describe(`collection in real processes (${testDatabaseUrl ? 'PostgreSQL' : 'PGlite'})`, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-collect-'));
  let store: Awaited<ReturnType<typeof processStore>>;
  let schema: string | null = null;
  let databaseUrl: string | null = null;
  const rootKey = `root_${crypto.randomBytes(12).toString('hex')}`;
  let sb: Sandbox;
  let serve: Proc;
  let url = '';
  const logs: string[] = [];
  const customers: Array<{ id: string; entity: string }> = [];
  let dealerId = '';

  const env = (extra: Record<string, string> = {}) => processEnv({ dataDir, rootKey, databaseUrl }, extra);
  const api = async (p: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${url}${p}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${init.method ?? 'GET'} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const startServe = async () => {
    serve = spawnCanopy(['serve'], env());
    url = await waitFor('serve to listen', async () => /Canopy listening on (http:\/\/\S+)/.exec(serve.output())?.[1]);
  };
  const depositsOf = async (accountId: string) => {
    const out = new Map<string, number>();
    for (const d of (await api(`/v1/accounts/${accountId}/deposits?limit=1000`)) as Array<{ date: string; pages: number }>) {
      out.set(d.date.slice(0, 10), (out.get(d.date.slice(0, 10)) ?? 0) + d.pages);
    }
    return out;
  };

  /** Every customer's deposits per UTC day equal the truth since the activation. */
  const expectTruth = async () => {
    for (const c of customers) {
      const expected = new Map((await truth(sb, { entity: c.entity, start: ACTIVATED, end: SANDBOX_NOW.slice(0, 10) })).filter((r) => r.pages > 0).map((r) => [r.date, r.pages]));
      expect(Object.fromEntries([...(await depositsOf(c.id))].sort()), c.entity).toEqual(Object.fromEntries([...expected].sort()));
    }
  };

  beforeAll(async () => {
    store = await processStore();
    ({ schema, databaseUrl } = store);
    sb = await startSandbox({
      seed: 11, customers: 4, start: WORLD_START, now: SANDBOX_NOW, rates: { stoppedCustomer: 0 },
      faults: { printtracker: { latencyMs: 60 } },
    });
    await startServe();
  }, 120_000);

  afterAll(async () => {
    if (serve) {
      logs.push(serve.output());
      await stop(serve);
    }
    await sb?.close();
    await store?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a backfill after SIGKILL with every page deposited once', async () => {
    const dealer = await api('/v1/accounts', { method: 'POST', body: { name: 'Dealer processes' } });
    dealerId = dealer.id;
    const server = await api(`/v1/accounts/${dealer.id}/servers`, {
      method: 'POST', body: { type: 'printtracker', url: sb.printtracker.url, username: sb.printtracker.dealerEntityId, password: sb.printtracker.apiKey },
    });
    for (const [i, entity] of sb.printtracker.customerEntityIds.entries()) {
      const c = await api(`/v1/accounts/${dealer.id}/accounts`, { method: 'POST', body: { name: `Process customer ${i}` } });
      await api(`/v1/accounts/${c.id}/feeds`, { method: 'POST', body: { server_id: server.id, external_id: entity, activated_at: ACTIVATED } });
      customers.push({ id: c.id, entity });
    }
    // Kill the server once some chunks are committed and the runs are not done.
    await waitFor('a first committed chunk', async () => (await Promise.all(customers.map((c) => depositsOf(c.id)))).some((d) => d.size > 0));
    const open = await Promise.all(customers.map(async (c) => (await api(`/v1/accounts/${c.id}/collection-runs`)) as Array<{ status: string }>));
    expect(open.flat().some((r) => r.status !== 'succeeded')).toBe(true);
    logs.push(serve.output());
    await stop(serve, 'SIGKILL');

    await startServe();
    await waitFor('the resumed runs to finish', async () => {
      const runs = (await Promise.all(customers.map(async (c) => (await api(`/v1/accounts/${c.id}/collection-runs`)) as Array<{ status: string }>))).flat();
      return runs.length === customers.length && runs.every((r) => r.status === 'succeeded');
    }, 180_000);
    expect(serve.output()).toMatch(/was left open: resuming it/);
    for (const c of customers) {
      const expected = new Map((await truth(sb, { entity: c.entity, start: ACTIVATED, end: SANDBOX_NOW.slice(0, 10) })).filter((r) => r.pages > 0).map((r) => [r.date, r.pages]));
      const got = await depositsOf(c.id);
      expect(Object.fromEntries([...got].sort()), c.entity).toEqual(Object.fromEntries([...expected].sort()));
      const account = await api(`/v1/accounts/${c.id}`);
      expect(account.ltd_pages).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    }
  }, 300_000);

  it('collects from the command line through the running server, with a summary', async () => {
    const r = await runCli(['collect', '--account', dealerId], env());
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/collection run [0-9a-f-]{36}: 4 feed\(s\)/);
    expect(r.stdout).toMatch(/succeeded: 4\/4 feeds \(4 collected, 0 waited for another run, 0 failed, 0 offline\), \d+ devices, \d+ readings, [1-9]\d* pages read, net [+-]\d+ pages, \d+ anomalies, 0 error\(s\)/);
    const bad = await runCli(['collect', '--since', '2025-02-30'], env());
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--since must be a calendar date/);
  }, 180_000);

  it('keeps the sandbox key out of every log line and every stored file', async () => {
    const everything = logs.join('\n') + serve.output();
    expect(everything.length).toBeGreaterThan(100);
    expect(everything).not.toContain(sb.printtracker.apiKey);
    if (!databaseUrl) {
      const needle = Buffer.from(sb.printtracker.apiKey);
      const files = fs.readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(files.length).toBeGreaterThan(10);
      for (const f of files) expect(fs.readFileSync(path.join(f.parentPath, f.name)).includes(needle), f.name).toBe(false);
    }
  });

  it.skipIf(!databaseUrl)('lets two canopy worker processes share one run, each feed collected once', async () => {
    await stop(serve);
    const secretKey = fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
    // One run and one feed at a time each, so each takes one of the run's two jobs and they share its feeds.
    const workerEnv = env({ CANOPY_SECRET_KEY: secretKey, CANOPY_COLLECT_CONCURRENCY: '1', CANOPY_COLLECT_RUNS_PER_PROCESS: '1' });
    const workers = [spawnCanopy(['worker'], workerEnv), spawnCanopy(['worker'], workerEnv)];
    try {
      await waitFor('two workers', async () => workers.every((w) => /worker \S+ started/.test(w.output())));
      // Re-collect everything from the activation, as a run with one job per worker (no server takes part).
      const db = await openDatabase({ databaseUrl: testDatabaseUrl, schema: schema! });
      const queue = await startJobs(db, [], { work: false, schedule: false, log: () => {} });
      const [dealer] = await db.query<{ id: string; path: string }>(`SELECT id, path FROM accounts WHERE id = $1`, [dealerId]);
      const run = await createRun(db, { account: dealer, trigger: 'manual', since: ACTIVATED, now: new Date() });
      for (const shard of [0, 1]) await queue.send(COLLECT_RUN_JOB, { runId: run.id, shard });
      await waitFor('the shared run', async () => (await getRunById(db, run.id)).status === 'succeeded', 180_000);
      const rows = await db.query<{ claimed_by: string; n: number }>(
        `SELECT claimed_by, count(*)::int AS n FROM collection_run_feeds WHERE run_id = $1 GROUP BY claimed_by`, [run.id],
      );
      await queue.stop();
      await db.close();
      expect(rows.reduce((n, r) => n + r.n, 0)).toBe(4);
      expect(rows.length, JSON.stringify(rows)).toBe(2);
      await startServe();
      await expectTruth();
    } finally {
      for (const w of workers) await stop(w);
    }
  }, 300_000);

  it.skipIf(!databaseUrl)('takes over a run from a SIGKILLed worker in a live one, without a restart, the feed collected once', async () => {
    await stop(serve);
    const secretKey = fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
    const workerEnv = env({ CANOPY_SECRET_KEY: secretKey, CANOPY_COLLECT_CONCURRENCY: '1' });
    const workers = [spawnCanopy(['worker'], workerEnv), spawnCanopy(['worker'], workerEnv)];
    const db = await openDatabase({ databaseUrl: testDatabaseUrl, schema: schema! });
    const queue = await startJobs(db, [], { work: false, schedule: false, log: () => {} });
    // Slow answers, so the worker is surely between two chunks of the backfill when it is killed.
    await fetch(`${sb.printtracker.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 400 }) });
    try {
      await waitFor('two workers', async () => workers.every((w) => /worker \S+ started/.test(w.output())));
      const [dealer] = await db.query<{ id: string; path: string }>(`SELECT id, path FROM accounts WHERE id = $1`, [dealerId]);
      const [feed] = await db.query<{ id: string }>(`SELECT f.id FROM feeds f WHERE f.account_id = $1`, [customers[0].id]);
      const run = await createRun(db, { account: dealer, feedId: feed.id, trigger: 'manual', since: ACTIVATED, now: new Date() });
      for (const shard of [0, 1]) await queue.send(COLLECT_RUN_JOB, { runId: run.id, shard });
      // The event: a worker collects the feed and has committed a chunk of it (the cursor left the activation day).
      const holder = await waitFor('a committed chunk of the re-collection', async () => {
        const [row] = await db.query<{ claimed_by: string }>(
          `SELECT rf.claimed_by FROM collection_run_feeds rf JOIN feeds f ON f.id = rf.feed_id
            WHERE rf.run_id = $1 AND rf.collecting AND f.window_start > $2::date`, [run.id, ACTIVATED],
        );
        return row?.claimed_by;
      }).catch(async (error: Error) => {
        const rows = await db.query(`SELECT rf.*, f.window_start FROM collection_run_feeds rf JOIN feeds f ON f.id = rf.feed_id WHERE rf.run_id = $1`, [run.id]);
        throw new Error(`${error.message}: ${JSON.stringify(rows)} ${workers.map((w) => w.output().slice(-2000)).join('\n---\n')}`);
      });
      const victim = workers.find((w) => holder.split(':')[1] === String(w.child.pid))!;
      const survivor = workers.find((w) => w !== victim)!;
      await stop(victim, 'SIGKILL');
      await fetch(`${sb.printtracker.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 60 }) });
      // No process is started: the live worker takes the run over once the dead one's claims lapse (3 s here).
      const done = await waitFor('the run to finish in the live worker', async () => {
        const r = await getRunById(db, run.id);
        return r.status === 'running' ? null : r;
      }, 120_000);
      expect(done).toMatchObject({ status: 'succeeded', errors: 0, outcomes: { collected: 1 } });
      const [row] = await db.query<{ claimed_by: string; attempts: number; deaths: number }>(
        `SELECT claimed_by, attempts, deaths FROM collection_run_feeds WHERE run_id = $1`, [run.id],
      );
      expect(row.claimed_by.split(':')[1]).toBe(String(survivor.child.pid));
      expect(row).toMatchObject({ attempts: 2, deaths: 1 });
      await queue.stop();
      await db.close();
      await startServe();
      await expectTruth();
    } finally {
      for (const w of workers) await stop(w);
    }
  }, 300_000);
});
