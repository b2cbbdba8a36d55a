// Asking for collection through the API: a repeated request joins its pending run (202, joined), an account's
// open runs are bounded (409 naming the rule), 40 requests at once make one run; a run says per feed how it
// ended, pages read beside the net change, and is partial when a server is down — in the API and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECT_RUN_JOB } from '../../src/collection/runtime.ts';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, sorted, truth, truthByDay, type World } from './helpers.ts';

describe(`collection-run requests (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  let goodFeed = '';
  let downFeed = '';
  const started: string[] = [];

  beforeAll(async () => {
    w = await collectionWorld({
      now: '2025-04-15T02:00:00Z', sandbox: { start: '2025-01-01', customers: 2, rates: { stoppedCustomer: 0 } },
      env: { CANOPY_COLLECT_OPEN_RUNS_PER_ACCOUNT: '2', CANOPY_UPSTREAM_ATTEMPTS: '1' },
    });
    // Runs are recorded, not started, until the test starts them: "pending" stays pending.
    w.t.app.collection.attachQueue({
      async send(name, data) {
        if (name === COLLECT_RUN_JOB && !started.includes(String(data?.runId))) started.push(String(data?.runId));
        return null;
      },
    });
    dealer = await w.t.account('Dealer requests');
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    });
    // A second server whose key the upstream refuses: its feed is offline in every run.
    const refused = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: '00000000-0000-4000-8000-000000000000' },
    });
    customer = await w.t.account('Customer requests', { key: dealer.key });
    const [a, b] = w.sb.printtracker.customerEntityIds;
    goodFeed = (await w.t.json(`/v1/accounts/${customer.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: a, activated_at: '2025-04-01' } })).id;
    downFeed = (await w.t.json(`/v1/accounts/${customer.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: refused.id, external_id: b, activated_at: '2025-04-01' } })).id;
    // The feeds' own backfills first (a request for a feed whose backfill is still pending would join it).
    for (const runId of started.splice(0)) await w.t.app.collection.engine.executeRun(runId);
  }, 180_000);
  afterAll(async () => w?.close());

  const collectNow = (key: string, body: Record<string, unknown> = {}) => w.t.call('/v1/collection-runs', { method: 'POST', key, body });

  it('joins a pending run of the same request instead of making a second one, and says so', async () => {
    const first = await collectNow(customer.key, { feed_id: goodFeed });
    expect(first.statusCode).toBe(202);
    expect(JSON.parse(first.body)).toMatchObject({ status: 'queued', joined: false, feeds_total: 1 });
    const again = await collectNow(customer.key, { feed_id: goodFeed });
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body)).toMatchObject({ id: JSON.parse(first.body).id, joined: true });
    expect(started).toEqual([JSON.parse(first.body).id]);
  });

  it('bounds the open runs an account asked for, with a 409 naming the rule', async () => {
    const other = await collectNow(customer.key, { feed_id: goodFeed, since: '2025-04-05' });
    expect(other.statusCode).toBe(202);
    expect(JSON.parse(other.body).joined).toBe(false);
    const third = await collectNow(customer.key, { since: '2025-04-07' });
    expect(third.statusCode).toBe(409);
    expect(JSON.parse(third.body)).toEqual({
      code: 409, error: expect.stringMatching(/already has 2 open run\(s\), at most 2 \(CANOPY_COLLECT_OPEN_RUNS_PER_ACCOUNT\)/),
    });
    // The bound is the account's own: the dealer may still ask.
    expect((await collectNow(dealer.key, {})).statusCode).toBe(202);
  });

  it('makes one run of 40 identical requests at once', async () => {
    const before = (await w.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM collection_runs WHERE account_id = $1`, [dealer.id]))[0].n;
    const answers = await Promise.all(Array.from({ length: 40 }, () => collectNow(dealer.key, { feed_id: downFeed })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(40).fill(202));
    const ids = new Set(answers.map((a) => JSON.parse(a.body).id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => JSON.parse(a.body).joined === false)).toHaveLength(1);
    const after = (await w.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM collection_runs WHERE account_id = $1`, [dealer.id]))[0].n;
    expect(after - before).toBe(1);
  });

  it('says per feed how a run ended, pages read and the net change; partial when a server is down', async () => {
    // Every run asked for so far, and the feeds' own backfills, now go.
    const pending = await w.t.db.query<{ id: string }>(`SELECT id FROM collection_runs WHERE status = 'queued' ORDER BY created_at`);
    await Promise.all(pending.map((r) => w.t.app.collection.engine.executeRun(r.id)));
    const run = (await w.t.json(`/v1/collection-runs`, { key: dealer.key })).find((r: { feed_id: string | null }) => r.feed_id === downFeed);
    const whole = await w.t.json(`/v1/collection-runs/${run.id}`, { key: dealer.key });
    expect(whole).toEqual(run);
    expect(whole).toMatchObject({ status: 'failed', feeds_total: 1, errors: 1, outcomes: { offline: 1, collected: 0, open: 0 } });

    const all = (await w.t.json(`/v1/collection-runs`, { key: dealer.key })).find((r: { feed_id: string | null; since: string | null }) => r.feed_id === null && r.since === null);
    expect(all.status).toBe('partial');
    expect(all.outcomes).toMatchObject({ offline: 1, open: 0 });
    expect(all.outcomes.collected + all.outcomes.waited_for).toBe(1);
    const feeds = await w.t.json(`/v1/collection-runs/${all.id}/feeds`, { key: dealer.key });
    const byFeed = new Map(feeds.map((f: { feed_id: string }) => [f.feed_id, f]));
    expect(byFeed.get(downFeed)).toMatchObject({ outcome: 'offline', error: expect.stringMatching(/unhealthy/), pages: 0 });
    expect(['collected', 'waited_for']).toContain((byFeed.get(goodFeed) as { outcome: string }).outcome);
    // The customer's re-collection from a day re-read every page of its window: pages read, not a net change of 0.
    const mine = await w.t.json(`/v1/collection-runs`, { key: customer.key });
    const fromDay = mine.find((r: { since: string | null }) => r.since === '2025-04-05');
    expect(fromDay.status).toBe('succeeded');
    const expected = truthByDay(await truth(w.sb, { entity: w.sb.printtracker.customerEntityIds[0], start: '2025-04-05', end: '2025-04-15' }));
    expect(fromDay.pages_read).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    expect(fromDay.pages).toBe(0);
    expect(sorted(await depositsByDay(w.t, customer.id, dealer.key))).toEqual(
      sorted(truthByDay(await truth(w.sb, { entity: w.sb.printtracker.customerEntityIds[0], start: '2025-04-01', end: '2025-04-15' }))),
    );
    const metrics = (await w.t.call('/metrics')).body;
    expect(metrics).toMatch(/canopy_collection_feeds_total\{type="printtracker",outcome="offline"\} [1-9]/);
    expect(metrics).toMatch(/canopy_collection_runs_total\{trigger="manual",status="partial"\} [1-9]/);
  });

  it('documents the outcomes, joined and the feeds list in the OpenAPI document', async () => {
    const doc = await w.t.json('/openapi.json', { key: null });
    const post = doc.paths['/v1/collection-runs'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '409']));
    expect(JSON.stringify(post.responses['202'])).toMatch(/joined/);
    expect(doc.paths['/v1/collection-runs/{id}/feeds'].get).toBeDefined();
    expect(JSON.stringify(doc)).toMatch(/waited_for/);
  });
});
