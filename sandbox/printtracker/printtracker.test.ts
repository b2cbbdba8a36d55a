// Print Tracker simulator over HTTP: auth, dealer trees, paging, meter endpoints, every date format, truth consistency.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../server.ts';
import { dailyDeposits, lifetimeCount, type MeterRead as CollectorRead } from '../testing/collector.ts';
import { get } from '../testing/http.ts';

const NOW = '2025-04-15T10:00:00Z';
let sb: Sandbox;
let url: string;
let key: Record<string, string>;
let c0: string;

interface EntityBody { id: string; name: string; genealogy: string[]; children: { id: string; name: string }[] }
interface DeviceBody { id: string; entityKey: string; managed: boolean; serialNumber: string; make: string; model: string }
interface TruthRow { date: string; pages: number; printed: number }
/** A read as the default sandbox serves it (every counter a decimal string). */
interface MeterRead extends CollectorRead {
  createdDate: string;
  pageCounts: Record<string, Record<string, { displayName: string; value: string }>>;
}

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW, customers: 4, meterMaxRangeDays: 400 });
  url = `${sb.printtracker.url}/v1`;
  key = { 'x-api-key': sb.printtracker.apiKey };
  c0 = sb.printtracker.customerEntityIds[0];
});
afterAll(() => sb.close());

const subtreeIds = async (id: string) => {
  const e = await get<EntityBody>(`${url}/entity/${id}?includeChildren=true`, key);
  return [id, ...e.body.children.map((c) => c.id)];
};

const allReads = async (entityIds: string[], start = '2025-01-01T00:00:00Z', end = '2025-04-16T00:00:00Z') => {
  const reads: MeterRead[] = [];
  for (const id of entityIds) {
    const r = await get<MeterRead[]>(`${url}/entity/${id}/meter?start=${start}&end=${end}`, key);
    expect(r.status).toBe(200);
    reads.push(...r.body);
  }
  return reads;
};

describe('Print Tracker auth and trees', () => {
  it('answers 401 without a key or with a wrong one', async () => {
    expect((await get(`${url}/entity/${c0}`)).status).toBe(401);
    expect((await get(`${url}/entity/${c0}`, { 'x-api-key': '00000000-0000-4000-8000-000000000000' })).status).toBe(401);
    expect((await get(`${url}/entity/${c0}`, { authorization: `Bearer ${sb.printtracker.apiKey}` })).status).toBe(401);
  });

  it('answers 404 for entities outside the key dealer tree and for unknown ids', async () => {
    const foreign = sb.world.fleet.customer(sb.world.options.customers).id; // first customer of the other dealer
    expect((await get(`${url}/entity/${foreign}`, key)).status).toBe(404);
    expect((await get(`${url}/entity/${foreign}/meter?start=2025-01-01T00:00:00Z&end=2025-01-02T00:00:00Z`, key)).status).toBe(404);
    expect((await get(`${url}/entity/ffffffffffffffffffffffff`, key)).status).toBe(404);
    expect((await get(`${url}/entity/not-an-id`, key)).status).toBe(404);
    expect((await get(`${url}/entity/${sb.printtracker.dealerEntityId}`, key)).status).toBe(200);
  });

  it('lists children at every level only with includeChildren, with genealogy down from the dealer', async () => {
    const dealer = await get<EntityBody>(`${url}/entity/${sb.printtracker.dealerEntityId}?includeChildren=true`, key);
    const ids = dealer.body.children.map((c) => c.id);
    for (const c of sb.printtracker.customerEntityIds) expect(ids).toContain(c);
    expect(ids.length).toBeGreaterThan(4); // customer 0 has sites
    const plain = await get<EntityBody>(`${url}/entity/${c0}`, key);
    expect(plain.body.children).toEqual([]);
    expect(plain.body.genealogy).toEqual([sb.printtracker.dealerEntityId]);
    const withSites = await get<EntityBody>(`${url}/entity/${c0}?includeChildren=true`, key);
    expect(withSites.body.children).toHaveLength(2);
    const site = await get<EntityBody>(`${url}/entity/${withSites.body.children[0].id}`, key);
    expect(site.body.genealogy).toEqual([sb.printtracker.dealerEntityId, c0]);
    expect(Object.keys(plain.body).sort()).toEqual(['addresses', 'children', 'genealogy', 'id', 'labels', 'name']);
  });
});

describe('Print Tracker devices', () => {
  it('pages devices with page and limit, starting at page 1', async () => {
    const all = await get<DeviceBody[]>(`${url}/entity/${c0}/device?includeChildren=true`, key);
    expect(all.body).toHaveLength(6);
    const paged: DeviceBody[] = [];
    for (let page = 1; ; page++) {
      const r = await get<DeviceBody[]>(`${url}/entity/${c0}/device?includeChildren=true&limit=4&page=${page}`, key);
      paged.push(...r.body);
      if (r.body.length < 4) break;
    }
    expect(paged.map((d) => d.id)).toEqual(all.body.map((d) => d.id));
    expect((await get(`${url}/entity/${c0}/device?page=0`, key)).status).toBe(400);
  });

  it('keeps to the entity without includeChildren and to managed devices with excludeDisabled', async () => {
    const own = await get<DeviceBody[]>(`${url}/entity/${c0}/device`, key);
    expect(own.body.every((d) => d.entityKey === c0)).toBe(true);
    const all = await get<DeviceBody[]>(`${url}/entity/${c0}/device?includeChildren=true`, key);
    const managed = await get<DeviceBody[]>(`${url}/entity/${c0}/device?includeChildren=true&excludeDisabled=true`, key);
    expect(all.body.some((d) => !d.managed)).toBe(true);
    expect(managed.body.every((d) => d.managed)).toBe(true);
    expect(managed.body.length).toBe(all.body.filter((d) => d.managed).length);
  });
});

describe('Print Tracker meters', () => {
  it('requires start and end on /meter', async () => {
    expect((await get(`${url}/entity/${c0}/meter`, key)).status).toBe(400);
    expect((await get(`${url}/entity/${c0}/meter?start=2025-01-01T00:00:00Z`, key)).status).toBe(400);
    expect((await get(`${url}/entity/${c0}/meter?end=2025-01-01T00:00:00Z`, key)).status).toBe(400);
    expect((await get(`${url}/entity/${c0}/meter?start=soon&end=later`, key)).status).toBe(400);
    expect((await get(`${url}/entity/${c0}/meter?start=2025-02-01T00:00:00Z&end=2025-01-01T00:00:00Z`, key)).status).toBe(400);
  });

  it('accepts every listed date format for start and end', async () => {
    const base = await get<MeterRead[]>(`${url}/entity/${c0}/meter?start=2025-02-03T00:00:00Z&end=2025-02-10T00:00:00Z`, key);
    expect(base.body.length).toBeGreaterThan(3);
    const pairs: [string, string][] = [
      ['2025-02-03T00:00:00', '2025-02-10T00:00:00'],
      ['Mon, 03 Feb 2025 00:00:00 +0000', 'Mon, 10 Feb 2025 00:00:00 +0000'],
      ['Mon, 03 Feb 2025 00:00:00 UTC', 'Mon, 10 Feb 2025 00:00:00 GMT'],
      ['03 Feb 25 00:00 +0000', '10 Feb 25 00:00 +0000'],
      ['03 Feb 25 00:00 UTC', '10 Feb 25 00:00 UTC'],
      ['Monday, 03-Feb-25 00:00:00 UTC', 'Monday, 10-Feb-25 00:00:00 UTC'],
      ['Mon Feb  3 00:00:00 2025', 'Mon Feb 10 00:00:00 2025'],
      ['Mon Feb  3 00:00:00 UTC 2025', 'Mon Feb 10 00:00:00 UTC 2025'],
      [String(Date.parse('2025-02-03T00:00:00Z') / 1000), String(Date.parse('2025-02-10T00:00:00Z') / 1000)],
      ['2025-02-03T01:00:00%2B01:00', '2025-02-09T19:00:00-05:00'],
    ];
    for (const [s, e] of pairs) {
      const r = await get(`${url}/entity/${c0}/meter?start=${s.includes('%') ? s : encodeURIComponent(s)}&end=${encodeURIComponent(e)}`, key);
      expect(r.status, s).toBe(200);
      expect(r.text, s).toBe(base.text);
    }
  });

  it('serves reads of that entity only, with counters as decimal strings and life.total as the lifetime counter', async () => {
    const reads = await allReads([c0]);
    expect(reads.length).toBeGreaterThan(100);
    const devices = new Set((await get<DeviceBody[]>(`${url}/entity/${c0}/device`, key)).body.map((d) => d.id));
    for (const r of reads) {
      expect(r.entityKey).toBe(c0);
      expect(devices.has(r.deviceKey)).toBe(true);
      expect(Object.keys(r).sort()).toEqual(['createdDate', 'deviceKey', 'entityKey', 'id', 'installKey', 'modifiedDate', 'pageCounts', 'supplies', 'timestamp']);
      // Stored when it arrived: at its timestamp, or later for a late read.
      expect(Date.parse(r.createdDate)).toBeGreaterThanOrEqual(Date.parse(r.timestamp));
      for (const format of Object.values(r.pageCounts)) {
        for (const c of Object.values(format)) expect(c.value).toMatch(/^\d+$/);
      }
      expect(r.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const times = reads.map((r) => Date.parse(r.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // A device without the life format still has default.total; with it, default counts less (no copies).
    const noLife = sb.world.fleet.device(4);
    const withLife = reads.find((r) => r.pageCounts.life);
    expect(withLife).toBeDefined();
    expect(Number(withLife!.pageCounts.default.total.value)).toBeLessThan(Number(withLife!.pageCounts.life.total.value));
    const siteReads = await allReads([noLife.entityId]);
    expect(siteReads.filter((r) => r.deviceKey === noLife.id).every((r) => !r.pageCounts.life)).toBe(true);
  });

  it('filters unmanaged devices with excludeDisabled', async () => {
    const unmanaged = sb.world.fleet.device(2);
    const q = `start=2025-02-01T00:00:00Z&end=2025-02-10T00:00:00Z`;
    const all = await get<MeterRead[]>(`${url}/entity/${unmanaged.entityId}/meter?${q}`, key);
    const managed = await get<MeterRead[]>(`${url}/entity/${unmanaged.entityId}/meter?${q}&excludeDisabled=true`, key);
    expect(all.body.some((r) => r.deviceKey === unmanaged.id)).toBe(true);
    expect(managed.body.some((r) => r.deviceKey === unmanaged.id)).toBe(false);
  });

  it('refuses a /meter span longer than the configured maximum', async () => {
    const r = await get(`${url}/entity/${c0}/meter?start=2024-01-01T00:00:00Z&end=2025-04-01T00:00:00Z`, key);
    expect(r.status).toBe(400);
    expect(r.text).toContain('400 days');
  });

  it('pages current meters with a limit of at most 1000, one latest read per device', async () => {
    expect((await get(`${url}/entity/${c0}/currentMeter?limit=1001`, key)).status).toBe(400);
    const all = await get<MeterRead[]>(`${url}/entity/${c0}/currentMeter?includeChildren=true&limit=1000`, key);
    expect(all.body.length).toBe(6);
    expect(new Set(all.body.map((r) => r.deviceKey)).size).toBe(6);
    const p1 = await get<MeterRead[]>(`${url}/entity/${c0}/currentMeter?includeChildren=true&limit=4&page=1`, key);
    const p2 = await get<MeterRead[]>(`${url}/entity/${c0}/currentMeter?includeChildren=true&limit=4&page=2`, key);
    expect([...p1.body, ...p2.body].map((r) => r.id)).toEqual(all.body.map((r) => r.id));
    for (const r of all.body) expect(Date.parse(r.timestamp)).toBeLessThanOrEqual(Date.parse(NOW));
  });

  it('serves one device meter history, paged, and the read most recent prior to a date', async () => {
    const d = sb.world.fleet.device(0);
    const base = `${url}/entity/${d.entityId}/device/${d.id}/meter`;
    const q = 'start=2025-03-01T00:00:00Z&end=2025-03-31T23:59:59Z';
    const all = await get<MeterRead[]>(`${base}?${q}&limit=1000`, key);
    expect(all.body.length).toBeGreaterThan(20);
    const first = await get<MeterRead[]>(`${base}?${q}`, key);
    expect(first.body.length).toBe(Math.min(100, all.body.length));
    const p2 = await get<MeterRead[]>(`${base}?${q}&limit=10&page=2`, key);
    expect(p2.body.map((r) => r.id)).toEqual(all.body.slice(10, 20).map((r) => r.id));
    expect((await get(`${base}?start=2025-03-01T00:00:00Z`, key)).status).toBe(400);

    const target = all.body[5];
    const prior = await get<MeterRead[]>(`${base}/mostRecentPriorTo?date=${encodeURIComponent(target.timestamp)}`, key);
    expect(prior.body).toEqual([target]);
    const justBefore = new Date(Date.parse(target.timestamp) - 1).toISOString();
    const earlier = await get<MeterRead[]>(`${base}/mostRecentPriorTo?date=${justBefore}`, key);
    expect(earlier.body).toEqual([all.body[4]]);
    expect((await get<MeterRead[]>(`${base}/mostRecentPriorTo?date=2024-06-01T00:00:00Z`, key)).body).toEqual([]);
    expect((await get(`${base}/mostRecentPriorTo`, key)).status).toBe(400);
    // The device belongs to one entity; asking through another is 404.
    const other = sb.printtracker.customerEntityIds[1];
    expect((await get(`${url}/entity/${other}/device/${d.id}/meter?${q}`, key)).status).toBe(404);
  });

  it('shows a replaced device counter dropping to near zero', async () => {
    const d = sb.world.fleet.device(1);
    const r = await get<MeterRead[]>(`${url}/entity/${d.entityId}/device/${d.id}/meter?start=2025-01-15T00:00:00Z&end=2025-01-28T00:00:00Z`, key);
    const counts = r.body.map((x) => lifetimeCount(x)!);
    const drop = counts.findIndex((c, k) => k > 0 && c < counts[k - 1]);
    expect(drop).toBeGreaterThan(0);
    expect(counts[drop]).toBeLessThan(10_000);
    expect(counts[drop - 1]).toBeGreaterThan(20_000);
  });

  it('hides a late read until it arrives, then serves it under its own timestamp', async () => {
    const w = sb.world;
    let late: { index: number; t: number; visibleAt: number } | undefined;
    for (let i = 0; i < 24 && !late; i++) {
      const d = w.fleet.device(i);
      for (const r of w.readings.between(d, Date.parse('2025-03-01'), Date.parse('2025-04-01'), Date.parse(NOW))) {
        if (r.visibleAt > r.t) {
          late = { index: i, t: r.t, visibleAt: r.visibleAt };
          break;
        }
      }
    }
    expect(late).toBeDefined();
    const d = w.fleet.device(late!.index);
    const q = `${url}/entity/${d.entityId}/device/${d.id}/meter?start=${new Date(late!.t - 1).toISOString()}&end=${new Date(late!.t + 1).toISOString()}`;
    try {
      w.setNow(late!.visibleAt - 1000);
      expect((await get<MeterRead[]>(q, key)).body).toEqual([]);
      w.setNow(late!.visibleAt);
      const seen = await get<MeterRead[]>(q, key);
      expect(seen.body.map((r) => Date.parse(r.timestamp))).toEqual([late!.t]);
    } finally {
      w.setNow(NOW);
    }
  });
});

describe('Print Tracker truth', () => {
  it('equals what a correct collector deposits from the served reads, for every customer and scope', async () => {
    for (const c of sb.printtracker.customerEntityIds) {
      const ids = await subtreeIds(c);
      const reads = await allReads(ids);
      const deposits = dailyDeposits(reads);
      const truth = await get<TruthRow[]>(`${sb.printtracker.url}/__sandbox/truth?entity=${c}&start=2025-01-01&end=2025-04-15`);
      expect(truth.status).toBe(200);
      expect(truth.body).toHaveLength(105);
      let pages = 0;
      for (const row of truth.body) {
        expect(row.pages, `${c} ${row.date}`).toBe(deposits.get(row.date) ?? 0);
        pages += row.pages;
      }
      expect(pages).toBeGreaterThan(0);
    }
    const managedIds = (await get<DeviceBody[]>(`${url}/entity/${c0}/device?includeChildren=true&excludeDisabled=true`, key)).body.map((d) => d.id);
    const reads = (await allReads(await subtreeIds(c0))).filter((r) => managedIds.includes(r.deviceKey));
    const deposits = dailyDeposits(reads);
    const truth = await get<TruthRow[]>(`${sb.printtracker.url}/__sandbox/truth?entity=${c0}&start=2025-01-01&end=2025-04-15&scope=managed_only`);
    for (const row of truth.body) expect(row.pages).toBe(deposits.get(row.date) ?? 0);
  });

  it('covers the dealer subtree and validates its parameters', async () => {
    const dealer = await get<TruthRow[]>(`${sb.printtracker.url}/__sandbox/truth?entity=${sb.printtracker.dealerEntityId}&start=2025-03-01&end=2025-03-07`);
    let sum = 0;
    for (const c of sb.printtracker.customerEntityIds) {
      const t = await get<TruthRow[]>(`${sb.printtracker.url}/__sandbox/truth?entity=${c}&start=2025-03-01&end=2025-03-07`);
      sum += t.body.reduce((a, r) => a + r.pages, 0);
    }
    expect(dealer.body.reduce((a, r) => a + r.pages, 0)).toBe(sum);
    expect((await get(`${sb.printtracker.url}/__sandbox/truth?entity=${c0}&start=2025-03-01`)).status).toBe(400);
    expect((await get(`${sb.printtracker.url}/__sandbox/truth?entity=${c0}&start=2025-03-01&end=2025-03-02&scope=some`)).status).toBe(400);
    expect((await get(`${sb.printtracker.url}/__sandbox/truth?entity=ffffffffffffffffffffffff&start=2025-03-01&end=2025-03-02`)).status).toBe(404);
  });

  it('lists the anomalies of a customer under /__sandbox/facts', async () => {
    const facts = await get<{ devices: { replacedAt: string | null; managed: boolean }[]; staleDays: string[]; stoppedReportingOn: string | null }>(
      `${sb.printtracker.url}/__sandbox/facts?entity=${c0}`);
    expect(facts.body.devices.some((d) => d.replacedAt !== null)).toBe(true);
    expect(facts.body.devices.some((d) => !d.managed)).toBe(true);
    const stopped = await get<{ stoppedReportingOn: string }>(`${sb.printtracker.url}/__sandbox/facts?entity=${sb.printtracker.customerEntityIds[2]}`);
    expect(stopped.body.stoppedReportingOn).toBe('2025-02-15');
  });
});
