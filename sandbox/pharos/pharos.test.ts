// Pharos Cloud simulator over HTTP: bearer keys per tenant, report rows, print jobs that match the truth.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../server.ts';
import { get } from '../testing/http.ts';

const NOW = '2025-04-15T10:00:00Z';
let sb: Sandbox;
let base: string;
let auth: (k?: number) => Record<string, string>;

interface JobRow { JobId: string; PrintedAt: string; UserName: string; DeviceId: string; SerialNumber: string; Pages: number; Sheets: number; Color: boolean; Duplex: boolean; PaperSize: string }
interface MonthlyRow { Month: string; UserName: string; Jobs: number; Pages: number; Sheets: number; ColorPages: number; DuplexPages: number }
interface TruthRow { date: string; pages: number; printed: number }

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW, customers: 3 });
  base = `${sb.pharos.url}/ReportApi/Reports`;
  auth = (k = 0) => ({ authorization: `bearer ${sb.pharos.tenants[k].key}` });
});
afterAll(() => sb.close());

describe('Pharos auth', () => {
  it('answers 401 without a key, with a wrong key or with another scheme', async () => {
    const wrong = sb.pharos.tenants[0].key.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const attempts: Record<string, string>[] = [{}, { authorization: `bearer ${wrong}` }, { authorization: `Basic ${sb.pharos.tenants[0].key}` }];
    for (const headers of attempts) {
      const r = await get<{ Message: string }>(`${base}/Meters`, headers);
      expect(r.status).toBe(401);
      expect(r.body.Message).toMatch(/denied/);
    }
    expect((await get(`${base}/Meters`, { authorization: `Bearer ${sb.pharos.tenants[0].key}` })).status).toBe(200);
  });

  it('follows the documented paths exactly', async () => {
    expect((await get(`${sb.pharos.url}/reportapi/reports/meters`, auth())).status).toBe(404);
    expect((await get(`${sb.pharos.url}/Reports/Meters`, auth())).status).toBe(404);
  });
});

describe('Pharos reports', () => {
  it('shows each tenant only its own devices, with the same counters Print Tracker serves', async () => {
    const meters = await get<{ SerialNumber: string; TotalCount: number; LastReadingTime: string }[]>(`${base}/Meters`, auth(1));
    const devices = sb.world.devicesUnder(sb.world.fleet.customer(1), 'all');
    expect(meters.body.map((m) => m.SerialNumber).sort()).toEqual(devices.map((d) => d.serialNumber).sort());
    const key = { 'x-api-key': sb.printtracker.apiKey };
    const ids = sb.printtracker.customerEntityIds[1];
    const current = await get<{ deviceKey: string; pageCounts: { life?: { total: { value: string } }; default: { total: { value: string } } } }[]>(
      `${sb.printtracker.url}/v1/entity/${ids}/currentMeter?includeChildren=true`, key);
    for (const r of current.body) {
      const d = devices.find((x) => x.id === r.deviceKey)!;
      const m = meters.body.find((x) => x.SerialNumber === d.serialNumber)!;
      expect(String(m.TotalCount)).toBe((r.pageCounts.life ?? r.pageCounts.default).total.value);
    }
  });

  it('serves status and toner rows per device', async () => {
    const status = await get<{ Status: string; SerialNumber: string }[]>(`${base}/Status`, auth());
    expect(status.body).toHaveLength(6);
    for (const s of status.body) expect(['Online', 'Offline', 'Warning']).toContain(s.Status);
    const stopped = await get<{ Status: string }[]>(`${base}/Status`, auth(2));
    expect(stopped.body.every((s) => s.Status === 'Offline')).toBe(true);
    const toner = await get<{ Color: string; LevelPercent: number }[]>(`${base}/Toner`, auth());
    expect(toner.body.length).toBeGreaterThanOrEqual(6);
    for (const t of toner.body) {
      expect(['Black', 'Cyan', 'Magenta', 'Yellow']).toContain(t.Color);
      expect(t.LevelPercent).toBeGreaterThanOrEqual(1);
      expect(t.LevelPercent).toBeLessThanOrEqual(100);
    }
  });

  it('serves print jobs whose daily pages equal the truth, which equals printed', async () => {
    const jobs = await get<JobRow[]>(`${base}/PrintJobs/2025-03-01/2025-03-31`, auth());
    expect(jobs.status).toBe(200);
    expect(jobs.body.length).toBeGreaterThan(100);
    const perDay = new Map<string, number>();
    for (const j of jobs.body) {
      expect(j.Pages).toBeGreaterThan(0);
      expect(j.Sheets).toBe(j.Duplex ? Math.ceil(j.Pages / 2) : j.Pages);
      expect(['Letter', 'Legal', 'Tabloid', 'A4', 'A3']).toContain(j.PaperSize);
      perDay.set(j.PrintedAt.slice(0, 10), (perDay.get(j.PrintedAt.slice(0, 10)) ?? 0) + j.Pages);
    }
    const times = jobs.body.map((j) => j.PrintedAt);
    expect(times).toEqual([...times].sort());
    expect(times[0] >= '2025-03-01' && times.at(-1)! < '2025-04-01').toBe(true);
    const truth = await get<TruthRow[]>(`${sb.pharos.url}/__sandbox/truth?tenant=${sb.pharos.tenants[0].key}&start=2025-03-01&end=2025-03-31`);
    expect(truth.body).toHaveLength(31);
    for (const row of truth.body) {
      expect(row.pages).toBe(row.printed);
      expect(row.pages).toBe(perDay.get(row.date) ?? 0);
    }
    // The same world: Pharos's exact pages are what Print Tracker's truth says was printed.
    const pt = await get<TruthRow[]>(`${sb.printtracker.url}/__sandbox/truth?entity=${sb.printtracker.customerEntityIds[0]}&start=2025-03-01&end=2025-03-31`);
    expect(pt.body.map((r) => r.printed)).toEqual(truth.body.map((r) => r.printed));
  });

  it('serves today only up to now and nothing in the future', async () => {
    const today = await get<JobRow[]>(`${base}/PrintJobs/2025-04-15/2025-04-20`, auth());
    for (const j of today.body) expect(Date.parse(j.PrintedAt)).toBeLessThanOrEqual(Date.parse(NOW));
    const truth = await get<TruthRow[]>(`${sb.pharos.url}/__sandbox/truth?tenant=${sb.pharos.tenants[0].key}&start=2025-04-15&end=2025-04-16`);
    expect(truth.body[0].pages).toBe(today.body.reduce((a, j) => a + j.Pages, 0));
    expect(truth.body[1].pages).toBe(0);
  });

  it('aggregates monthly print data per month and user', async () => {
    const monthly = await get<MonthlyRow[]>(`${base}/MonthlyPrintJobs/2025-02/2025-03`, auth());
    const jobs = await get<JobRow[]>(`${base}/PrintJobs/2025-02-01/2025-03-31`, auth());
    expect(new Set(monthly.body.map((r) => r.Month))).toEqual(new Set(['2025-02', '2025-03']));
    const total = (rows: { Pages: number }[]) => rows.reduce((a, r) => a + r.Pages, 0);
    expect(total(monthly.body)).toBe(total(jobs.body));
    expect(monthly.body.reduce((a, r) => a + r.Jobs, 0)).toBe(jobs.body.length);
    const alex = monthly.body[0];
    const hers = jobs.body.filter((j) => j.UserName === alex.UserName && j.PrintedAt.startsWith(alex.Month));
    expect(alex.Pages).toBe(total(hers));
    expect(alex.Sheets).toBe(hers.reduce((a, j) => a + j.Sheets, 0));
  });

  it('rejects malformed ranges', async () => {
    expect((await get(`${base}/PrintJobs/2025-04/2025-05`, auth())).status).toBe(400);
    expect((await get(`${base}/PrintJobs/2025-03-10/2025-03-01`, auth())).status).toBe(400);
    expect((await get(`${base}/MonthlyPrintJobs/2025-04-01/2025-05-01`, auth())).status).toBe(400);
    expect((await get(`${base}/MonthlyPrintJobs/2025-13/2025-14`, auth())).status).toBe(400);
    expect((await get(`${sb.pharos.url}/__sandbox/truth?tenant=nope&start=2025-03-01&end=2025-03-02`)).status).toBe(404);
  });
});
