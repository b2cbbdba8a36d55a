// The chaos scenario: real Canopy processes collect from the sandbox at 20% faults while runs overlap, a
// process is SIGKILLed at points the seed picks, a month closes between runs and late readings land across
// it; then the ledger is compared with the sandbox truth per customer and UTC day.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { setClockFile } from '../../src/clock.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { COLLECT_NIGHTLY_JOB } from '../../src/jobs/definitions.ts';
import { startJobs, type JobQueue } from '../../src/jobs/queue.ts';
import { alive, processEnv, processStore, runCli, spawnCanopy, stop, waitFor, type Proc } from '../helpers/canopy-processes.ts';
import { testDatabaseUrl } from '../helpers/harness.ts';
import { truth, truthByDay } from '../collection/helpers.ts';
import { ledgerDiff, type CustomerLedger } from './compare.ts';
import { planKills, seededRandom, shuffled, type KillPoint } from './plan.ts';

/** The calendar of every seed: backfills cross the February month end, March closes, late readings land in April. */
export const CHAOS_CALENDAR = {
  worldStart: '2024-12-01',
  /** Feeds of phase 1 backfill from here, across the end of February. */
  activated: '2025-02-22',
  phase1: { canopy: '2025-03-31T21:00:00Z', sandbox: '2025-03-31T20:00:00Z', since: '2025-03-15' },
  /** Month close runs here: February and March have ended plus the 2-day grace. */
  close: '2025-04-03T04:00:00Z',
  closedThrough: '2025-03-31',
  /** `since` re-collects open April; `closedSince` reaches back into closed March (ChaosOptions.sinceIntoClosedMonth). */
  phase2: { canopy: '2025-04-08T03:00:00Z', sandbox: '2025-04-08T02:00:00Z', since: '2025-04-02', closedSince: '2025-03-25' },
  /** The feed created in phase 2 backfills through closed March. */
  lateFeedActivated: '2025-03-10',
};

export const CHAOS_FAULT_RATE = 0.2;
const CUSTOMERS = 5;
const PHASE_TIMEOUT_MS = 240_000;

export type ChaosStore = 'postgresql' | 'pglite';

export interface ChaosOptions {
  /** Phase 2 also runs `canopy collect --since` a week into closed March. */
  sinceIntoClosedMonth: boolean;
}

export interface ChaosReport {
  seed: number;
  store: ChaosStore;
  durationMs: number;
  /** Sandbox answers by outcome over the whole scenario: `200`, `5xx`, `429`, `hang`, `truncated`. */
  requests: Record<string, number>;
  kills: string[];
  runs: Record<string, number>;
  /** `collect:0`, `collect:1`, `close-month:0`: CLI commands by exit code. */
  cliExits: Record<string, number>;
  daysCompared: number;
  pagesCompared: number;
  /** Readings of customers with a feed, timestamped before phase 1's collection and visible only after it: they land across the close. */
  lateAcrossClose: number;
  problems: string[];
}

interface Run {
  id: string;
  status: string;
  trigger: string;
  [field: string]: unknown;
}

/** Runs one seed end to end; never throws for a ledger difference (it is in `problems`), only for a broken set-up. */
export async function runChaosSeed(seed: number, store: ChaosStore, options: ChaosOptions, print: (line: string) => void = () => {}): Promise<ChaosReport> {
  const started = performance.now();
  const log = (line: string) => print(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
  const random = seededRandom(seed);
  const cal = CHAOS_CALENDAR;
  const report: ChaosReport = { seed, store, durationMs: 0, requests: {}, kills: [], runs: {}, cliExits: {}, lateAcrossClose: 0, daysCompared: 0, pagesCompared: 0, problems: [] };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-chaos-'));
  const clockFile = path.join(dataDir, 'test-clock');
  const rootKey = `root_${crypto.randomBytes(12).toString('hex')}`;
  const pgStore = store === 'postgresql' ? await processStore() : null;
  if (store === 'postgresql' && !pgStore?.databaseUrl) throw new Error('the PostgreSQL chaos scenario needs TEST_DATABASE_URL');
  let sandboxNow = Date.parse(cal.phase1.sandbox);
  setClockFile(clockFile, cal.phase1.canopy);
  const env = processEnv({ dataDir, rootKey, databaseUrl: pgStore?.databaseUrl ?? null }, {
    CANOPY_TEST_CLOCK_FILE: clockFile,
    CANOPY_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    // A hang outlasts the request timeout; a killed process's claims lapse after 3 s.
    CANOPY_UPSTREAM_TIMEOUT_MS: '1500',
    CANOPY_UPSTREAM_RETRY_BASE_MS: '20',
    CANOPY_COLLECT_LEASE_SECONDS: '3',
    CANOPY_COLLECT_SHARDS: store === 'postgresql' ? '3' : '1',
    // The scenario polls the API for runs and deposits far more often than a dealer would.
    CANOPY_RATE_LIMIT_PER_KEY: '0',
  });

  let sb: Sandbox | undefined;
  let serve: Proc | undefined;
  const workers: Array<Proc | undefined> = [undefined, undefined];
  const retired: Proc[] = [];
  const clis: Array<Promise<unknown>> = [];
  let jobsDb: Database | undefined;
  let queue: JobQueue | undefined;
  let url = '';
  // On PGlite the one server is down between a kill and its restart: API calls and CLIs wait for it.
  let serveUp: Promise<void> = Promise.resolve();
  let triggersDone = false;

  const startServe = async () => {
    serve = spawnCanopy(['serve'], env);
    const s = serve;
    url = await waitFor('serve to listen', async () => {
      if (!alive(s)) throw new Error(`canopy serve exited:\n${s.output()}`);
      return /Canopy listening on (http:\/\/\S+)/.exec(s.output())?.[1];
    });
  };
  const startWorker = async (i: number) => {
    const w = spawnCanopy(['worker'], env);
    workers[i] = w;
    await waitFor(`worker ${i} to start`, async () => {
      if (!alive(w)) throw new Error(`canopy worker exited:\n${w.output()}`);
      return /worker \S+ started/.test(w.output());
    });
  };
  const api = async <T = any>(p: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    let res: Response;
    for (let attempt = 1; ; attempt++) {
      await serveUp;
      try {
        res = await fetch(`${url}${p}`, {
          method: init.method ?? 'GET',
          headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        break;
      } catch (error) {
        // The server was killed under this call (PGlite): ask again once it is back.
        if (store !== 'pglite' || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${init.method ?? 'GET'} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  const listAll = async <T>(p: string): Promise<T[]> => {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const rows = await api<T[]>(`${p}${p.includes('?') ? '&' : '?'}limit=1000&page=${page}`);
      out.push(...rows);
      if (rows.length < 1000) return out;
    }
  };

  try {
    sb = await startSandbox({
      seed, customers: CUSTOMERS, devicesPerCustomer: 3, start: cal.worldStart, now: () => sandboxNow,
      // Late readings arrive one to three days late (within the lookback), so those of March's last days land after it closed.
      rates: { stoppedCustomer: 0, lateReading: 0.25 }, lateDelayHours: { min: 24, max: 72 },
    });
    const sandbox = sb;
    await startServe();
    if (store === 'postgresql') {
      await Promise.all([startWorker(0), startWorker(1)]);
      jobsDb = await openDatabase({ databaseUrl: testDatabaseUrl, schema: pgStore!.schema! });
      queue = await startJobs(jobsDb, [], { work: false, schedule: false, log: () => {} });
    }

    const dealer = await api<{ id: string }>('/v1/accounts', { method: 'POST', body: { name: `Chaos dealer ${seed}` } });
    const server = await api<{ id: string }>(`/v1/accounts/${dealer.id}/servers`, {
      method: 'POST', body: { type: 'printtracker', url: sandbox.printtracker.url, username: sandbox.printtracker.dealerEntityId, password: sandbox.printtracker.apiKey },
    });
    const customers: CustomerLedger[] = [];
    for (const [i, entity] of sandbox.printtracker.customerEntityIds.entries()) {
      const c = await api<{ id: string }>(`/v1/accounts/${dealer.id}/accounts`, { method: 'POST', body: { name: `Chaos customer ${i}` } });
      customers.push({ index: i, accountId: c.id, entity, activated: null });
    }
    const createFeed = async (c: CustomerLedger, activated: string) => {
      await api(`/v1/accounts/${c.accountId}/feeds`, { method: 'POST', body: { server_id: server.id, external_id: c.entity, activated_at: activated } })
        // Asked again after a kill took the first answer: the feed exists (one live feed per entity).
        .catch((error: Error) => {
          if (!/: 409 /.test(error.message)) throw error;
        });
      c.activated = activated;
      log(`seed ${seed}: feed of customer ${c.index} created, activated ${activated}`);
    };
    const allRuns = async (): Promise<Run[]> => {
      const lists = await Promise.all([
        listAll<Run>('/v1/collection-runs'),
        listAll<Run>(`/v1/accounts/${dealer.id}/collection-runs`),
        ...customers.map((c) => listAll<Run>(`/v1/accounts/${c.accountId}/collection-runs`)),
      ]);
      return [...new Map(lists.flat().map((r) => [r.id, r])).values()];
    };
    const cli = async (args: string[]) => {
      await serveUp;
      const done = runCli(args, env, PHASE_TIMEOUT_MS).then((r) => {
        log(`seed ${seed}: canopy ${args.join(' ')} -> ${r.status}: ${r.stdout.trim().split('\n').at(-1) ?? ''}`);
        report.cliExits[`${args[0]}:${r.status}`] = (report.cliExits[`${args[0]}:${r.status}`] ?? 0) + 1;
        // Cron reads the exit code: 0 only with the run's summary (a server that died under it is a failure).
        if (args[0] === 'collect' && r.status === 0 && !/^succeeded: /m.test(r.stdout)) {
          report.problems.push(`canopy ${args.join(' ')} exited 0 without a succeeded summary:\n${r.stdout}${r.stderr}`);
        }
        return r;
      });
      clis.push(done);
      return { done };
    };
    let nightlySent = 0;

    await fetch(`${sandbox.printtracker.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ chaosRate: CHAOS_FAULT_RATE }) });
    await fetch(`${sandbox.printtracker.url}/__sandbox/stats`, { method: 'DELETE' });

    const depositCount = async () =>
      (await Promise.all(customers.filter((c) => c.activated).map((c) => api<unknown[]>(`/v1/accounts/${c.accountId}/deposits?limit=1000`)))).reduce((n, l) => n + l.length, 0);

    /** Waits for a kill point's event, then SIGKILLs its process (and restarts it if the seed says so). */
    const kill = async (k: KillPoint, phase: number, depositsBefore: number) => {
      const target = store === 'postgresql' ? workers[k.worker] : serve;
      const name = store === 'postgresql' ? `worker ${k.worker}` : 'serve';
      if (!target || !alive(target)) return;
      const reached = await waitFor(`kill point ${k.describe}`, async () => {
        if (k.event === 'run-job' ? (target.output().match(/job collect-run \S+ started/g) ?? []).length >= k.count : (await depositCount()) >= depositsBefore + k.count) return 'hit';
        // Everything ended before the event came: this kill point is not reached in this seed.
        if (triggersDone && (await Promise.race([Promise.all(clis).then(() => true), new Promise((r) => setTimeout(() => r(false), 10))]))) {
          if ((await allRuns()).every((r) => r.status !== 'queued' && r.status !== 'running')) return 'missed';
        }
        return null;
      }, PHASE_TIMEOUT_MS, 300).catch(() => 'missed');
      if (reached !== 'hit' || !alive(target)) {
        report.kills.push(`phase ${phase}: ${name} at ${k.describe}: not reached`);
        return;
      }
      target.child.kill('SIGKILL');
      await target.exited;
      retired.push(target);
      report.kills.push(`phase ${phase}: ${name} SIGKILLed at ${k.describe}${k.restart ? ', restarted' : ''}`);
      log(`seed ${seed}: ${report.kills.at(-1)}`);
      if (store === 'pglite') {
        let up!: () => void;
        serveUp = new Promise<void>((resolve) => (up = resolve));
        // The embedded store admits one process: a CLI that lost the server finishes on its own first.
        await Promise.allSettled(clis);
        await startServe();
        up();
      } else if (k.restart) await startWorker(k.worker);
    };

    /** Fires the phase's triggers in the seed's order, with the kills going on beside them; waits until every run ended. */
    const phase = async (n: number, triggers: Array<() => Promise<unknown>>, kills: KillPoint[]) => {
      triggersDone = false;
      const depositsBefore = await depositCount();
      const killing = (async () => {
        for (const k of kills) await kill(k, n, depositsBefore);
      })();
      for (const t of shuffled(random, triggers)) await t();
      triggersDone = true;
      await killing;
      await Promise.all(clis);
      const runs = await waitFor(`every run of phase ${n} to end`, async () => {
        const rs = await allRuns();
        const nightly = rs.filter((r) => r.trigger === 'nightly').length;
        return nightly >= nightlySent && rs.every((r) => r.status !== 'queued' && r.status !== 'running') ? rs : null;
      }, PHASE_TIMEOUT_MS, 500).catch(async (error: Error) => {
        const rs = await allRuns();
        const open = rs.filter((r) => r.status === 'queued' || r.status === 'running');
        // Where each nightly job went: a job whose process died before its run existed leaves no run behind.
        const nightlyLines = [serve, ...workers, ...retired].filter((p): p is Proc => !!p)
          .flatMap((p, i) => p.output().split('\n').filter((l) => /collect-nightly|nightly collection run/.test(l)).map((l) => `  process ${i}${alive(p) ? '' : ' (dead)'}: ${l}`));
        report.problems.push(
          `phase ${n}: ${error.message}; runs left open: ${JSON.stringify(open, null, 1)}; nightly jobs sent ${nightlySent}, nightly runs ${rs.filter((r) => r.trigger === 'nightly').length}\n${nightlyLines.join('\n')}`,
        );
        return allRuns();
      });
      return runs;
    };

    const post = () => api(`/v1/accounts/${dealer.id}/collection-runs`, { method: 'POST', body: {} });
    const nightly = async () => {
      if (!queue) return;
      nightlySent++;
      await queue.send(COLLECT_NIGHTLY_JOB, {});
    };
    // A trigger that starts a CLI returns once the CLI is under way, not when it ends.
    const collect = (args: string[]) => async () => {
      await cli(['collect', ...args]);
    };
    const firstRunRunning = async () => {
      await waitFor('a run to be running', async () => (await allRuns()).some((r) => r.status !== 'queued'), 60_000).catch(() => false);
    };

    // Phase 1: feeds backfill from February into March while every kind of run overlaps them.
    const kills = planKills(random, store);
    const phase1Triggers: Array<() => Promise<unknown>> = [
      () => Promise.all(customers.slice(0, 3).map((c) => createFeed(c, cal.activated))),
      post, post, collect([]), collect(['--since', cal.phase1.since]), nightly,
      async () => {
        await firstRunRunning();
        await createFeed(customers[3], cal.activated);
      },
    ];
    const runs1 = await phase(1, phase1Triggers, kills.filter((k) => k.phase === 1));
    log(`seed ${seed}: phase 1 ended (${runs1.length} runs)`);
    for (const c of customers.filter((x) => x.activated)) {
      c.atPhase1 = await depositsOf(api, c.accountId);
      c.truthPhase1 = truthByDay(await truth(sandbox, { entity: c.entity, start: c.activated!, end: cal.phase1.sandbox.slice(0, 10) }));
    }

    // Month close between runs: February and March close with what was collected.
    setClockFile(clockFile, cal.close);
    const closed = await (await cli(['close-month'])).done;
    if (closed.status !== 0) report.problems.push(`canopy close-month exited ${closed.status}: ${closed.stdout}${closed.stderr}`);
    for (const c of customers.filter((x) => x.activated)) c.transactionsAtClose = await transactionPages(api, c.accountId);

    // Phase 2: a week later; late readings of March's last days have arrived; a new feed backfills through closed March.
    setClockFile(clockFile, cal.phase2.canopy);
    sandboxNow = Date.parse(cal.phase2.sandbox);
    if (store === 'postgresql') for (const i of [0, 1]) if (!workers[i] || !alive(workers[i]!)) await startWorker(i);
    const phase2Triggers: Array<() => Promise<unknown>> = [
      post, post, collect([]), collect(['--since', cal.phase2.since]), nightly,
      () => createFeed(customers[4], cal.lateFeedActivated),
      ...(options.sinceIntoClosedMonth ? [collect(['--since', cal.phase2.closedSince])] : []),
    ];
    const runs2 = await phase(2, phase2Triggers, kills.filter((k) => k.phase === 2));
    log(`seed ${seed}: phase 2 ended (${runs2.length} runs)`);

    for (const c of customers.filter((x) => x.activated)) {
      c.deposits = await depositsOf(api, c.accountId);
      c.transactions = await transactionPages(api, c.accountId);
      c.truth = truthByDay(await truth(sandbox, { entity: c.entity, start: c.activated!, end: cal.phase2.sandbox.slice(0, 10) }));
      c.ltdPages = (await api<{ ltd_pages: number }>(`/v1/accounts/${c.accountId}`)).ltd_pages;
    }
    const diff = ledgerDiff(customers, cal.closedThrough);
    report.problems.push(...diff.problems);
    report.daysCompared = diff.daysCompared;
    report.pagesCompared = diff.pagesCompared;
    for (const r of [...new Map([...runs1, ...runs2].map((x) => [x.id, x])).values()]) {
      report.runs[`${r.trigger}:${r.status}`] = (report.runs[`${r.trigger}:${r.status}`] ?? 0) + 1;
    }
    report.lateAcrossClose = lateAcrossClose(sandbox, customers.filter((c) => c.activated).map((c) => c.index), Date.parse(cal.phase1.sandbox));
    report.requests = requestOutcomes(await (await fetch(`${sandbox.printtracker.url}/__sandbox/stats`)).json() as SandboxStats);
    return report;
  } catch (error) {
    const outputs = [serve, ...workers, ...retired].filter((p): p is Proc => !!p).map((p) => p.output().split('\n').slice(-40).join('\n'));
    report.problems.push(`scenario broke: ${(error as Error).stack ?? String(error)}\n--- last process output ---\n${outputs.join('\n---\n')}`);
    return report;
  } finally {
    await Promise.allSettled(clis);
    await queue?.stop().catch(() => {});
    await jobsDb?.close().catch(() => {});
    for (const p of [serve, ...workers]) if (p) await stopWithin(p);
    await sb?.close();
    await pgStore?.drop().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
    report.durationMs = Math.round(performance.now() - started);
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within 20 s (a scenario must leave nothing running). */
async function stopWithin(p: Proc): Promise<void> {
  if (!alive(p)) return;
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await stop(p);
  clearTimeout(timer);
}

type Api = <T = any>(p: string, init?: { method?: string; body?: unknown }) => Promise<T>;

async function depositsOf(api: Api, accountId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let page = 1; ; page++) {
    const rows = await api<Array<{ date: string; pages: number }>>(`/v1/accounts/${accountId}/deposits?limit=1000&page=${page}`);
    for (const d of rows) out.set(d.date.slice(0, 10), (out.get(d.date.slice(0, 10)) ?? 0) + d.pages);
    if (rows.length < 1000) return out;
  }
}

async function transactionPages(api: Api, accountId: string): Promise<number> {
  const rows = await api<Array<{ pages: number }>>(`/v1/accounts/${accountId}/transactions?limit=1000`);
  return rows.reduce((n, t) => n + t.pages, 0);
}

/** Readings that exist by `at` but arrive after it (the sandbox's own facts, read from its world). */
function lateAcrossClose(sb: Sandbox, customerIndices: number[], at: number): number {
  const w = sb.world;
  const day = Math.floor(at / 86_400_000);
  let n = 0;
  for (const i of customerIndices) {
    for (const d of w.devicesUnder(w.fleet.customer(w.primaryCustomerIndices()[i]), 'all')) {
      for (let k = day - 4; k <= day; k++) for (const r of w.readings.onDay(d, k)) if (r.t <= at && r.visibleAt > at) n++;
    }
  }
  return n;
}

interface SandboxStats {
  total: number;
  routes: Record<string, Record<string, number>>;
}

function requestOutcomes(stats: SandboxStats): Record<string, number> {
  const out: Record<string, number> = { total: stats.total };
  for (const byOutcome of Object.values(stats.routes)) {
    for (const [outcome, n] of Object.entries(byOutcome)) {
      const key = /^5\d\d$/.test(outcome) ? '5xx' : outcome;
      out[key] = (out[key] ?? 0) + n;
    }
  }
  return out;
}
