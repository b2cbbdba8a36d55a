// The durable queue: pg-boss in the same database runs the month-close job, and a repeat run is a no-op.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONTH_CLOSE_JOB, jobDefinitions } from '../src/jobs/definitions.ts';
import { startJobs, type JobQueue } from '../src/jobs/queue.ts';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

async function until(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting');
}

describe(`job queue (${storeName})`, () => {
  let t: TestApp;
  let jobs: JobQueue;
  const lines: string[] = [];
  const schema = `boss_${crypto.randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2021-02-20T12:00:00Z');
    jobs = await startJobs(t.db, jobDefinitions({ db: t.db, config: t.config, clock: t.clock.read, collection: t.app.collection }), {
      work: true, schedule: false, log: (line) => lines.push(line), schema,
    });
  }, 60_000);
  afterAll(async () => {
    await jobs.stop();
    if (t.db.kind === 'postgres') await t.db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await t.close();
  });

  it('runs month close from the queue once the month is due, logging progress', async () => {
    const customer = await t.account('Queued customer', { key: (await t.account('Dealer Q')).key });
    await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 4321, date: '2021-02-10' } });
    t.clock.set('2021-03-04T03:30:00Z');
    await jobs.send(MONTH_CLOSE_JOB, {}, 'test-run-1');
    await until(async () => (await t.json('/v1/transactions', { key: customer.key })).length > 0);
    const [tx] = await t.json('/v1/transactions', { key: customer.key });
    expect(tx).toMatchObject({ pages: 4321, date: '2021-02-28T23:59:59Z' });
    await until(async () => lines.some((l) => /closed 1 account/.test(l)));

    await jobs.send(MONTH_CLOSE_JOB, {}, 'test-run-2');
    await until(async () => lines.some((l) => l === 'no month is due to close'));
    expect(await t.json('/v1/transactions', { key: customer.key })).toHaveLength(1);
  });
});
