// startSandbox as a whole: the same seed gives the same bytes, another seed another world; clock control; clean close.

import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './server.ts';
import { get, send } from './testing/http.ts';

const NOW = '2025-04-15T10:00:00Z';

async function sample(sb: Sandbox): Promise<string[]> {
  const pt = sb.printtracker;
  const key = { 'x-api-key': pt.apiKey };
  const c = pt.customerEntityIds[1];
  const urls = [
    `${pt.url}/v1/entity/${pt.dealerEntityId}?includeChildren=true`,
    `${pt.url}/v1/entity/${c}/device?includeChildren=true`,
    `${pt.url}/v1/entity/${c}/meter?start=2025-03-01T00:00:00Z&end=2025-03-15T00:00:00Z`,
    `${pt.url}/v1/entity/${c}/currentMeter?includeChildren=true`,
    `${pt.url}/__sandbox/truth?entity=${c}&start=2025-01-01&end=2025-04-15`,
  ];
  const out: string[] = [];
  for (const u of urls) out.push((await get(u, key)).text);
  const ph = { authorization: `bearer ${sb.pharos.tenants[1].key}` };
  for (const p of ['Meters', 'Status', 'Toner', 'PrintJobs/2025-03-01/2025-03-03', 'MonthlyPrintJobs/2025-01/2025-02']) {
    out.push((await get(`${sb.pharos.url}/ReportApi/Reports/${p}`, ph)).text);
  }
  const tok = await send<{ access_token: string }>('POST', `${sb.printix.url}/oauth/token`, new URLSearchParams({ grant_type: 'client_credentials', client_id: sb.printix.clientId, client_secret: sb.printix.clientSecret }));
  out.push(JSON.stringify(tok.body));
  const tenants = await get(`${sb.printix.url}/public/partners/${sb.printix.partnerId}/tenants`, { authorization: `Bearer ${tok.body.access_token}` });
  out.push(tenants.text.replaceAll(sb.printix.url, 'BASE'));
  return out;
}

describe('sandbox', () => {
  it('serves the same bytes for the same seed and different ones for another seed', async () => {
    const opts = { start: '2025-01-01', now: NOW, customers: 3 };
    const [a, b, c] = await Promise.all([startSandbox({ ...opts, seed: 7 }), startSandbox({ ...opts, seed: 7 }), startSandbox({ ...opts, seed: 8 })]);
    try {
      const [sa, sb2, sc] = [await sample(a), await sample(b), await sample(c)];
      expect(sa).toEqual(sb2);
      const withoutUrls = (s: Sandbox) => JSON.stringify(s.info()).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'BASE');
      expect(withoutUrls(a)).toBe(withoutUrls(b));
      expect(withoutUrls(a)).not.toBe(withoutUrls(c));
      sa.forEach((text, i) => expect(text, `request ${i}`).not.toBe(sc[i]));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('describes itself with the credential shapes connectors expect', async () => {
    const sb = await startSandbox({ seed: 7, now: NOW, customers: 3 });
    try {
      const info = sb.info();
      expect(info.printtracker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.printtracker.apiKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(info.printtracker.dealerEntityId).toMatch(/^[0-9a-f]{24}$/);
      expect(info.printtracker.customerEntityIds).toHaveLength(3);
      expect(info.pharos.tenants).toHaveLength(3);
      for (const t of info.pharos.tenants) expect(t.key).toMatch(/^[0-9a-f]{64}$/);
      expect(info.printix.partnerId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sb.world.options.start).toBe('2024-01-01');
    } finally {
      await sb.close();
    }
  });

  it('moves the world clock through /__sandbox/clock', async () => {
    const sb = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW });
    try {
      expect((await get<{ now: string }>(`${sb.pharos.url}/__sandbox/clock`)).body.now).toBe('2025-04-15T10:00:00.000Z');
      await send('POST', `${sb.printtracker.url}/__sandbox/clock`, { advanceSeconds: 86_400 });
      expect((await get<{ now: string }>(`${sb.printix.url}/__sandbox/clock`)).body.now).toBe('2025-04-16T10:00:00.000Z');
      await send('POST', `${sb.printtracker.url}/__sandbox/clock`, { now: '2025-05-01T00:00:00Z' });
      expect(sb.world.now()).toBe(Date.parse('2025-05-01T00:00:00Z'));
      expect((await send('POST', `${sb.printtracker.url}/__sandbox/clock`, { now: 'tomorrow' })).status).toBe(400);
    } finally {
      await sb.close();
    }
  });

  it('closes even with a request hanging', async () => {
    const sb = await startSandbox({ seed: 7, now: NOW, faults: { all: { hangRate: 1 } } });
    const pending = get(`${sb.printtracker.url}/v1/entity/${sb.printtracker.dealerEntityId}`, { 'x-api-key': sb.printtracker.apiKey }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await sb.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
