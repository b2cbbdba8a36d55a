// Variants over HTTP: each switch changes what is served as documented, and a correct collector still deposits exactly the truth.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './server.ts';
import { collectPrintTracker, lifetimeCounter, type Anomaly, type MeterRead } from './testing/collector.ts';
import { get, send, type Got } from './testing/http.ts';
import { pharosDailyPages } from './testing/pharos.ts';
import { DEFAULT_VARIANTS, PRIOR_TO_STYLES, type VariantPatch } from './variants.ts';

const NOW = '2025-04-15T10:00:00Z';
const START = '2025-02-01';
const END = '2025-04-15';
const SCOPES = ['all', 'managed_only'] as const;

let sb: Sandbox;
let api: string;
let key: Record<string, string>;
let c0: string;

interface TruthRow { date: string; pages: number; printed: number }
interface DeviceBody { id: string; entityKey: string; installKeys: string[]; isLocal: boolean; ipAddress: string; managed?: boolean }
interface DeviceFacts { id: string; hasTotal: boolean; installKeys: string[]; unreadableReads: { id: string; timestamp: string }[] }

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW, customers: 4 });
  api = `${sb.printtracker.url}/v1`;
  key = { 'x-api-key': sb.printtracker.apiKey };
  c0 = sb.printtracker.customerEntityIds[0];
});
afterAll(() => sb.close());
afterEach(async () => {
  await send('DELETE', `${sb.printtracker.url}/__sandbox/variants`, undefined);
  await send('DELETE', `${sb.printix.url}/__sandbox/faults`, undefined);
  for (const u of [sb.printtracker.url, sb.pharos.url]) await send('DELETE', `${u}/__sandbox/faults`, undefined);
});

const setVariants = async (patch: VariantPatch) => {
  const r = await send('POST', `${sb.pharos.url}/__sandbox/variants`, patch);
  expect(r.status, r.text).toBe(200);
};

const truth = async (entityId: string, scope: string, start = START, end = END) =>
  (await get<TruthRow[]>(`${sb.printtracker.url}/__sandbox/truth?entity=${entityId}&start=${start}&end=${end}&scope=${scope}`)).body;

/** Runs the reference collector for every customer in both scopes and expects its deposits to be the truth, day by day. */
async function expectDepositsEqualTruth(label: string, customers = sb.printtracker.customerEntityIds, start = START, end = END): Promise<Anomaly[]> {
  const anomalies: Anomaly[] = [];
  let total = 0;
  for (const entityId of customers) {
    for (const scope of SCOPES) {
      const got = await collectPrintTracker({ url: sb.printtracker.url, apiKey: sb.printtracker.apiKey, entityId, start, end, scope });
      const rows = await truth(entityId, scope, start, end);
      expect(rows.map((r) => `${r.date} ${got.deposits.get(r.date) ?? 0}`), `${label}: ${entityId} ${scope}`).toEqual(rows.map((r) => `${r.date} ${r.pages}`));
      expect([...got.deposits.keys()].every((d) => d >= start && d <= end)).toBe(true);
      total += rows.reduce((a, r) => a + r.pages, 0);
      anomalies.push(...got.anomalies);
    }
  }
  expect(total).toBeGreaterThan(0);
  return anomalies;
}

const meter = async (entityId: string, start = '2025-03-03T00:00:00Z', end = '2025-03-10T00:00:00Z') => {
  const r = await get<MeterRead[]>(`${api}/entity/${entityId}/meter?start=${start}&end=${end}`, key);
  expect(r.status).toBe(200);
  return r.body;
};

const subtree = async (entityId: string) =>
  (await get<{ children: { id: string }[] }>(`${api}/entity/${entityId}?includeChildren=true`, key)).body.children.map((c) => c.id);

const facts = async (entityId: string) => (await get<{ devices: DeviceFacts[] }>(`${sb.printtracker.url}/__sandbox/facts?entity=${entityId}`)).body;

describe('variant settings', () => {
  it('default to the sandbox first guesses, merge patches on any port, validate and reset', async () => {
    expect((await get(`${sb.printix.url}/__sandbox/variants`)).body).toEqual(DEFAULT_VARIANTS);
    await setVariants({ printtracker: { shuffle: true }, pharos: { printJobsEnd: 'exclusive' } });
    const shown = await get<typeof DEFAULT_VARIANTS>(`${sb.printtracker.url}/__sandbox/variants`);
    expect(shown.body.printtracker.shuffle).toBe(true);
    expect(shown.body.pharos.printJobsEnd).toBe('exclusive');
    expect(shown.body.printtracker.errorBody).toBe('json');
    expect(sb.world.variants.settings).toEqual(shown.body);
    for (const [patch, field] of [
      [{ printtracker: { shuffle: 'yes' } }, 'printtracker.shuffle'],
      [{ printtracker: { noTotalRate: 1.5 } }, 'printtracker.noTotalRate'],
      [{ printtracker: { mostRecentPriorTo: 'object' } }, 'printtracker.mostRecentPriorTo'],
      [{ printtracker: { nonsense: true } }, 'printtracker.nonsense'],
      [{ pharos: { printJobsRows: 'rows' } }, 'pharos.printJobsRows'],
      [{ nowhere: {} }, 'nowhere'],
    ] as const) {
      const r = await send<{ error: string }>('POST', `${sb.printix.url}/__sandbox/variants`, patch);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    }
    // A refused patch changes nothing.
    expect((await get(`${sb.pharos.url}/__sandbox/variants`)).body).toEqual(shown.body);
    expect((await send('DELETE', `${sb.pharos.url}/__sandbox/variants`, undefined)).body).toEqual(DEFAULT_VARIANTS);
  });

  it('are taken from startSandbox options and refused there when invalid', async () => {
    const other = await startSandbox({ seed: 7, now: NOW, customers: 1, variants: { printix: { separateAuth: true } } });
    try {
      expect((await get<typeof DEFAULT_VARIANTS>(`${other.printix.url}/__sandbox/variants`)).body.printix.separateAuth).toBe(true);
    } finally {
      await other.close();
    }
    await expect(startSandbox({ seed: 7, now: NOW, variants: { pharos: { printJobsEnd: 'sometimes' as 'inclusive' } } })).rejects.toThrow(/^pharos\.printJobsEnd: /);
  });

  it('leave a collector exactly on the truth with every switch at its default', async () => {
    await expectDepositsEqualTruth('defaults');
  });
});

describe('Print Tracker /meter and its children', () => {
  it('serves only the entity own devices by default, and its sites devices too with meterIncludesChildren', async () => {
    const sites = await subtree(c0);
    expect(sites.length).toBe(2);
    expect((await meter(c0)).every((r) => r.entityKey === c0)).toBe(true);
    await setVariants({ printtracker: { meterIncludesChildren: true } });
    const all = await meter(c0);
    expect(new Set(all.map((r) => r.entityKey))).toEqual(new Set([c0, ...sites]));
    const ids = new Set(all.map((r) => r.id));
    for (const site of sites) {
      const own = await meter(site);
      expect(own.length).toBeGreaterThan(0);
      for (const r of own) expect(ids.has(r.id)).toBe(true);
    }
    await expectDepositsEqualTruth('meterIncludesChildren');
  });
});

describe('redundant installs', () => {
  it('report each reading once per install: other id and installKey, same device, timestamp and counters', async () => {
    await setVariants({ printtracker: { redundantInstallsRate: 0.5 } });
    const devices = (await get<DeviceBody[]>(`${api}/entity/${c0}/device`, key)).body;
    expect(devices.length).toBeGreaterThan(0);
    for (const d of devices) expect(d.installKeys).toHaveLength(3);
    const reads = await meter(c0);
    const byReading = new Map<string, MeterRead[]>();
    for (const r of reads) byReading.set(`${r.deviceKey} ${r.timestamp}`, [...(byReading.get(`${r.deviceKey} ${r.timestamp}`) ?? []), r]);
    for (const copies of byReading.values()) {
      expect(copies).toHaveLength(3);
      expect(new Set(copies.map((r) => r.id)).size).toBe(3);
      const installs = devices.find((d) => d.id === copies[0].deviceKey)!.installKeys;
      expect(copies.map((r) => r.installKey).sort()).toEqual([...installs].sort());
      for (const r of copies) expect(r.pageCounts).toEqual(copies[0].pageCounts);
    }
    const current = (await get<MeterRead[]>(`${api}/entity/${c0}/currentMeter`, key)).body;
    expect(current).toHaveLength(devices.length * 3);
    const f = await facts(c0);
    for (const d of devices) expect(f.devices.find((x) => x.id === d.id)!.installKeys).toEqual(d.installKeys);
    expect(f.devices.some((x) => x.installKeys.length === 1 || x.installKeys.length === 2)).toBe(true);
    await expectDepositsEqualTruth('redundantInstalls');
  });

  it('can serve the very same read twice in one answer', async () => {
    await setVariants({ printtracker: { repeatedReadsRate: 0.2 } });
    const reads = await meter(c0);
    const seen = new Map<string, MeterRead>();
    let repeats = 0;
    for (const r of reads) {
      const before = seen.get(r.id);
      if (before) {
        repeats++;
        expect(r).toEqual(before);
      }
      seen.set(r.id, r);
    }
    expect(repeats).toBeGreaterThan(0);
    await expectDepositsEqualTruth('repeatedReads');
  });
});

describe('mostRecentPriorTo', () => {
  it('answers in each documented shape, and a collector reading any shape deposits the truth', async () => {
    const d = sb.world.fleet.device(0);
    const base = `${api}/entity/${d.entityId}/device/${d.id}/meter/mostRecentPriorTo`;
    const hit = `${base}?date=2025-03-05T12:00:00.000Z`;
    const miss = `${base}?date=2024-06-01T00:00:00.000Z`;
    const expected = (await get<MeterRead[]>(hit, key)).body;
    expect(expected).toHaveLength(1);
    const shapes: Record<string, (h: Got, m: Got) => void> = {
      array: (h, m) => {
        expect(h.body).toEqual(expected);
        expect([m.status, m.body]).toEqual([200, []]);
      },
      'object-or-404': (h, m) => {
        expect(h.body).toEqual(expected[0]);
        expect(m.status).toBe(404);
      },
      'object-or-empty-array': (h, m) => {
        expect(h.body).toEqual(expected[0]);
        expect([m.status, m.body]).toEqual([200, []]);
      },
      'object-or-null': (h, m) => {
        expect(h.body).toEqual(expected[0]);
        expect([m.status, m.text]).toEqual([200, 'null']);
      },
      'object-or-zero': (h, m) => {
        expect(h.body).toEqual(expected[0]);
        expect(m.status).toBe(200);
        expect(m.body).toMatchObject({ id: '', deviceKey: '', timestamp: '0001-01-01T00:00:00Z', pageCounts: null });
      },
    };
    expect(Object.keys(shapes).sort()).toEqual([...PRIOR_TO_STYLES].sort());
    for (const style of PRIOR_TO_STYLES) {
      await setVariants({ printtracker: { mostRecentPriorTo: style } });
      shapes[style](await get(hit, key), await get(miss, key));
      await expectDepositsEqualTruth(style, sb.printtracker.customerEntityIds.slice(0, 2));
      // From before the first reads: device 3 is first read on 11 January, so it has no baseline.
      await expectDepositsEqualTruth(style, [c0], '2025-01-05', '2025-02-20');
    }
  });
});

describe('devices without a total', () => {
  it('serve black and colour only, list as local, deposit nothing in the truth and are reported as such', async () => {
    const printedBefore = await truth(c0, 'all');
    await setVariants({ printtracker: { noTotalRate: 0.2 } });
    const local = sb.world.fleet.device(5);
    const body = (await get<DeviceBody[]>(`${api}/entity/${local.entityId}/device`, key)).body.find((d) => d.id === local.id)!;
    expect(body.isLocal).toBe(true);
    expect(body.ipAddress).toBe('');
    const reads = (await meter(local.entityId)).filter((r) => r.deviceKey === local.id);
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) {
      expect(Object.keys(r.pageCounts!)).toEqual(['default']);
      expect(Object.keys(r.pageCounts!.default).sort()).toEqual(local.colorShare > 0 ? ['totalBlack', 'totalColor'] : ['totalBlack']);
      expect(lifetimeCounter(r)).toMatchObject({ ok: false, kind: 'missing_total' });
    }
    const f = await facts(c0);
    expect(f.devices.find((x) => x.id === local.id)!.hasTotal).toBe(false);
    expect(f.devices.filter((x) => x.hasTotal).length).toBeGreaterThan(0);

    const after = await truth(c0, 'all');
    expect(after.map((r) => r.printed)).toEqual(printedBefore.map((r) => r.printed));
    const sum = (rows: TruthRow[]) => rows.reduce((a, r) => a + r.pages, 0);
    expect(sum(after)).toBeLessThan(sum(printedBefore));

    const anomalies = await expectDepositsEqualTruth('noTotal');
    expect(anomalies.some((a) => a.kind === 'missing_total' && a.deviceKey === local.id)).toBe(true);
  });
});

describe('unreadable counters', () => {
  it('serve every unknown format, move the pages to the next readable read, and list the reads in the facts', async () => {
    const before = await truth(c0, 'all');
    await setVariants({ printtracker: { unreadableCounterRate: 0.05 } });
    const reads: MeterRead[] = [];
    for (const c of sb.printtracker.customerEntityIds) {
      for (const id of [c, ...await subtree(c)]) reads.push(...await meter(id, '2025-01-01T00:00:00Z', '2025-04-16T00:00:00Z'));
    }
    const lifetime = (r: MeterRead) => (r.pageCounts!.life ?? r.pageCounts!.default).total.value;
    const bad = reads.filter((r) => !lifetimeCounter(r).ok);
    const values = bad.map(lifetime);
    expect(values).toContain('N/A');
    expect(values).toContain('');
    expect(values).toContain('-1');
    expect(values.some((v) => typeof v === 'number')).toBe(true);
    expect(values.some((v) => typeof v === 'string' && /^\d{1,3}(,\d{3})+$/.test(v))).toBe(true);
    expect(values.some((v) => typeof v === 'string' && /^\d+\.\dk$/.test(v))).toBe(true);
    expect(values.some((v) => typeof v === 'string' && /^\d+\.0$/.test(v))).toBe(true);
    expect(bad.length).toBeGreaterThan(20);
    // With a life format, default.total stays readable: it must not stand in for life.total.
    expect(bad.some((r) => r.pageCounts!.life && /^\d+$/.test(String(r.pageCounts!.default.total.value)))).toBe(true);
    // Some reads have an unreadable counter a collector does not use: they still count.
    const decimal = (v: unknown) => typeof v === 'string' && /^\d+$/.test(v);
    const otherOnly = reads.filter((r) => lifetimeCounter(r).ok && !decimal((r.pageCounts!.life ?? r.pageCounts!.default).totalBlack.value));
    expect(otherOnly.length).toBeGreaterThan(0);

    const f = await facts(c0);
    const listed = f.devices.flatMap((d) => d.unreadableReads.map((u) => u.id)).sort();
    const c0Ids = new Set([c0, ...await subtree(c0)]);
    expect(listed).toEqual(bad.filter((r) => c0Ids.has(r.entityKey)).map((r) => r.id).sort());

    const after = await truth(c0, 'all');
    expect(after.map((r) => r.pages)).not.toEqual(before.map((r) => r.pages));
    expect(after.map((r) => r.printed)).toEqual(before.map((r) => r.printed));
    const anomalies = await expectDepositsEqualTruth('unreadableCounters');
    expect(anomalies.filter((a) => a.kind === 'unreadable_counter').length).toBeGreaterThan(0);
  });
});

describe('devices without the managed field', () => {
  it('list no managed field, and excludeDisabled still gives managed_only its truth', async () => {
    await setVariants({ printtracker: { omitManagedField: true } });
    const devices = (await get<DeviceBody[]>(`${api}/entity/${c0}/device?includeChildren=true`, key)).body;
    const managed = (await get<DeviceBody[]>(`${api}/entity/${c0}/device?includeChildren=true&excludeDisabled=true`, key)).body;
    expect(devices.every((d) => !('managed' in d))).toBe(true);
    expect(managed.length).toBeLessThan(devices.length);
    await expectDepositsEqualTruth('omitManagedField');
  });
});

describe('shuffled results', () => {
  it('serve the same items in an order that is not chronological, pages still partitioning listings', async () => {
    const dealer = sb.printtracker.dealerEntityId;
    const site = (await subtree(c0))[0];
    const plain = {
      reads: await meter(c0),
      devices: (await get<DeviceBody[]>(`${api}/entity/${c0}/device?includeChildren=true`, key)).body.map((d) => d.id),
      children: (await get<{ children: { id: string }[] }>(`${api}/entity/${dealer}?includeChildren=true`, key)).body.children.map((c) => c.id),
      jobs: (await get<{ JobId: string; PrintedAt: string }[]>(`${sb.pharos.url}/ReportApi/Reports/PrintJobs/2025-03-03/2025-03-04`, { authorization: `bearer ${sb.pharos.tenants[0].key}` })).body,
    };
    await setVariants({ printtracker: { shuffle: true }, pharos: { shuffle: true } });
    const reads = await meter(c0);
    expect(reads.map((r) => r.id).sort()).toEqual(plain.reads.map((r) => r.id).sort());
    expect(reads.map((r) => r.id)).not.toEqual(plain.reads.map((r) => r.id));
    const times = reads.map((r) => Date.parse(r.timestamp));
    expect(times).not.toEqual([...times].sort((a, b) => a - b));

    const paged: string[] = [];
    for (let page = 1; page <= 2; page++) {
      paged.push(...(await get<DeviceBody[]>(`${api}/entity/${c0}/device?includeChildren=true&limit=4&page=${page}`, key)).body.map((d) => d.id));
    }
    expect([...paged].sort()).toEqual([...plain.devices].sort());
    const devices = (await get<DeviceBody[]>(`${api}/entity/${c0}/device?includeChildren=true`, key)).body.map((d) => d.id);
    expect(devices).not.toEqual(plain.devices);

    const children = (await get<{ children: { id: string }[] }>(`${api}/entity/${dealer}?includeChildren=true`, key)).body.children.map((c) => c.id);
    expect([...children].sort()).toEqual([...plain.children].sort());
    expect(children).not.toEqual(plain.children);
    expect((await get<{ genealogy: string[] }>(`${api}/entity/${site}`, key)).body.genealogy).toEqual([c0, dealer]);

    const jobs = (await get<{ JobId: string; PrintedAt: string }[]>(`${sb.pharos.url}/ReportApi/Reports/PrintJobs/2025-03-03/2025-03-04`, { authorization: `bearer ${sb.pharos.tenants[0].key}` })).body;
    expect(jobs.map((j) => j.JobId).sort()).toEqual(plain.jobs.map((j) => j.JobId).sort());
    expect(jobs.map((j) => j.PrintedAt)).not.toEqual(plain.jobs.map((j) => j.PrintedAt));

    await expectDepositsEqualTruth('shuffle');
  });
});

describe('error bodies', () => {
  const pharosAuth = () => ({ authorization: `bearer ${sb.pharos.tenants[0].key}` });
  const errors = async () => [
    await get(`${api}/entity/${c0}`),
    await get(`${api}/entity/ffffffffffffffffffffffff`, key),
    await get(`${api}/entity/${c0}/meter`, key),
    await get(`${sb.pharos.url}/ReportApi/Reports/Meters`),
    await get(`${sb.pharos.url}/ReportApi/Reports/PrintJobs/2025-03-10/2025-03-01`, pharosAuth()),
  ];

  it('follow the errorBody variant, for injected faults too', async () => {
    const expectations: Record<string, (r: Got, api: 'pt' | 'pharos') => void> = {
      json: (r, which) => {
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        if (which === 'pt') expect(r.body).toEqual({ status: r.status, error: expect.any(String) });
        else expect(r.body).toEqual({ Message: expect.any(String) });
      },
      message: (r) => {
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(r.body).toEqual({ message: expect.any(String) });
      },
      text: (r) => {
        expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(() => JSON.parse(r.text)).toThrow();
        expect(r.text.length).toBeGreaterThan(0);
      },
      html: (r) => {
        expect(r.headers.get('content-type')).toMatch(/^text\/html/);
        expect(r.text).toMatch(new RegExp(`^<!DOCTYPE html>[\\s\\S]*<title>${r.status} `));
      },
    };
    for (const [style, check] of Object.entries(expectations)) {
      await setVariants({ printtracker: { errorBody: style as 'json' }, pharos: { errorBody: style as 'json' } });
      const rs = await errors();
      expect(rs.map((r) => r.status)).toEqual([401, 404, 400, 401, 400]);
      rs.forEach((r, k) => check(r, k < 3 ? 'pt' : 'pharos'));
      for (const u of [sb.printtracker.url, sb.pharos.url]) await send('POST', `${u}/__sandbox/faults`, { errorRate: 1 });
      const faulted = [await get(`${api}/entity/${c0}`, key), await get(`${sb.pharos.url}/ReportApi/Reports/Meters`, pharosAuth())];
      for (const u of [sb.printtracker.url, sb.pharos.url]) await send('DELETE', `${u}/__sandbox/faults`, undefined);
      faulted.forEach((r, k) => {
        expect(r.status).toBeGreaterThanOrEqual(500);
        check(r, k === 0 ? 'pt' : 'pharos');
      });
    }
  });
});

describe('every Print Tracker switch at once', () => {
  it('still leaves a correct collector exactly on the truth', async () => {
    await setVariants({
      printtracker: {
        meterIncludesChildren: true, redundantInstallsRate: 0.5, repeatedReadsRate: 0.1, mostRecentPriorTo: 'object-or-zero',
        noTotalRate: 0.2, unreadableCounterRate: 0.05, omitManagedField: true, shuffle: true, errorBody: 'html',
      },
    });
    const anomalies = await expectDepositsEqualTruth('all switches');
    expect(new Set(anomalies.map((a) => a.kind))).toEqual(new Set(['missing_total', 'unreadable_counter', 'counter_reset']));
  });
});

describe('Pharos PrintJobs', () => {
  const auth = (k = 0) => ({ authorization: `bearer ${sb.pharos.tenants[k].key}` });
  const jobsUrl = (from: string, to: string) => `${sb.pharos.url}/ReportApi/Reports/PrintJobs/${from}/${to}`;

  it('reads the end day as exclusive with printJobsEnd exclusive', async () => {
    const inclusive = (await get(jobsUrl('2025-03-04', '2025-03-04'), auth())).text;
    expect(JSON.parse(inclusive).length).toBeGreaterThan(0);
    await setVariants({ pharos: { printJobsEnd: 'exclusive' } });
    const same = await get(jobsUrl('2025-03-04', '2025-03-04'), auth());
    expect([same.status, same.body]).toEqual([200, []]);
    expect((await get(jobsUrl('2025-03-04', '2025-03-05'), auth())).text).toBe(inclusive);
    expect((await get(jobsUrl('2025-03-05', '2025-03-04'), auth())).status).toBe(400);
  });

  it('serves one summary per user for the range with printJobsRows users', async () => {
    const jobs = (await get<{ UserName: string; Pages: number; Sheets: number; Color: boolean; Duplex: boolean }[]>(jobsUrl('2025-03-03', '2025-03-07'), auth())).body;
    await setVariants({ pharos: { printJobsRows: 'users' } });
    const rows = (await get<Record<string, number | string>[]>(jobsUrl('2025-03-03', '2025-03-07'), auth())).body;
    expect(rows.length).toBe(new Set(jobs.map((j) => j.UserName)).size);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['ColorPages', 'Department', 'DuplexPages', 'FullName', 'Jobs', 'MonoPages', 'Pages', 'Sheets', 'SimplexPages', 'UserName']);
      const mine = jobs.filter((j) => j.UserName === r.UserName);
      expect(r.Jobs).toBe(mine.length);
      expect(r.Pages).toBe(mine.reduce((a, j) => a + j.Pages, 0));
      expect(r.Sheets).toBe(mine.reduce((a, j) => a + j.Sheets, 0));
      expect(r.ColorPages).toBe(mine.filter((j) => j.Color).reduce((a, j) => a + j.Pages, 0));
      expect(r.DuplexPages).toBe(mine.filter((j) => j.Duplex).reduce((a, j) => a + j.Pages, 0));
      expect(Number(r.ColorPages) + Number(r.MonoPages)).toBe(r.Pages);
      expect(Number(r.DuplexPages) + Number(r.SimplexPages)).toBe(r.Pages);
    }
    const names = rows.map((r) => String(r.UserName));
    expect(names).toEqual([...names].sort());
  });

  it('lets a collector find exact daily pages under every reading of the end day and the rows', async () => {
    for (const printJobsEnd of ['inclusive', 'exclusive'] as const) {
      for (const printJobsRows of ['jobs', 'users'] as const) {
        await setVariants({ pharos: { printJobsEnd, printJobsRows, shuffle: printJobsRows === 'jobs' } });
        for (const k of [0, 1, 2]) {
          const tenant = sb.pharos.tenants[k].key;
          const got = await pharosDailyPages(sb.pharos.url, tenant, '2025-03-25', '2025-04-15');
          expect(got.rows).toBe(printJobsRows);
          if (printJobsRows === 'users') expect(got.end).toBe(printJobsEnd);
          const rows = (await get<TruthRow[]>(`${sb.pharos.url}/__sandbox/truth?tenant=${tenant}&start=2025-03-25&end=2025-04-15`)).body;
          expect(rows.map((r) => `${r.date} ${got.pages.get(r.date)}`), `${printJobsEnd} ${printJobsRows} ${k}`).toEqual(rows.map((r) => `${r.date} ${r.pages}`));
        }
      }
    }
  });
});

describe('Printix token endpoint origin', () => {
  const form = () => new URLSearchParams({ grant_type: 'client_credentials', client_id: sb.printix.clientId, client_secret: sb.printix.clientSecret });
  const tenants = (token: string) => get(`${sb.printix.url}/public/partners/${sb.printix.partnerId}/tenants`, { authorization: `Bearer ${token}` });

  it('is served on both origins by default and only on authUrl with separateAuth', async () => {
    expect(sb.printix.authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.printix.authUrl).not.toBe(sb.printix.url);
    expect(sb.info().printix.authUrl).toBe(sb.printix.authUrl);
    expect((await send('POST', `${sb.printix.url}/oauth/token`, form())).status).toBe(200);
    expect((await send('POST', `${sb.printix.authUrl}/oauth/token`, form())).status).toBe(200);

    await setVariants({ printix: { separateAuth: true } });
    expect((await send('POST', `${sb.printix.url}/oauth/token`, form())).status).toBe(404);
    const t = await send<{ access_token: string; refresh_token: string }>('POST', `${sb.printix.authUrl}/oauth/token`, form());
    expect(t.status).toBe(200);
    expect((await tenants(t.body.access_token)).status).toBe(200);
    const refreshed = await send<{ access_token: string }>('POST', `${sb.printix.authUrl}/oauth/token`,
      new URLSearchParams({ grant_type: 'refresh_token', client_id: sb.printix.clientId, refresh_token: t.body.refresh_token }));
    expect(refreshed.status).toBe(200);
    expect((await tenants(refreshed.body.access_token)).status).toBe(200);
    // The API origin serves nothing else there.
    expect((await get(`${sb.printix.authUrl}/public/partners/${sb.printix.partnerId}/tenants`, { authorization: `Bearer ${t.body.access_token}` })).status).toBe(404);
  });

  it('shares the Printix fault knobs with the API origin', async () => {
    await send('POST', `${sb.printix.url}/__sandbox/faults`, { wrongCredentials: true });
    expect((await send('POST', `${sb.printix.authUrl}/oauth/token`, form())).status).toBe(401);
    expect((await get<{ wrongCredentials: boolean }>(`${sb.printix.authUrl}/__sandbox/faults`)).body.wrongCredentials).toBe(true);
  });
});
