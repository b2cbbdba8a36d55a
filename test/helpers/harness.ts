// Runs a suite against a real store: in-memory PGlite by default, PostgreSQL when TEST_DATABASE_URL
// (or DATABASE_URL) is set, each suite in a schema of its own.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { createKey } from '../../src/keys/api-keys.ts';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || null;
export const storeName = testDatabaseUrl ? 'PostgreSQL' : 'PGlite';

/** A clock the test moves by hand. */
export class TestClock {
  now: Date;
  constructor(iso = '2021-03-08T14:52:33Z') {
    this.now = new Date(iso);
  }
  set(iso: string) {
    this.now = new Date(iso);
  }
  advanceDays(days: number) {
    this.now = new Date(this.now.getTime() + days * 86_400_000);
  }
  readonly read = () => new Date(this.now.getTime());
}

/**
 * A dump of a freshly migrated PGlite, kept on disk per migration set: starting PGlite from it takes a
 * fraction of a second where initialising a new cluster takes seconds.
 */
async function pgliteTemplate(): Promise<Blob> {
  const pgliteVersion = JSON.parse(fs.readFileSync(path.resolve('node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  const version = crypto
    .createHash('sha256')
    .update(`${pgliteVersion}:${readMigrations().map((m) => m.checksum).join()}`)
    .digest('hex')
    .slice(0, 16);
  const file = path.join(os.tmpdir(), `canopy-test-template-${version}.tar`);
  if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
  const db = await openDatabase({ dataDir: null });
  await migrate(db);
  const dump = await db.pglite!.dumpDataDir('none');
  await db.close();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  return dump;
}

/** Opens a fresh, migrated store for one suite. */
export async function openTestDatabase(): Promise<{ db: Database; schema: string | null; drop(): Promise<void> }> {
  const schema = testDatabaseUrl ? `t_${crypto.randomBytes(6).toString('hex')}` : null;
  const db = await openDatabase({
    databaseUrl: testDatabaseUrl, dataDir: null, schema: schema ?? undefined, poolSize: 5,
    loadDataDir: testDatabaseUrl ? undefined : await pgliteTemplate(),
  });
  await migrate(db);
  return {
    db,
    schema,
    async drop() {
      if (schema) await db.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
      await db.close();
    },
  };
}

export interface Call {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  clock: TestClock;
  config: Config;
  rootKey: string;
  rootAccountId: string;
  call(url: string, options?: Call): Promise<LightMyRequestResponse>;
  /** Calls and returns parsed JSON, failing the test with the body when the status is not `expect`. */
  json<T = any>(url: string, options?: Call & { expect?: number }): Promise<T>;
  /** Creates an account under the caller's scope and a key for it. */
  account(name: string, options?: { key?: string; parentId?: string; role?: string }): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

export async function createTestApp(options: { env?: Record<string, string>; clock?: TestClock } = {}): Promise<TestApp> {
  const store = await openTestDatabase();
  const clock = options.clock ?? new TestClock();
  const rootKey = `root_${crypto.randomBytes(12).toString('hex')}`;
  const config = loadConfig({
    CANOPY_BOOTSTRAP_KEY: rootKey, CANOPY_DATA_DIR: '/nonexistent', CANOPY_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    ...options.env,
  });
  const boot = await bootstrap(store.db, config, clock.read());
  const app = await buildApp({ db: store.db, config, clock: clock.read });
  await app.ready();

  const call = (url: string, o: Call = {}) => {
    const key = o.key === undefined ? rootKey : o.key;
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (o.body !== undefined) {
      payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    return app.inject({ method: o.method ?? 'GET', url, headers, payload });
  };

  const json = async (url: string, o: Call & { expect?: number } = {}) => {
    const res = await call(url, o);
    const expected = o.expect ?? (o.method === 'POST' ? 201 : 200);
    if (res.statusCode !== expected) {
      throw new Error(`${o.method ?? 'GET'} ${url}: expected ${expected}, got ${res.statusCode}: ${res.body}`);
    }
    return res.body ? JSON.parse(res.body) : undefined;
  };

  return {
    app, db: store.db, clock, config, rootKey, rootAccountId: boot.rootAccountId, call, json,
    async account(name, o = {}) {
      const body: Record<string, unknown> = { name };
      if (o.parentId) body.parent_id = o.parentId;
      if (o.role) body.role = o.role;
      const created = await json('/v1/accounts', { method: 'POST', key: o.key ?? rootKey, body });
      const key = await createKey(store.db, created.id, 'test');
      return { id: created.id as string, key: key.key };
    },
    async close() {
      await app.collection.idle();
      await app.close();
      await store.drop();
    },
  };
}
