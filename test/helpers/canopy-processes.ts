// Real Canopy processes for tests: spawn `canopy <command>`, wait for what they print, stop them, and a
// PostgreSQL schema of their own (or PGlite in their data directory) that they share.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { testDatabaseUrl } from './harness.ts';

export const MAIN = path.resolve('src/cli/main.ts');

export interface Proc {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  exited: Promise<number | null>;
}

export function spawnCanopy(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

/** Polls `check` until it gives a value; fails naming `what` after the (generous) bound. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 90_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs a CLI command without blocking this process (the sandbox answers from it). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!alive(p)) return;
  p.child.kill(signal);
  await p.exited;
}

/** The store real processes share: a fresh schema on TEST_DATABASE_URL, else null (PGlite in their data directory). */
export async function processStore(): Promise<{ databaseUrl: string | null; schema: string | null; drop(): Promise<void> }> {
  if (!testDatabaseUrl) return { databaseUrl: null, schema: null, drop: async () => {} };
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: testDatabaseUrl! });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const databaseUrl = `${testDatabaseUrl}${testDatabaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema},public`)}`;
  return { databaseUrl, schema, drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

export const YEARLY_CRON = '0 0 1 1 *';

/**
 * The environment of a test's Canopy processes: one data directory, store and root key, schedules that
 * never fire by themselves (the test starts runs), private upstreams allowed, short retries and leases.
 */
export function processEnv(base: { dataDir: string; rootKey: string; databaseUrl: string | null }, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env, CANOPY_DATA_DIR: base.dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', CANOPY_BOOTSTRAP_KEY: base.rootKey,
    CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1', CANOPY_COLLECT_CRON: YEARLY_CRON, CANOPY_CLOSE_CRON: YEARLY_CRON, CANOPY_HEALTH_CRON: YEARLY_CRON,
    CANOPY_UPSTREAM_RETRY_BASE_MS: '10', CANOPY_COLLECT_LEASE_SECONDS: '3', ...extra,
  };
  delete e.TEST_DATABASE_URL;
  delete e.CANOPY_SECRET_KEY;
  if (base.databaseUrl) e.DATABASE_URL = base.databaseUrl;
  else delete e.DATABASE_URL;
  return e;
}
