// Collection's side of the outbox: deposits a backfill and later nights write, feeds turning healthy, and the
// finished run reach a dealer's endpoint; the pages the webhooks announce equal the deposits stored.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createOutbound } from '../../src/outbound/run-outbound.ts';
import { storeName } from '../helpers/harness.ts';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { collectionWorld, depositsByDay, settle, type World } from '../collection/helpers.ts';

describe(`collection events to webhooks (${storeName})`, () => {
  let w: World;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-04-15T02:00:00Z', sandbox: { start: '2025-03-01', customers: 1 } });
    hook = await startReceiver();
  });
  afterAll(async () => {
    await hook.close();
    await w.close();
  });

  it('announces every deposit a collection writes, the feed\'s health and the run, and nothing else', async () => {
    const dealer = await w.t.account('Dealer hooks');
    const endpoint = await w.t.json('/v1/webhook-endpoints', {
      method: 'POST', key: dealer.key,
      body: { url: hook.url, events: ['deposit.created', 'deposit.updated', 'deposit.deleted', 'feed.health_changed', 'collection_run.finished'] },
    });
    const pt = w.sb.printtracker;
    const server = await w.t.json('/v1/servers', { method: 'POST', key: dealer.key, body: { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey } });
    const customer = await w.t.account('Hooked customer', { key: dealer.key });
    await w.t.json(`/v1/accounts/${customer.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: pt.customerEntityIds[0], activated_at: '2025-04-01' } });
    await settle(w.t);
    // Another night, so that late readings may revise days (deposit.updated).
    w.t.clock.advanceDays(1);
    await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 });
    await settle(w.t);

    const outbound = createOutbound({ db: w.t.db, config: w.t.config, clock: w.t.clock.read });
    await outbound.run();
    outbound.close();
    // The library checks the timestamp against the time it reads; the deliveries were signed at the test clock's.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(w.t.clock.now);
    const wh = new Webhook(endpoint.secret);
    const events = hook.received.map((r) => wh.verify(r.body, r.headers) as { id: string; type: string; data: { id: string; pages?: number; date?: string } });
    vi.useRealTimers();
    const types = new Set(events.map((e) => e.type));
    expect(types.has('deposit.created')).toBe(true);
    expect(types.has('feed.health_changed')).toBe(true);
    expect(events.filter((e) => e.type === 'collection_run.finished')).toHaveLength(2);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    // Replaying the announced deposits gives exactly what is stored, day by day.
    const announced = new Map<string, { day: string; pages: number }>();
    for (const e of events) {
      if (e.type === 'deposit.deleted') announced.delete(e.data.id);
      else if (e.type.startsWith('deposit.')) announced.set(e.data.id, { day: e.data.date!.slice(0, 10), pages: e.data.pages! });
    }
    const byDay = new Map<string, number>();
    for (const { day, pages } of announced.values()) byDay.set(day, (byDay.get(day) ?? 0) + pages);
    expect(Object.fromEntries([...byDay].sort())).toEqual(Object.fromEntries([...(await depositsByDay(w.t, customer.id, dealer.key))].sort()));
  });
});
