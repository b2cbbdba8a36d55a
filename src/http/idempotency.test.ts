import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { buildApp } from '../app.ts';
import { COLLECT_RUN_JOB } from '../collection/runtime.ts';
import { startJobs } from '../jobs/queue.ts';
import { purgeIdempotencyRecords, type IdempotencyStep } from './idempotency.ts';

describe(`Idempotency-Key on POST (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('replays the first response for the same key and body, creating nothing new', async () => {
    const headers = { 'idempotency-key': 'create-dealer-1' };
    const first = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Dealer Once' }, headers });
    expect(first.statusCode).toBe(201);
    const again = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Dealer Once' }, headers });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    const children = await t.json('/v1/accounts');
    expect(children.filter((a: { name: string }) => a.name === 'Dealer Once')).toHaveLength(1);
  });

  it('answers 409 when the same key comes with a different body', async () => {
    const headers = { 'idempotency-key': 'create-dealer-2' };
    await t.json('/v1/accounts', { method: 'POST', body: { name: 'Dealer Two' }, headers });
    const res = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Dealer Three' }, headers });
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toEqual({ code: 409, error: 'Idempotency-Key was already used with a different request' });
    const names = (await t.json('/v1/accounts')).map((a: { name: string }) => a.name);
    expect(names).not.toContain('Dealer Three');
  });

  it('replays errors too, and keys are per account', async () => {
    const channel = await t.account('Dealer Keys');
    const customer = await t.account('Customer Keys', { key: channel.key });
    const headers = { 'idempotency-key': 'k-1' };
    const denied = await t.call('/v1/accounts', { method: 'POST', key: customer.key, body: { name: 'x' }, headers });
    expect(denied.statusCode).toBe(403);
    const replay = await t.call('/v1/accounts', { method: 'POST', key: customer.key, body: { name: 'x' }, headers });
    expect(replay.statusCode).toBe(403);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // The same key string from another account is a different request.
    const other = await t.call('/v1/accounts', { method: 'POST', key: channel.key, body: { name: 'x' }, headers });
    expect(other.statusCode).toBe(201);
  });
});

describe(`Idempotency-Key survives a crash between any two steps (${storeName})`, () => {
  let t: TestApp;
  let customer: { id: string; key: string };
  /** The step at which the next idempotent request dies, and how (set per test). */
  let crashAt: IdempotencyStep | null = null;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp();
    customer = await t.account('Crash customer', { key: (await t.account('Crash dealer')).key });
    app = await buildApp({
      db: t.db, config: t.config, clock: t.clock.read,
      async idempotencyFailpoint(step, tx) {
        if (step !== crashAt) return;
        crashAt = null;
        // PostgreSQL: the holder's connection dies, as when its process is killed. PGlite lives in the
        // process, so its death is the transaction never committing: the same as a throw here.
        if (t.db.kind === 'postgres' && step !== 'committed') await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
        throw new Error(`simulated crash after ${step}`);
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const deposit = (key: string, pages = 777, date?: string) =>
    app.inject({
      method: 'POST', url: '/v1/deposits', payload: { pages, ...(date ? { date } : {}) },
      headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json', 'idempotency-key': key },
    });
  const count = async (sql: string, params: unknown[]) => Number((await t.db.query<{ n: string }>(sql, params))[0].n);
  const depositsOf = (pages: number) => count(`SELECT count(*) AS n FROM deposits WHERE account_id = $1 AND pages = $2`, [customer.id, pages]);
  const recordOf = (key: string) => count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = $1`, [key]);

  for (const step of ['claimed', 'effect-done', 'recorded'] as const) {
    it(`a crash after "${step}" leaves neither the deposit nor the key; the retry deposits once`, async () => {
      const pages = { claimed: 101, 'effect-done': 102, recorded: 103 }[step];
      crashAt = step;
      const crashed = await deposit(`crash-${step}`, pages);
      expect(crashed.statusCode).toBe(500);
      expect(JSON.parse(crashed.body)).toMatchObject({ code: 500 });
      expect(await depositsOf(pages)).toBe(0);
      expect(await recordOf(`crash-${step}`)).toBe(0);
      const retried = await deposit(`crash-${step}`, pages);
      expect(retried.statusCode).toBe(201);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(await depositsOf(pages)).toBe(1);
      const again = await deposit(`crash-${step}`, pages);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(JSON.parse(again.body)).toEqual(JSON.parse(retried.body));
      expect(await depositsOf(pages)).toBe(1);
    });
  }

  it('a crash after the commit (the answer lost on the way) replays the committed answer: one deposit', async () => {
    crashAt = 'committed';
    const lost = await deposit('crash-committed', 104);
    expect(lost.statusCode).toBe(500);
    expect(await depositsOf(104)).toBe(1);
    const retried = await deposit('crash-committed', 104);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(retried.body)).toMatchObject({ pages: 104, account_id: customer.id });
    expect(await depositsOf(104)).toBe(1);
  });

  it('a refusal keeps no partial effect and is replayed; a different body under the key is 409', async () => {
    const refused = await deposit('refused-1', 109, '2099-01-01');
    expect(JSON.parse(refused.body)).toEqual({ code: 400, error: 'date must not be in the future' });
    const replayed = await deposit('refused-1', 109, '2099-01-01');
    expect(replayed.statusCode).toBe(400);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(await depositsOf(109)).toBe(0);
    const other = await deposit('refused-1', 5);
    expect(JSON.parse(other.body)).toEqual({ code: 409, error: 'Idempotency-Key was already used with a different request' });
  });

  it('records answer for 24 hours, then the key is free again; the purge deletes them', async () => {
    t.clock.set('2021-03-08T10:00:00Z');
    expect((await deposit('day-old', 105)).statusCode).toBe(201);
    t.clock.set('2021-03-09T09:59:00Z');
    expect((await deposit('day-old', 105)).headers['idempotent-replayed']).toBe('true');
    expect(await depositsOf(105)).toBe(1);
    t.clock.set('2021-03-09T10:00:01Z');
    const fresh = await deposit('day-old', 105);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(await depositsOf(105)).toBe(2);
    t.clock.set('2021-03-10T10:00:02Z');
    expect(await purgeIdempotencyRecords(t.db, t.clock.read())).toBeGreaterThanOrEqual(1);
    expect(await recordOf('day-old')).toBe(0);
    t.clock.set('2021-03-08T14:52:33Z');
  });

  it('refuses an Idempotency-Key with control characters or over 255 characters', async () => {
    for (const key of ['x'.repeat(256), 'tab\there']) {
      const res = await deposit(key, 106);
      expect(JSON.parse(res.body)).toEqual({ code: 400, error: 'Idempotency-Key must be 1 to 255 printable ASCII characters' });
    }
    expect(await depositsOf(106)).toBe(0);
  });

  it('a second request with the key while the first runs waits for it (PGlite) or is told to retry (PostgreSQL); a dead holder frees the key', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holderPid: number | null = null;
    const slow = await buildApp({
      db: t.db, config: t.config, clock: t.clock.read,
      async idempotencyFailpoint(step, tx) {
        if (step !== 'effect-done' || holderPid !== null) return;
        holderPid = t.db.kind === 'postgres' ? (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid : 0;
        await held;
      },
    });
    const inject = (target: FastifyInstance) =>
      target.inject({
        method: 'POST', url: '/v1/deposits', payload: { pages: 107 },
        headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json', 'idempotency-key': 'concurrent-1' },
      });
    const first = inject(slow);
    while (holderPid === null) await new Promise((r) => setTimeout(r, 10));
    if (t.db.kind === 'postgres') {
      const busy = await inject(app);
      expect(busy.statusCode).toBe(409);
      expect(busy.headers['retry-after']).toBe('1');
      expect(JSON.parse(busy.body).error).toMatch(/in progress/);
      // The holder dies (its connection is cut, as when its process is killed): the key is free again.
      await t.db.query('SELECT pg_terminate_backend($1)', [holderPid]);
      release();
      expect((await first).statusCode).toBe(500);
      expect(await depositsOf(107)).toBe(0);
      const retried = await inject(app);
      expect(retried.statusCode).toBe(201);
    } else {
      const second = inject(app);
      release();
      const [a, b] = await Promise.all([first, second]);
      expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
      expect(b.headers['idempotent-replayed']).toBe('true');
    }
    expect(await depositsOf(107)).toBe(1);
    await slow.close();
  });

  it('a collection run asked for with a key is queued in the request transaction (no wait on the held connection)', async () => {
    const schema = `boss_${crypto.randomBytes(4).toString('hex')}`;
    const jobs = await startJobs(t.db, [], { work: false, schedule: false, log: () => {}, schema });
    const trial = await buildApp({ db: t.db, config: t.config, clock: t.clock.read });
    try {
      await jobs.boss.createQueue(COLLECT_RUN_JOB);
      trial.collection.attachQueue(jobs);
      const ask = () =>
        trial.inject({
          method: 'POST', url: '/v1/collection-runs', payload: {},
          headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json', 'idempotency-key': 'collect-1' },
        });
      const res = await ask();
      expect(res.statusCode).toBe(202);
      const run = JSON.parse(res.body);
      expect((await ask()).headers['idempotent-replayed']).toBe('true');
      // The run's job(s) (one per shard), once: the replay queued nothing more.
      const queued = await jobs.boss.fetch<{ runId: string }>(COLLECT_RUN_JOB, { batchSize: 100 });
      expect(queued.length).toBe(t.config.collection.runShards);
      expect(new Set(queued.map((job) => job.data.runId))).toEqual(new Set([run.id]));
    } finally {
      await trial.close();
      await jobs.stop();
      if (t.db.kind === 'postgres') await t.db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
