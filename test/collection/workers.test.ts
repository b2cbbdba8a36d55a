// Several collectors at once: two workers share a run feed by feed, and deposits still equal the truth
// (runs that meet on a feed, in forced orders: test/collection/overlaps.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectionEngine } from '../../src/collection/engine.ts';
import { createRun } from '../../src/collection/runs.ts';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, printTrackerDealer, settle, sorted, truth, truthByDay, type World } from './helpers.ts';

describe(`collectors working at once (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string; path: string };
  const customers: Array<{ id: string; entity: string }> = [];

  beforeAll(async () => {
    w = await collectionWorld({
      now: '2025-04-15T02:00:00Z',
      sandbox: { start: '2025-01-01', customers: 6, rates: { stoppedCustomer: 0 }, faults: { printtracker: { latencyMs: 15 } } },
      env: { CANOPY_COLLECT_CONCURRENCY: '2' },
    });
    const made = await printTrackerDealer(w, 'Dealer workers', '2025-03-01');
    dealer = made.dealer;
    customers.push(...made.feeds.map((f) => ({ id: f.customer, entity: f.entity })));
    await settle(w.t);
  });
  afterAll(async () => w.close());

  const engine = (workerId: string) => createCollectionEngine({
    db: w.t.db, settings: w.t.config.collection, secrets: w.t.app.collection.secrets, clock: w.t.clock.read, log: () => {}, workerId,
  });
  const expectTruth = async () => {
    const today = w.t.clock.now.toISOString().slice(0, 10);
    for (const c of customers) {
      expect(sorted(await depositsByDay(w.t, c.id, dealer.key)), c.entity).toEqual(sorted(truthByDay(await truth(w.sb, { entity: c.entity, start: '2025-03-01', end: today }))));
    }
  };

  it('shares one run between two workers, each feed collected once', async () => {
    w.t.clock.advanceDays(1);
    const run = await createRun(w.t.db, { account: dealer, trigger: 'nightly', now: w.t.clock.read() });
    const [a, b] = await Promise.all([engine('worker-a').executeRun(run.id), engine('worker-b').executeRun(run.id)]);
    expect(a.status).toBe('succeeded');
    expect(b).toMatchObject({ status: 'succeeded', feeds_total: 6, feeds_done: 6 });
    const claims = await w.t.db.query<{ claimed_by: string; n: number }>(
      `SELECT claimed_by, count(*)::int AS n FROM collection_run_feeds WHERE run_id = $1 AND status = 'collected' GROUP BY claimed_by`, [run.id],
    );
    expect(claims.map((c) => c.claimed_by).sort()).toEqual(['worker-a', 'worker-b']);
    expect(claims.reduce((n, c) => n + c.n, 0)).toBe(6);
    await expectTruth();
  });
});
