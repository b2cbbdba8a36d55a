// bench:hostile — Canopy (`canopy serve` in a child process, PGlite on disk or PostgreSQL) against a hostile Print
// Tracker: peak RSS of the Canopy process and worst /healthz latency while each hostile answer is handled, beside
// a baseline with no hostile load, measured in the same run. `--canopy-dir <dir>` drives another checkout (the
// code before a change) through the same HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { HOSTILE_CUSTOMER, HOSTILE_DEALER, HOSTILE_KEY, type HostileMode } from '../sandbox/hostile-printtracker.ts';

const { values: args } = parseArgs({
  options: {
    'canopy-dir': { type: 'string', default: path.resolve(import.meta.dirname, '..') },
    'baseline-seconds': { type: 'string', default: '5' },
    'scenario-timeout': { type: 'string', default: '180' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const canopyDir = path.resolve(args['canopy-dir']!);
const ROOT_KEY = `bench_root_${crypto.randomBytes(8).toString('hex')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  });
});

interface Reply { status: number; body: string; ms: number }
function request(port: number, method: string, url: string, body?: unknown, timeoutMs = 600_000): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1', port, method, path: url, agent, timeout: timeoutMs,
      headers: { authorization: `Bearer ${ROOT_KEY}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
      res.on('error', () => resolve({ status: 0, body: 'response error', ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message, ms: performance.now() - started }));
    req.end(payload);
  });
}

const rssOf = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

interface Canopy { child: ChildProcess; port: number; exited: Promise<number | null>; alive(): boolean }

async function startCanopy(env: Record<string, string>): Promise<Canopy> {
  const port = await freePort();
  const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'])}`] : [];
  const child = spawn(process.execPath, [...profile, 'src/cli/main.ts', 'serve'], {
    cwd: canopyDir, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  let stderr = '';
  child.stderr!.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  let alive = true;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { alive = false; resolve(code); }));
  for (let i = 0; i < 600; i++) {
    if (!alive) throw new Error(`canopy serve exited: ${stderr}`);
    const r = await request(port, 'GET', '/healthz', undefined, 2000);
    if (r.status === 200) return { child, port, exited, alive: () => alive };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('canopy serve did not become healthy');
}

interface Figures { name: string; peakRssMb: number; worstHealthzMs: number; p50HealthzMs: number; p99HealthzMs: number; healthzChecks: number; outcome: string; seconds: number }

/** Runs `work` while /healthz is asked one request after another and the Canopy process's RSS is sampled. */
async function measure(name: string, canopy: Canopy, work: () => Promise<string>): Promise<Figures> {
  const pid = canopy.child.pid!;
  let peak = rssOf(pid);
  const sampler = setInterval(() => { peak = Math.max(peak, rssOf(pid)); }, 10);
  const latencies: number[] = [];
  let done = false;
  const prober = (async () => {
    while (!done && canopy.alive()) {
      const r = await request(canopy.port, 'GET', '/healthz', undefined, 60_000);
      latencies.push(r.status === 200 ? r.ms : Math.max(r.ms, 60_000));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const started = performance.now();
  let outcome: string;
  try {
    outcome = await Promise.race([
      work(),
      canopy.exited.then((code) => `Canopy process died (exit ${code})`),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running at the scenario timeout'), Number(args['scenario-timeout']) * 1000)),
    ]);
  } catch (error) {
    outcome = `error: ${(error as Error).message}`;
  }
  const seconds = (performance.now() - started) / 1000;
  done = true;
  await prober;
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(pid));
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name, peakRssMb: Math.round(peak / 1048576), worstHealthzMs: Math.round(sorted[sorted.length - 1] ?? 0),
    p50HealthzMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), p99HealthzMs: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0), healthzChecks: latencies.length, outcome, seconds: Math.round(seconds * 10) / 10,
  };
}

const short = (r: Reply) => {
  try {
    const body = JSON.parse(r.body) as { error?: string; status?: string };
    return `${r.status}${body.error ? `: ${body.error.slice(0, 140)}` : ''}`;
  } catch {
    return `${r.status}: ${r.body.slice(0, 140)}`;
  }
};

/** The hostile server in a process of its own, so generating its answers does not slow the measuring loop. */
async function startHostileProcess(): Promise<{ url: string; setMode(mode: HostileMode): Promise<void>; close(): void }> {
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../sandbox/hostile-printtracker.ts')], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(out.trim().split('\n')[0]);
    });
  });
  const port = Number(new URL(url).port);
  return {
    url,
    async setMode(mode) {
      const r = await request(port, 'POST', '/__hostile/mode', mode, 10_000);
      if (r.status !== 204) throw new Error(`hostile mode: ${r.status}`);
    },
    close: () => child.kill('SIGTERM'),
  };
}

async function main() {
  const hostile = await startHostileProcess();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-hostile-'));
  const databaseUrl = process.env.DATABASE_URL || null;
  let dbName: string | null = null;
  let env: Record<string, string> = {
    CANOPY_DATA_DIR: dataDir, CANOPY_BOOTSTRAP_KEY: ROOT_KEY, CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1', CANOPY_RATE_LIMIT_PER_KEY: '0',
    CANOPY_SECRET_KEY: crypto.randomBytes(32).toString('hex'), CANOPY_UPSTREAM_ATTEMPTS: '1', CANOPY_UPSTREAM_TIMEOUT_MS: '10000',
    CANOPY_COLLECT_CRON: '0 0 1 1 *', CANOPY_HEALTH_CRON: '0 0 1 1 *', CANOPY_CLOSE_CRON: '0 0 1 1 *', LOG_LEVEL: 'warn',
  };
  if (databaseUrl) {
    dbName = `bench_hostile_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(databaseUrl);
    url.pathname = `/${dbName}`;
    env = { ...env, DATABASE_URL: url.toString() };
  }
  const store = databaseUrl ? 'PostgreSQL' : 'PGlite (on disk)';
  console.log(`bench:hostile — ${canopyDir} on ${store}; hostile Print Tracker at ${hostile.url}`);

  let canopy = await startCanopy(env);
  // A dealer, its Print Tracker server and one customer feed, through the API.
  const dealer = JSON.parse((await request(canopy.port, 'POST', '/v1/accounts', { name: 'Hostile bench dealer' })).body);
  const customer = JSON.parse((await request(canopy.port, 'POST', `/v1/accounts/${dealer.id}/accounts`, { name: 'Hostile bench customer' })).body);
  const server = JSON.parse((await request(canopy.port, 'POST', `/v1/accounts/${dealer.id}/servers`, {
    type: 'printtracker', url: hostile.url, username: HOSTILE_DEALER, password: HOSTILE_KEY,
  })).body);
  const activated = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const feed = JSON.parse((await request(canopy.port, 'POST', `/v1/accounts/${customer.id}/feeds`, {
    server_id: server.id, external_id: HOSTILE_CUSTOMER, activated_at: activated,
  })).body);
  if (!server.id || !feed.id) throw new Error(`setup failed: ${JSON.stringify({ server, feed })}`);
  // The feed's first (quiet) collection, and a warm-up of /healthz, before anything is measured.
  for (const until = Date.now() + 3000; Date.now() < until;) await request(canopy.port, 'GET', '/healthz');

  const entities = async () => short(await request(canopy.port, 'GET', `/v1/accounts/${dealer.id}/servers/${server.id}/entities`));
  const collect = async () => {
    const run = await request(canopy.port, 'POST', '/v1/collection-runs', { feed_id: feed.id });
    if (run.status !== 202) return `run not started: ${short(run)}`;
    const id = JSON.parse(run.body).id as string;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const state = await request(canopy.port, 'GET', `/v1/collection-runs/${id}`);
      if (state.status !== 200) continue;
      const r = JSON.parse(state.body) as { status: string; readings: number; error_messages: string[] };
      if (r.status === 'succeeded' || r.status === 'failed') {
        return `run ${r.status}, ${r.readings} readings${r.error_messages.length ? `: ${r.error_messages[0].slice(0, 160)}` : ''}`;
      }
    }
  };

  const scenarios: Array<{ name: string; mode: HostileMode | null; work: () => Promise<string> }> = [
    { name: 'baseline (no hostile load)', mode: null, work: async () => { await new Promise((resolve) => setTimeout(resolve, Number(args['baseline-seconds']) * 1000)); return 'idle'; } },
    { name: 'entity tree of 3,000,000 children (~200 MB), GET /servers/:id/entities', mode: { kind: 'huge-tree', children: 3_000_000 }, work: entities },
    { name: 'entity nested 200,000 levels, GET /servers/:id/entities', mode: { kind: 'deep', depth: 200_000 }, work: entities },
    { name: 'meter answer of 500,000 reads (~150 MB), collection run', mode: { kind: 'many-readings', reads: 500_000 }, work: collect },
    { name: 'slow trickle (10 bytes / 100 ms), GET /servers/:id/entities', mode: { kind: 'trickle', bytesPerTick: 10, tickMs: 100 }, work: entities },
  ];
  const results: Figures[] = [];
  for (const scenario of scenarios) {
    if (args.only && !scenario.name.includes(args.only) && scenario.mode !== null) continue;
    if (!canopy.alive()) {
      console.log('  (restarting Canopy after it died)');
      canopy = await startCanopy(env);
    }
    await hostile.setMode(scenario.mode ?? { kind: 'normal' });
    const figures = await measure(scenario.name, canopy, scenario.work);
    await hostile.setMode({ kind: 'normal' });
    results.push(figures);
    console.log(`  ${figures.name}: peak RSS ${figures.peakRssMb} MB, worst /healthz ${figures.worstHealthzMs} ms (p50 ${figures.p50HealthzMs} ms, p99 ${figures.p99HealthzMs} ms, ${figures.healthzChecks} checks), ${figures.seconds} s — ${figures.outcome}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  console.log(`\n| hostile answer (${store}) | peak RSS | worst /healthz | outcome |\n|---|---|---|---|`);
  for (const r of results) console.log(`| ${r.name} | ${r.peakRssMb} MB | ${r.worstHealthzMs} ms | ${r.outcome.replace(/\|/g, '/')} |`);

  canopy.child.kill('SIGTERM');
  const stopped = await Promise.race([canopy.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))]);
  if (!stopped) canopy.child.kill('SIGKILL');
  hostile.close();
  agent.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (dbName && databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
