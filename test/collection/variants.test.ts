// Robust to the real APIs: under every answer shape the sources leave open, Print Tracker deposits still equal the truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, settle, sorted, truth, truthByDay, type World } from './helpers.ts';

const HOSTILE = {
  meterIncludesChildren: true,
  redundantInstallsRate: 0.5,
  repeatedReadsRate: 0.1,
  noTotalRate: 0.2,
  unreadableCounterRate: 0.05,
  omitManagedField: true,
  shuffle: true,
  errorBody: 'html',
} as const;

describe(`Print Tracker variants (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };

  beforeAll(async () => {
    w = await collectionWorld({
      now: '2025-04-15T02:00:00Z',
      sandbox: { start: '2024-12-01', customers: 2, meterMaxRangeDays: 5, rates: { stoppedCustomer: 0 } },
    });
    dealer = await w.t.account('Dealer variants');
  });
  afterAll(async () => w.close());

  const collectAll = async (label: string, scope: 'all' | 'managed_only' = 'all') => {
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    });
    const out: Array<{ id: string; entity: string; feed: string }> = [];
    for (const [i, entity] of w.sb.printtracker.customerEntityIds.entries()) {
      const c = await w.t.account(`${label} ${i}`, { key: dealer.key });
      const feed = await w.t.json(`/v1/accounts/${c.id}/feeds`, {
        method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: entity, activated_at: '2025-02-01', collection_scope: scope },
      });
      out.push({ id: c.id, entity, feed: feed.id });
    }
    await settle(w.t);
    return out;
  };

  const expectTruth = async (customers: Array<{ id: string; entity: string }>, scope: 'all' | 'managed_only' = 'all') => {
    for (const c of customers) {
      const expected = truthByDay(await truth(w.sb, { entity: c.entity, start: '2025-02-01', end: '2025-04-15', scope }));
      expect(expected.size).toBeGreaterThan(30);
      expect(sorted(await depositsByDay(w.t, c.id, dealer.key)), `${c.entity} ${scope}`).toEqual(sorted(expected));
    }
  };

  it.each(['array', 'object-or-404', 'object-or-empty-array', 'object-or-null', 'object-or-zero'] as const)(
    'equals the truth with every hostile variant on and mostRecentPriorTo answering %s',
    async (mostRecentPriorTo) => {
      w.sb.world.variants.update({ printtracker: { ...HOSTILE, mostRecentPriorTo } });
      try {
        await expectTruth(await collectAll(`Hostile ${mostRecentPriorTo}`));
      } finally {
        w.sb.world.variants.reset();
      }
    },
  );

  it('equals the managed-only truth without a managed field, by excludeDisabled alone', async () => {
    w.sb.world.variants.update({ printtracker: HOSTILE });
    try {
      await expectTruth(await collectAll('Hostile managed', 'managed_only'), 'managed_only');
    } finally {
      w.sb.world.variants.reset();
    }
  });

  it('records a device without a total and unreadable counters as anomalies, never guessing', async () => {
    w.sb.world.variants.update({ printtracker: HOSTILE });
    try {
      const [first] = await collectAll('Anomalies');
      const facts = await (await fetch(`${w.sb.printtracker.url}/__sandbox/facts?entity=${first.entity}`)).json() as {
        devices: Array<{ id: string; hasTotal: boolean; unreadableReads: Array<{ timestamp: string }> }>;
      };
      const anomalies = await w.t.json(`/v1/accounts/${first.id}/feeds/${first.feed}/anomalies`, { key: dealer.key });
      const local = facts.devices.find((d) => !d.hasTotal);
      expect(local).toBeDefined();
      expect(anomalies.some((a: { device_id: string; kind: string }) => a.device_id === local!.id && a.kind === 'missing_total')).toBe(true);
      const unreadable = facts.devices.flatMap((d) => d.unreadableReads.filter((r) => r.timestamp >= '2025-02-01').map((r) => `${d.id} ${Date.parse(r.timestamp)}`));
      const recorded = new Set<string>(anomalies.filter((a: { kind: string }) => a.kind === 'unreadable_counter').map((a: { device_id: string; read_at: string }) => `${a.device_id} ${Date.parse(a.read_at)}`));
      expect(unreadable.length).toBeGreaterThan(0);
      // read_at drops milliseconds on the wire: compare by the second
      const bySecond = (k: string) => k.replace(/\d{3}$/, '000');
      for (const key of unreadable) expect([...recorded].map(bySecond)).toContain(bySecond(key));
    } finally {
      w.sb.world.variants.reset();
    }
  });
});
