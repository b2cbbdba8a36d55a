// A hostile Print Tracker cannot take Canopy down or past its bounds: huge, deep and flooding answers fail the
// feed (or the entity list) with a message naming the bound, and a fleet rising just under every per-device
// limit deposits no more than a feed's day may hold; the excess is an anomaly the dealer sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_CUSTOMER, HOSTILE_DEALER, HOSTILE_KEY, startHostilePrintTracker, type HostileServer } from '../../sandbox/hostile-printtracker.ts';
import { FEED_DAY_CEILING } from '../../src/domain/feed-day-ceiling.ts';
import { createTestApp, storeName, TestClock, type TestApp } from '../helpers/harness.ts';
import { COLLECTION_ENV, settle } from './helpers.ts';

describe(`a hostile upstream (${storeName})`, () => {
  let t: TestApp;
  let hostile: HostileServer;
  let dealer: { id: string; key: string };
  let serverId: string;

  beforeAll(async () => {
    hostile = await startHostilePrintTracker();
    t = await createTestApp({ clock: new TestClock('2025-03-05T02:00:00Z'), env: { ...COLLECTION_ENV, CANOPY_UPSTREAM_ATTEMPTS: '2' } });
    dealer = await t.account('Dealer under attack');
    const server = await t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: hostile.url, username: HOSTILE_DEALER, password: HOSTILE_KEY },
    });
    serverId = server.id;
  });
  afterAll(async () => {
    await t?.close();
    await hostile?.close();
  });

  const entities = async () => {
    const res = await t.call(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    const healthz = await t.call('/healthz', { key: null });
    expect(healthz.statusCode).toBe(200);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  it('answers the entity list of an entity nested 200,000 levels with a 502 naming the depth bound', async () => {
    hostile.setMode({ kind: 'deep', depth: 200_000 });
    const res = await entities();
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ code: 502, error: expect.stringMatching(/nests deeper than 64 levels/) });
  });

  it('refuses an entity tree larger than the byte bound (never read past it) with a 502 naming it and the server', async () => {
    hostile.setMode({ kind: 'huge-tree', children: 4_000_000 });
    const res = await entities();
    expect(res.status).toBe(502);
    expect(res.body.error).toMatch(/larger than 8,388,608 bytes \(CANOPY_UPSTREAM_MAX_ANSWER_BYTES/);
    expect(res.body.error).toContain(new URL(hostile.url).host);
  });

  it('refuses a tree of more entities than the entity bound', async () => {
    hostile.setMode({ kind: 'huge-tree', children: 100_001, compact: true });
    const res = await entities();
    expect(res.status).toBe(502);
    expect(res.body.error).toMatch(/more than 100,000 entities/);
  });

  it('never follows a redirect, here to another server inside', async () => {
    const inside = await startHostilePrintTracker();
    try {
      hostile.setMode({ kind: 'redirect', location: `${inside.url}/v1/entity/${HOSTILE_DEALER}` });
      const res = await entities();
      expect(res.status).toBe(502);
      expect(inside.stats.requests).toBe(0);
    } finally {
      await inside.close();
    }
  });

  it('fails a feed whose meter answers flood past every bound, naming the bound on the run and the feed', async () => {
    hostile.setMode({ kind: 'normal' });
    const customer = await t.account('Flooded customer', { key: dealer.key });
    const feed = await t.json(`/v1/accounts/${customer.id}/feeds`, {
      method: 'POST', key: dealer.key, body: { server_id: serverId, external_id: HOSTILE_CUSTOMER, activated_at: '2025-03-03' },
    });
    await settle(t);
    hostile.setMode({ kind: 'many-readings', reads: 500_000 });
    const before = hostile.stats.meterRequests;
    const run = await t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: { feed_id: feed.id }, expect: 202 });
    await settle(t);
    const done = await t.json(`/v1/collection-runs/${run.id}`, { key: dealer.key });
    expect(done.errors).toBe(1);
    expect(done.error_messages.join('\n')).toMatch(/the bound on one upstream answer/);
    const after = await t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { key: dealer.key });
    expect(after.last_error).toMatch(/the bound on one upstream answer/);
    expect(after.last_error).toContain(HOSTILE_CUSTOMER);
    // Halved down to an hour, then given up: a bounded number of requests, not one per read.
    expect(hostile.stats.meterRequests - before).toBeLessThanOrEqual(12);
    expect((await t.call('/healthz', { key: null })).statusCode).toBe(200);
    await t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { method: 'DELETE', key: dealer.key });
  });

  it('deposits no more than a feed day may hold when 1,000 devices rise just under the per-device ceiling; the rest is an anomaly', async () => {
    hostile.setMode({ kind: 'fleet', devices: 1_000, perDay: 99_999 });
    const customer = await t.account('Fleet customer', { key: dealer.key });
    const feed = await t.json(`/v1/accounts/${customer.id}/feeds`, {
      method: 'POST', key: dealer.key, body: { server_id: serverId, external_id: HOSTILE_CUSTOMER, activated_at: '2025-03-01' },
    });
    await settle(t);
    const deposits = await t.json(`/v1/accounts/${customer.id}/deposits`, { key: dealer.key });
    // Days 2, 3 and 4 of March each rose 1,000 x 99,999 = 99,999,000 pages; the 1st is the baseline.
    expect(deposits.map((d: { date: string; pages: number }) => [d.date.slice(0, 10), d.pages])).toEqual([
      ['2025-03-04', FEED_DAY_CEILING], ['2025-03-03', FEED_DAY_CEILING], ['2025-03-02', FEED_DAY_CEILING],
    ]);
    const anomalies = await t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}/anomalies`, { key: dealer.key });
    const held = anomalies.filter((a: { kind: string }) => a.kind === 'feed_day_ceiling');
    expect(held.map((a: { day: string; pages: number }) => [a.day, a.pages]).sort()).toEqual([
      ['2025-03-02', 99_999_000 - FEED_DAY_CEILING], ['2025-03-03', 99_999_000 - FEED_DAY_CEILING], ['2025-03-04', 99_999_000 - FEED_DAY_CEILING],
    ]);
    expect(held[0].detail).toMatch(/ceiling of one feed's day/);
  });
});
