// A process killed with SIGKILL between any two steps of an idempotent request: after a restart the same
// Idempotency-Key deposits exactly once (or replays the committed answer), never "in progress" for ever.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createKey } from '../src/keys/api-keys.ts';
import { storeName, testDatabaseUrl } from './helpers/harness.ts';

const CHILD = path.resolve('test/helpers/idempotent-crash.ts');

describe(`kill -9 between the steps of an idempotent request (${storeName})`, () => {
  const dataDir = testDatabaseUrl ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-kill-'));
  const schema = testDatabaseUrl ? `t_${crypto.randomBytes(6).toString('hex')}` : null;
  const open = () => openDatabase({ databaseUrl: testDatabaseUrl, schema: schema ?? undefined, dataDir: dataDir && path.join(dataDir, 'pglite'), poolSize: 2 });
  let key = '';
  let accountId = '';

  beforeAll(async () => {
    const db = await open();
    await migrate(db);
    const config = loadConfig({ CANOPY_BOOTSTRAP_KEY: `root_${crypto.randomBytes(8).toString('hex')}`, CANOPY_DATA_DIR: '/nonexistent' });
    const root = await bootstrap(db, config, new Date('2021-03-01T00:00:00Z'));
    accountId = root.rootAccountId;
    key = (await createKey(db, root.rootAccountId, 'kill test')).key;
    await db.close();
  }, 120_000);
  afterAll(async () => {
    if (schema) {
      const db = await open();
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const killedAt = (step: string, idempotencyKey: string) =>
    new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [CHILD], {
        env: {
          ...process.env, CRASH_STEP: step, CRASH_KEY: key, CRASH_IDEMPOTENCY_KEY: idempotencyKey,
          CRASH_DATABASE_URL: testDatabaseUrl ?? '', CRASH_SCHEMA: schema ?? '', CRASH_DATA_DIR: dataDir ? path.join(dataDir, 'pglite') : '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      child.on('exit', (code, signal) => resolve({ code, signal, out }));
    });

  async function afterRestart(fn: (db: Database, call: () => Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>) => Promise<void>, idempotencyKey: string) {
    const db = await open();
    const app = await buildApp({ db, config: loadConfig({ CANOPY_DATA_DIR: '/nonexistent' }), clock: () => new Date('2021-03-08T14:52:40Z') });
    try {
      await fn(db, () =>
        app.inject({
          method: 'POST', url: '/v1/deposits', payload: { pages: 4242 },
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        }));
    } finally {
      await app.close();
      await db.close();
    }
  }

  const deposits = async (db: Database) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM deposits WHERE account_id = $1 AND pages = 4242`, [accountId]))[0].n);

  let before = 0;
  for (const step of ['claimed', 'effect-done', 'recorded', 'committed'] as const) {
    it(`killed after "${step}": the retry ${step === 'committed' ? 'replays the committed deposit' : 'deposits once'}`, async () => {
      const idempotencyKey = `kill-${step}`;
      const killed = await killedAt(step, idempotencyKey);
      expect(killed.signal, killed.out).toBe('SIGKILL');
      await afterRestart(async (db, call) => {
        expect(await deposits(db)).toBe(before + (step === 'committed' ? 1 : 0));
        const retried = await call();
        expect(retried.statusCode, retried.body).toBe(201);
        expect(retried.headers['idempotent-replayed']).toBe(step === 'committed' ? 'true' : undefined);
        expect((await call()).headers['idempotent-replayed']).toBe('true');
        expect(await deposits(db)).toBe(before + 1);
        before += 1;
      }, idempotencyKey);
    }, 60_000);
  }
});
