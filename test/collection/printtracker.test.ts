// End to end: a dealer registers its Print Tracker server, maps customers to entities, and the deposits equal the truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, settle, sorted, truth, truthByDay, type World } from './helpers.ts';

describe(`Print Tracker collection against the sandbox (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  let serverId: string;
  const customers: Array<{ id: string; key: string; entity: string }> = [];

  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-04-15T02:00:00Z', sandbox: { start: '2024-10-01' } });
    dealer = await w.t.account('Dealer PT');
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey, contact: 'ops@dealer.example' },
    });
    serverId = server.id;
    for (const [i, entity] of w.sb.printtracker.customerEntityIds.entries()) {
      const c = await w.t.account(`Customer ${i}`, { key: dealer.key });
      customers.push({ ...c, entity });
    }
  });
  afterAll(async () => w.close());

  it('never returns the password, and stores it encrypted', async () => {
    const server = await w.t.json(`/v1/servers/${serverId}`, { key: dealer.key });
    expect(server).not.toHaveProperty('password');
    expect(JSON.stringify(server)).not.toContain(w.sb.printtracker.apiKey);
    const [row] = await w.t.db.query<Record<string, unknown>>(`SELECT * FROM servers WHERE id = $1`, [serverId]);
    expect(JSON.stringify(row)).not.toContain(w.sb.printtracker.apiKey);
  });

  it('lists the entities below the dealer for the feed form', async () => {
    const entities = await w.t.json(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    const ids = entities.map((e: { id: string }) => e.id);
    for (const c of customers) expect(ids).toContain(c.entity);
  });

  it('backfills from activated_at and deposits exactly the truth per UTC day', async () => {
    for (const c of customers) {
      await w.t.json(`/v1/accounts/${c.id}/feeds`, {
        method: 'POST', key: dealer.key,
        body: { server_id: serverId, external_id: c.entity, activated_at: '2025-01-15' },
      });
    }
    await settle(w.t);
    let busy = 0;
    for (const c of customers) {
      const expected = truthByDay(await truth(w.sb, { entity: c.entity, start: '2025-01-15', end: '2025-04-15' }));
      if (expected.size > 50) busy += 1;
      expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(expected));
    }
    // Customer 2 of the sandbox stopped reporting before the activation: nothing to deposit, and nothing is.
    expect(busy).toBe(2);
  });

  it('stays equal to the truth night after night, late readings revising their days', async () => {
    for (let night = 1; night <= 12; night++) {
      w.t.clock.set(new Date(Date.parse('2025-04-15T02:00:00Z') + night * 86_400_000).toISOString());
      const run = await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 });
      await settle(w.t);
      const done = await w.t.json(`/v1/collection-runs/${run.id}`, { key: dealer.key });
      expect(done).toMatchObject({ status: 'succeeded', feeds_total: 3, feeds_done: 3, errors: 0 });
      const today = w.t.clock.now.toISOString().slice(0, 10);
      for (const c of customers) {
        const expected = truthByDay(await truth(w.sb, { entity: c.entity, start: '2025-01-15', end: today }));
        expect(sorted(await depositsByDay(w.t, c.id, dealer.key)), `night ${night}, ${c.entity}`).toEqual(sorted(expected));
      }
    }
  });

  it('counts feeds, readings and upstream requests at /metrics for operators', async () => {
    const res = await w.t.call('/metrics');
    expect(res.statusCode).toBe(200);
    const done = /canopy_collection_feeds_total\{type="printtracker",outcome="collected"\} (\d+)/.exec(res.body);
    expect(Number(done?.[1])).toBeGreaterThanOrEqual(3 * 13);
    expect(res.body).toMatch(/canopy_collection_readings_total\{type="printtracker"\} [1-9]\d*/);
    expect(res.body).toMatch(/canopy_collection_pages_read_total\{type="printtracker"\} [1-9]\d*/);
    expect(res.body).toMatch(/canopy_upstream_requests_total\{type="printtracker"\} [1-9]\d*/);
    expect(res.body).toMatch(/canopy_collection_runs_total\{trigger="manual",status="succeeded"\} [1-9]/);
  });

  it('collects managed devices only for a managed_only feed', async () => {
    const second = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    });
    const entity = customers[0].entity;
    const managed = await w.t.account('Customer 0 managed', { key: dealer.key });
    await w.t.json(`/v1/accounts/${managed.id}/feeds`, {
      method: 'POST', key: dealer.key,
      body: { server_id: second.id, external_id: entity, activated_at: '2025-02-01', collection_scope: 'managed_only' },
    });
    await settle(w.t);
    const today = w.t.clock.now.toISOString().slice(0, 10);
    const all = truthByDay(await truth(w.sb, { entity, start: '2025-02-01', end: today }));
    const expected = truthByDay(await truth(w.sb, { entity, start: '2025-02-01', end: today, scope: 'managed_only' }));
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(total(expected)).toBeLessThan(total(all));
    expect(sorted(await depositsByDay(w.t, managed.id, dealer.key))).toEqual(sorted(expected));
    const devices = await w.t.json(`/v1/accounts/${managed.id}/feeds`, { key: dealer.key });
    expect(devices[0]).toMatchObject({ collection_scope: 'managed_only', health_check: 'healthy' });
  });
});
