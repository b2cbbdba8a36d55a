// Pharos: print jobs give each day's pages per paper size; deposits equal the truth under both end-day rules and row shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, settle, sorted, truth, truthByDay, type World } from './helpers.ts';

describe(`Pharos collection against the sandbox (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };

  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-04-15T02:00:00Z', sandbox: { start: '2025-01-01' } });
    dealer = await w.t.account('Dealer Pharos');
  });
  afterAll(async () => w.close());

  const feedFor = async (tenant: { name: string; key: string }, label: string, activatedAt: string) => {
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key, body: { type: 'pharos', url: w.sb.pharos.url, username: tenant.name, password: tenant.key },
    });
    const customer = await w.t.account(label, { key: dealer.key });
    const [entity] = await w.t.json(`/v1/servers/${server.id}/entities`, { key: dealer.key });
    expect(entity).toMatchObject({ kind: 'tenant', name: tenant.name });
    await w.t.json(`/v1/accounts/${customer.id}/feeds`, {
      method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: entity.id, activated_at: activatedAt },
    });
    await settle(w.t);
    return { customer, server };
  };

  it('deposits each day’s pages per paper size, equal to the truth', async () => {
    const tenant = w.sb.pharos.tenants[0];
    const { customer } = await feedFor(tenant, 'Pharos customer', '2025-03-01');
    const expected = truthByDay(await truth(w.sb, { tenant: tenant.key, start: '2025-03-01', end: '2025-04-15' }));
    expect(expected.size).toBeGreaterThan(20);
    expect(sorted(await depositsByDay(w.t, customer.id, dealer.key))).toEqual(sorted(expected));
    const deposits = await w.t.json(`/v1/accounts/${customer.id}/deposits`, { key: dealer.key });
    const sizes = new Set(deposits.map((d: { width: number; length: number }) => `${d.width}x${d.length}`));
    expect(sizes.size).toBeGreaterThan(1); // Letter and at least one other size, as the jobs say
    expect(deposits.every((d: { feed_id: string; source_id: string }) => d.feed_id && d.source_id === d.feed_id)).toBe(true);
  });

  it.each([
    ['exclusive', 'jobs'],
    ['inclusive', 'users'],
    ['exclusive', 'users'],
  ] as const)('gives the same deposits when PrintJobs ends %s with %s rows', async (printJobsEnd, printJobsRows) => {
    w.sb.world.variants.update({ pharos: { printJobsEnd, printJobsRows } });
    try {
      const tenant = w.sb.pharos.tenants[1];
      const { customer } = await feedFor({ ...tenant, name: `${tenant.name} ${printJobsEnd} ${printJobsRows}` }, `Pharos ${printJobsEnd} ${printJobsRows}`, '2025-03-20');
      const expected = truthByDay(await truth(w.sb, { tenant: tenant.key, start: '2025-03-20', end: '2025-04-15' }));
      expect(expected.size).toBeGreaterThan(10);
      expect(sorted(await depositsByDay(w.t, customer.id, dealer.key))).toEqual(sorted(expected));
    } finally {
      w.sb.world.variants.update({ pharos: { printJobsEnd: 'inclusive', printJobsRows: 'jobs' } });
    }
  });
});
