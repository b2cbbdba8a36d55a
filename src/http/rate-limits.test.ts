import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';

describe(`rate limits: 429 with Retry-After and {code, error} (${storeName})`, () => {
  let t: TestApp;
  let app: FastifyInstance;
  let customer: { id: string; key: string };
  let certificateId: string;

  beforeAll(async () => {
    t = await createTestApp();
    customer = await t.account('Limited customer', { key: (await t.account('Limited dealer')).key });
    certificateId = (await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 100 } })).id;
    app = await buildApp({
      db: t.db, clock: t.clock.read,
      config: loadConfig({
        CANOPY_RATE_LIMIT_AUTH_FAILURES: '3', CANOPY_RATE_LIMIT_PDF: '2', CANOPY_RATE_LIMIT_PER_KEY: '5',
        CANOPY_TRUSTED_PROXIES: '10.0.0.1', CANOPY_ALLOW_HTTP: '1',
      }),
    });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const call = (url: string, options: InjectOptions = {}) => app.inject({ method: 'GET', url, ...options });
  const limited = (res: { statusCode: number; body: string; headers: Record<string, unknown> }, error: RegExp) => {
    expect(res.statusCode).toBe(429);
    const body = JSON.parse(res.body);
    expect(Object.keys(body).sort()).toEqual(['code', 'error']);
    expect(body.code).toBe(429);
    expect(body.error).toMatch(error);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  it('refuses an address after its failed authentications, even with a right key; other addresses go on', async () => {
    const from = (remoteAddress: string, key: string) => call('/v1/account', { remoteAddress, headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.50', `wrong-key-${i}-0000000000`)).statusCode).toBe(401);
    limited(await from('203.0.113.50', 'wrong-key-3-0000000000'), /too many failed authentications from this address/);
    // Guessing stops here: a right key from that address is not even looked at.
    limited(await from('203.0.113.50', customer.key), /too many failed authentications/);
    expect((await from('203.0.113.51', customer.key)).statusCode).toBe(200);
    // Public pages are no authentication: still served to that address.
    expect((await call(`/certificates/${certificateId}`, { remoteAddress: '203.0.113.50' })).statusCode).toBe(200);
  });

  it('counts each client behind a trusted proxy by its forwarded address', async () => {
    const via = (client: string, key: string) =>
      call('/v1/account', { remoteAddress: '10.0.0.1', headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client } });
    for (let i = 0; i < 3; i++) expect((await via('198.51.100.7', `bad-${i}-000000000000`)).statusCode).toBe(401);
    limited(await via('198.51.100.7', 'bad-3-000000000000'), /failed authentications/);
    expect((await via('198.51.100.8', customer.key)).statusCode).toBe(200);
  });

  it('limits certificate PDF renderings per address; the HTML page is not limited', async () => {
    const pdf = (remoteAddress: string) => call(`/certificates/${certificateId}.pdf`, { remoteAddress });
    expect((await pdf('192.0.2.10')).statusCode).toBe(200);
    expect((await pdf('192.0.2.10')).statusCode).toBe(200);
    limited(await pdf('192.0.2.10'), /too many certificate renderings from this address/);
    expect((await pdf('192.0.2.11')).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await call(`/certificates/${certificateId}`, { remoteAddress: '192.0.2.10' })).statusCode).toBe(200);
  });

  it('holds each key to its ceiling per minute, with X-RateLimit headers; other keys go on', async () => {
    const fresh = await t.account('Busy integrator');
    const other = await t.account('Unlimited neighbour');
    const get = (key: string) => call('/v1/account', { headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 5; i++) {
      const res = await get(fresh.key);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
    }
    limited(await get(fresh.key), /this key made more than 5 requests in a minute/);
    expect((await get(other.key)).statusCode).toBe(200);
  });

  it('documents 429 on every /v1 route and on the PDF', async () => {
    const doc = JSON.parse((await call('/openapi.json')).body);
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      if (!path.startsWith('/v1/') && !path.endsWith('.pdf')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses), `${method} ${path}`).toContain('429');
      }
    }
  });
});
