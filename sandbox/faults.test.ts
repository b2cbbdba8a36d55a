// Fault knobs and request stats over HTTP: latency, 5xx, 429, hangs, resets mid-body, the chaos mix, outages, wrong credentials, counting.

import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, NO_FAULTS } from './faults.ts';
import { startSandbox, type Sandbox } from './server.ts';
import { get, send } from './testing/http.ts';

const NOW = Date.parse('2025-04-15T10:00:00Z');
let sb: Sandbox;
let entityUrl: string;
let key: Record<string, string>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW, customers: 2, devicesPerCustomer: 2 });
  entityUrl = `${sb.printtracker.url}/v1/entity/${sb.printtracker.customerEntityIds[0]}`;
  key = { 'x-api-key': sb.printtracker.apiKey };
});
afterAll(() => sb.close());
afterEach(async () => {
  for (const u of [sb.printtracker.url, sb.pharos.url, sb.printix.url]) await send('DELETE', `${u}/__sandbox/faults`, undefined);
  sb.world.setNow(NOW);
});

const setFaults = async (base: string, patch: unknown) => {
  const r = await send('POST', `${base}/__sandbox/faults`, patch);
  expect(r.status).toBe(200);
  return r.body;
};

describe('fault knobs', () => {
  it('shows, changes, validates and clears the knobs', async () => {
    const before = await get<Record<string, unknown>>(`${sb.printtracker.url}/__sandbox/faults`);
    expect(before.body).toEqual({ latencyMs: 0, errorRate: 0, rateLimitRate: 0, retryAfterSeconds: 1, hangRate: 0, hangMs: 0, resetRate: 0, chaosRate: 0, outage: null, wrongCredentials: false });
    await setFaults(sb.printtracker.url, { errorRate: 0.5 });
    expect((await get<{ errorRate: number }>(`${sb.printtracker.url}/__sandbox/faults`)).body.errorRate).toBe(0.5);
    expect((await get<{ errorRate: number }>(`${sb.pharos.url}/__sandbox/faults`)).body.errorRate).toBe(0);
    expect((await send('POST', `${sb.printtracker.url}/__sandbox/faults`, { errorRate: 2 })).status).toBe(400);
    expect((await send('POST', `${sb.printtracker.url}/__sandbox/faults`, { nonsense: 1 })).status).toBe(400);
    await send('DELETE', `${sb.printtracker.url}/__sandbox/faults`, undefined);
    expect((await get<{ errorRate: number }>(`${sb.printtracker.url}/__sandbox/faults`)).body.errorRate).toBe(0);
  });

  it('adds latency', async () => {
    await setFaults(sb.printtracker.url, { latencyMs: 150 });
    const t0 = performance.now();
    expect((await get(entityUrl, key)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });

  it('answers a share of requests with 5xx, deterministically from the seed', async () => {
    await setFaults(sb.printtracker.url, { errorRate: 0.3 });
    const statuses: number[] = [];
    for (let i = 0; i < 120; i++) statuses.push((await get(entityUrl, key)).status);
    const failed = statuses.filter((s) => s >= 500);
    for (const s of failed) expect([500, 502, 503]).toContain(s);
    expect(failed.length).toBeGreaterThan(20);
    expect(failed.length).toBeLessThan(60);
    expect(statuses.filter((s) => s === 200).length).toBe(120 - failed.length);

    const twin = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW, customers: 2, devicesPerCustomer: 2, faults: { printtracker: { errorRate: 0.3 } } });
    try {
      const again: number[] = [];
      for (let i = 0; i < 120; i++) {
        again.push((await get(`${twin.printtracker.url}/v1/entity/${twin.printtracker.customerEntityIds[0]}`, { 'x-api-key': twin.printtracker.apiKey })).status);
      }
      expect(again).toEqual(statuses);
    } finally {
      await twin.close();
    }
  });

  it('answers 429 with Retry-After', async () => {
    await setFaults(sb.pharos.url, { rateLimitRate: 1, retryAfterSeconds: 7 });
    const r = await get(`${sb.pharos.url}/ReportApi/Reports/Meters`, { authorization: `bearer ${sb.pharos.tenants[0].key}` });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
  });

  it('hangs without answering, or answers after hangMs', async () => {
    await setFaults(sb.printtracker.url, { hangRate: 1, hangMs: 0 });
    const t0 = performance.now();
    await expect(get(entityUrl, key, AbortSignal.timeout(300))).rejects.toThrow();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    await setFaults(sb.printtracker.url, { hangRate: 1, hangMs: 250 });
    const t1 = performance.now();
    expect((await get(entityUrl, key)).status).toBe(200);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(245);
  });

  it('resets a share of connections mid-body: a status, full Content-Length, part of the body, then the socket closes', async () => {
    await setFaults(sb.printtracker.url, { resetRate: 1 });
    const whole = (await get<unknown[]>(`${entityUrl}/meter?start=2025-04-01T00:00:00Z&end=2025-04-10T00:00:00Z`, { ...key }).catch(() => null));
    expect(whole).toBeNull();
    const cut = await rawGet(`${entityUrl}/meter?start=2025-04-01T00:00:00Z&end=2025-04-10T00:00:00Z`, key);
    expect(cut.status).toBe(200);
    expect(cut.aborted).toBe(true);
    expect(cut.received).toBeGreaterThan(0);
    expect(cut.received).toBeLessThan(cut.contentLength);
    await send('DELETE', `${sb.printtracker.url}/__sandbox/faults`, undefined);
    const full = await rawGet(`${entityUrl}/meter?start=2025-04-01T00:00:00Z&end=2025-04-10T00:00:00Z`, key);
    expect(full).toMatchObject({ status: 200, aborted: false, received: full.contentLength });
    const stats = await get<{ routes: Record<string, Record<string, number>> }>(`${sb.printtracker.url}/__sandbox/stats`);
    expect(stats.body.routes['GET /v1/entity/:id/meter'].truncated).toBeGreaterThanOrEqual(2);
  });

  it('mixes 5xx, 429, hangs and mid-body resets at chaosRate, the same sequence for the same seed', () => {
    const kinds = (seed: number) => {
      const injector = new FaultInjector(seed, 'printtracker', { ...NO_FAULTS, chaosRate: 0.2 });
      return Array.from({ length: 2000 }, () => {
        const d = injector.decide(NOW);
        return d.kind === 'status' ? String(d.status) : d.kind;
      });
    };
    const seq = kinds(7);
    const count = (o: string) => seq.filter((x) => x === o).length;
    const faulted = 2000 - count('pass');
    expect(faulted).toBeGreaterThan(340);
    expect(faulted).toBeLessThan(460);
    for (const k of ['429', 'hang', 'truncate']) expect(count(k)).toBeGreaterThan(60);
    expect(count('500') + count('502') + count('503')).toBeGreaterThan(60);
    expect(kinds(7)).toEqual(seq);
    expect(kinds(8)).not.toEqual(seq);
  });

  it('serves the chaos mix over HTTP: every faulted answer is a 5xx, a 429, a cut body or none at all', async () => {
    await send('DELETE', `${sb.printtracker.url}/__sandbox/stats`, undefined);
    await setFaults(sb.printtracker.url, { chaosRate: 1 });
    // All at once, each given up after a second: a hang never answers, so nothing here waits on it.
    const seen = await Promise.all(Array.from({ length: 40 }, () => rawGet(entityUrl, key, 1_000)));
    for (const r of seen) {
      if (r.hung) continue;
      if (r.aborted) expect(r.received).toBeLessThan(r.contentLength);
      else expect([429, 500, 502, 503]).toContain(r.status);
    }
    const stats = await get<{ total: number; routes: Record<string, Record<string, number>> }>(`${sb.printtracker.url}/__sandbox/stats`);
    const byOutcome = stats.body.routes['GET /v1/entity/:id'];
    expect(stats.body.total).toBe(40);
    expect(byOutcome['200'] ?? 0).toBe(0);
    for (const k of ['429', 'hang', 'truncated']) expect(byOutcome[k], k).toBeGreaterThan(0);
  });

  it('fails everything during an outage window on the world clock: 503 or connection reset', async () => {
    await setFaults(sb.printtracker.url, { outage: { from: new Date(NOW + 3_600_000).toISOString(), until: new Date(NOW + 7_200_000).toISOString(), mode: '503' } });
    expect((await get(entityUrl, key)).status).toBe(200);
    sb.world.setNow(NOW + 5_000_000);
    expect((await get(entityUrl, key)).status).toBe(503);
    sb.world.setNow(NOW + 7_200_000);
    expect((await get(entityUrl, key)).status).toBe(200);
    await setFaults(sb.printtracker.url, { outage: { mode: 'reset' } });
    await expect(get(entityUrl, key)).rejects.toThrow();
    // Control routes keep answering during an outage.
    expect((await get(`${sb.printtracker.url}/__sandbox/faults`)).status).toBe(200);
  });

  it('rejects every credential in wrong-credential mode', async () => {
    await setFaults(sb.printtracker.url, { wrongCredentials: true });
    await setFaults(sb.pharos.url, { wrongCredentials: true });
    await setFaults(sb.printix.url, { wrongCredentials: true });
    expect((await get(entityUrl, key)).status).toBe(401);
    expect((await get(`${sb.pharos.url}/ReportApi/Reports/Meters`, { authorization: `bearer ${sb.pharos.tenants[0].key}` })).status).toBe(401);
    const t = await send('POST', `${sb.printix.url}/oauth/token`, new URLSearchParams({ grant_type: 'client_credentials', client_id: sb.printix.clientId, client_secret: sb.printix.clientSecret }));
    expect(t.status).toBe(401);
  });
});

describe('request stats', () => {
  it('counts requests by route template and outcome, and resets', async () => {
    await send('DELETE', `${sb.printtracker.url}/__sandbox/stats`, undefined);
    await get(entityUrl, key);
    await get(entityUrl, key);
    await get(entityUrl);
    await get(`${entityUrl}/meter?start=2025-01-01T00:00:00Z&end=2025-01-02T00:00:00Z`, key);
    await get(`${sb.printtracker.url}/nowhere`, key);
    await setFaults(sb.printtracker.url, { hangRate: 1 });
    await get(entityUrl, key, AbortSignal.timeout(100)).catch(() => undefined);
    const stats = await get<{ total: number; routes: Record<string, Record<string, number>> }>(`${sb.printtracker.url}/__sandbox/stats`);
    expect(stats.body.routes['GET /v1/entity/:id']).toEqual({ '200': 2, '401': 1, hang: 1 });
    expect(stats.body.routes['GET /v1/entity/:id/meter']).toEqual({ '200': 1 });
    expect(stats.body.routes['GET (unmatched)']).toEqual({ '404': 1 });
    expect(stats.body.total).toBe(6);
    await send('DELETE', `${sb.printtracker.url}/__sandbox/stats`, undefined);
    expect((await get<{ total: number }>(`${sb.printtracker.url}/__sandbox/stats`)).body.total).toBe(0);
  });
});

/** One GET over node:http, reporting what arrived: status, declared length, bytes received, and whether the body was cut or nothing came. */
function rawGet(url: string, headers: Record<string, string>, hangAfterMs = 30_000) {
  return new Promise<{ status: number; contentLength: number; received: number; aborted: boolean; hung: boolean }>((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let received = 0;
      const contentLength = Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentLength, received, aborted: received < contentLength, hung: false }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, contentLength, received, aborted: true, hung: false }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, contentLength, received, aborted: true, hung: false }));
    });
    // No answer at all within the bound: a hang (the sandbox never answers it).
    req.setTimeout(hangAfterMs, () => {
      req.destroy();
      resolve({ status: 0, contentLength: 0, received: 0, aborted: false, hung: true });
    });
    req.on('error', (e) => reject(e));
  });
}
