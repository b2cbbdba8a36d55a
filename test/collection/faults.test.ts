// Faults: 5xx, 429s and hangs change nothing in the deposits; wrong credentials take a server offline until fixed,
// then collection catches up with nothing missed; an outage does the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, settle, sorted, truth, truthByDay, type World } from './helpers.ts';

async function faults(w: World, api: 'printtracker' | 'pharos' | 'printix', patch: Record<string, unknown> | null) {
  const base = { printtracker: w.sb.printtracker.url, pharos: w.sb.pharos.url, printix: w.sb.printix.url }[api];
  const res = await fetch(`${base}/__sandbox/faults`, patch === null ? { method: 'DELETE' } : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch),
  });
  expect(res.status).toBe(200);
}

async function stats(w: World): Promise<Record<string, Record<string, number>>> {
  return ((await (await fetch(`${w.sb.printtracker.url}/__sandbox/stats`)).json()) as { routes: Record<string, Record<string, number>> }).routes;
}

describe(`collection under upstream faults (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  let serverId: string;
  const customers: Array<{ id: string; entity: string; feed: string }> = [];

  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-04-15T02:00:00Z', sandbox: { start: '2025-01-01', rates: { stoppedCustomer: 0 } } });
    dealer = await w.t.account('Dealer faults');
    serverId = (await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    })).id;
    await settle(w.t);
  });
  afterAll(async () => w.close());

  const expectTruth = async (from: string) => {
    const today = w.t.clock.now.toISOString().slice(0, 10);
    for (const c of customers) {
      const expected = truthByDay(await truth(w.sb, { entity: c.entity, start: from, end: today }));
      expect(sorted(await depositsByDay(w.t, c.id, dealer.key)), c.entity).toEqual(sorted(expected));
    }
  };
  const nightly = async () => {
    const run = await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 });
    await settle(w.t);
    return w.t.json(`/v1/collection-runs/${run.id}`, { key: dealer.key });
  };
  const feedHealth = async () => Promise.all(customers.map(async (c) => (await w.t.json(`/v1/accounts/${c.id}/feeds/${c.feed}`, { key: dealer.key })).health_check));

  it('deposits exactly the truth with 20% 5xx, 429s with Retry-After and hanging requests', async () => {
    await faults(w, 'printtracker', { errorRate: 0.2, rateLimitRate: 0.05, retryAfterSeconds: 0, hangRate: 0.02, hangMs: 0 });
    await fetch(`${w.sb.printtracker.url}/__sandbox/stats`, { method: 'DELETE' });
    for (const [i, entity] of w.sb.printtracker.customerEntityIds.entries()) {
      const c = await w.t.account(`Faulty ${i}`, { key: dealer.key });
      const feed = await w.t.json(`/v1/accounts/${c.id}/feeds`, {
        method: 'POST', key: dealer.key, body: { server_id: serverId, external_id: entity, activated_at: '2025-03-01' },
      });
      customers.push({ id: c.id, entity, feed: feed.id });
    }
    await settle(w.t);
    const served = await stats(w);
    const count = (status: string) => Object.values(served).reduce((n, r) => n + (r[status] ?? 0), 0);
    expect(count('500') + count('502') + count('503')).toBeGreaterThan(3);
    expect(count('429')).toBeGreaterThan(0);
    expect(count('hang')).toBeGreaterThan(0);
    await expectTruth('2025-03-01');
    for (let night = 1; night <= 3; night++) {
      w.t.clock.advanceDays(1);
      expect(await nightly()).toMatchObject({ status: 'succeeded', errors: 0 });
    }
    await expectTruth('2025-03-01');
    await faults(w, 'printtracker', null);
  });

  it('marks the server unhealthy and its feeds offline on wrong credentials, and catches up after the fix', async () => {
    await faults(w, 'printtracker', { wrongCredentials: true });
    w.t.clock.advanceDays(1);
    const failed = await nightly();
    expect(failed).toMatchObject({ status: 'failed', feeds_total: 3, feeds_done: 3 });
    expect(failed.error_messages.join(' ')).toMatch(/refused the credentials/);
    const server = await w.t.json(`/v1/servers/${serverId}`, { key: dealer.key });
    expect(server).toMatchObject({ health_check: 'unhealthy', health_check_message: expect.stringMatching(/refused/) });
    expect(await feedHealth()).toEqual(['offline', 'offline', 'offline']);
    const test = await w.t.json(`/v1/servers/${serverId}/test`, { method: 'POST', key: dealer.key, expect: 200 });
    expect(test).toMatchObject({ ok: false, result: 'wrong_credentials' });

    // Three nights go by while the server refuses Canopy; nothing is collected and nothing is lost.
    for (let night = 1; night <= 3; night++) {
      w.t.clock.advanceDays(1);
      expect((await nightly()).status).toBe('failed');
    }
    // The dealer fixes the key (PATCH re-checks the server at once), and the next run catches up.
    await faults(w, 'printtracker', null);
    await w.t.json(`/v1/servers/${serverId}`, { method: 'PATCH', key: dealer.key, body: { password: w.sb.printtracker.apiKey } });
    await settle(w.t);
    expect((await w.t.json(`/v1/servers/${serverId}`, { key: dealer.key })).health_check).toBe('healthy');
    expect(await feedHealth()).toEqual(['healthy', 'healthy', 'healthy']);
    w.t.clock.advanceDays(1);
    expect(await nightly()).toMatchObject({ status: 'succeeded', errors: 0 });
    await expectTruth('2025-03-01');
  });

  it('skips the feeds of a server in an outage and collects everything when it is back', async () => {
    await faults(w, 'printtracker', { outage: { mode: 'reset' } });
    for (let night = 1; night <= 2; night++) {
      w.t.clock.advanceDays(1);
      const run = await nightly();
      expect(run.status).toBe('failed');
      expect(run.error_messages[0]).toMatch(/could not be reached/);
    }
    expect(await feedHealth()).toEqual(['offline', 'offline', 'offline']);
    await faults(w, 'printtracker', null);
    // The hourly check finds the server back; the feeds leave offline at once.
    await w.t.app.collection.engine.checkHealth();
    expect(await feedHealth()).toEqual(['healthy', 'healthy', 'healthy']);
    w.t.clock.advanceDays(1);
    expect(await nightly()).toMatchObject({ status: 'succeeded', errors: 0 });
    await expectTruth('2025-03-01');
  });
});
