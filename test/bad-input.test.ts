// Every input the hardening issue found answering 500 is a 400 naming the parameter; framework errors
// (bad percent-encoding, 414, 431) keep the {code, error} shape; JSON bodies are not coerced.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

describe(`bad input is a 400 naming the parameter (${storeName})`, () => {
  let t: TestApp;
  let customer: { id: string; key: string };
  beforeAll(async () => {
    t = await createTestApp();
    customer = await t.account('Fuzzed customer', { key: (await t.account('Fuzzed dealer')).key });
  });
  afterAll(async () => t.close());

  const expectError = (res: { statusCode: number; body: string }, code: number, error: string) => {
    expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({ status: code, body: { code, error } });
  };

  it('paging values beyond any page', async () => {
    const cases: Array<[string, string]> = [
      ['page=1e20', 'page must be an integer'],
      ['page=99999999999999999999', 'page must be at most 1000000'],
      ['limit=Infinity', 'limit must be an integer'],
      ['page=-Infinity', 'page must be an integer'],
      ['page=NaN', 'page must be an integer'],
      ['page=0x10', 'page must be an integer'],
      ['page=%201', 'page must be an integer'],
      ['page=', 'page must be an integer'],
      ['limit=1&limit=2', 'limit must be an integer'],
    ];
    for (const path of ['/v1/accounts', '/v1/deposits', `/v1/accounts/${customer.id}/transactions`, '/v1/users']) {
      for (const [query, error] of cases) expectError(await t.call(`${path}?${query}`), 400, error);
    }
    expect((await t.call('/v1/accounts?page=2&limit=%2B5')).statusCode).toBe(200);
  });

  it('numbers given as "Infinity", hex or booleans in a JSON body', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/paper/types', { name: 'x', density: 'Infinity' }, 'density must be an integer'],
      ['/v1/paper/types', { name: 'x', density: true }, 'density must be an integer'],
      ['/v1/deposits', { pages: '0x10' }, 'pages must be an integer'],
      ['/v1/deposits', { pages: true }, 'pages must be an integer'],
      ['/v1/deposits', { pages: 10, width: 'Infinity' }, 'width must be a number or decimal text such as "0.2159"'],
      ['/v1/transactions', { trees: '1e400' }, 'trees must be a number or decimal text such as "0.2159"'],
      ['/v1/accounts', { name: 12 }, 'name must be a string'],
    ];
    for (const [url, body, error] of cases) expectError(await t.call(url, { method: 'POST', key: customer.key, body }), 400, error);
    // A JSON number too large for a double is Infinity once parsed: refused by the bounds, not stored.
    expectError(await t.call('/v1/deposits', { method: 'POST', key: customer.key, body: '{"pages": 1e400}' }), 400, 'pages must be an integer');
  });

  it('days at the edge of the calendar on deposits, transactions, certificates and volume', async () => {
    for (const resource of ['deposits', 'transactions', 'certificates']) {
      expectError(await t.call(`/v1/${resource}?end_date=9999-12-31`, { key: customer.key }), 400, 'end_date must be on or before 2999-12-31');
      expectError(await t.call(`/v1/${resource}?start_date=0001-01-01`, { key: customer.key }), 400, 'start_date must be on or after 1970-01-01');
      expect((await t.call(`/v1/${resource}?end_date=2999-12-31`, { key: customer.key })).statusCode).toBe(200);
    }
    expectError(await t.call('/v1/volume?end_date=9999-12-31', { key: customer.key }), 400, 'end_date must be on or before 2999-12-31');
  });

  it('a NUL byte in any text field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/accounts', { name: 'Bad\u0000Name' }, 'name'],
      ['/v1/accounts', { name: 'ok', display_name: '\u0000' }, 'display_name'],
      ['/v1/accounts', { name: 'ok', external_id: 'ext\u0000' }, 'external_id'],
      ['/v1/users', { email: 'a\u0000b@example.com' }, 'email'],
      ['/v1/users', { email: 'a@example.com', name: 'N\u0000' }, 'name'],
      ['/v1/paper/types', { name: 'P\u0000', density: 80 }, 'name'],
      ['/v1/quotes', { project_id: '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9', items: [{ quantity: 1 }], external_id: '\u0000' }, 'external_id'],
      ['/v1/invitations', { email: '\u0000@example.com' }, 'email'],
    ];
    for (const [url, body, field] of cases) {
      expectError(await t.call(url, { method: 'POST', body }), 400, `${field} must not contain NUL (\\u0000) characters`);
    }
    expectError(await t.call('/v1/deposits?start_date=2021-01-01%00'), 400, 'start_date must not contain NUL (\\u0000) characters');
  });

  it('a body nested 5,000 levels deep, with an Idempotency-Key', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await t.call('/v1/accounts', { method: 'POST', body: `{"name":"x","extra":${deep}}`, headers: { 'idempotency-key': 'deep-1' } });
    expectError(res, 400, 'body is nested too deeply (more than 32 levels of objects and arrays)');
    const [{ n }] = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'deep-1'`);
    expect(Number(n)).toBe(0);
  });

  it('quantities beyond realistic bounds, published in the OpenAPI document', async () => {
    expectError(
      await t.call('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 100000000000, width: 100, length: 100 } }),
      400, 'pages must be at most 1000000000',
    );
    expectError(
      await t.call('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 1000000000, width: 10, length: 10 } }),
      400, 'pages x width x length x density must be at most 10000000000 g (10,000 tonnes of paper)',
    );
    const doc = await t.json('/openapi.json', { key: null });
    const deposit = doc.paths['/v1/deposits'].post.requestBody.content['application/json'].schema.properties;
    expect(deposit.pages).toMatchObject({ minimum: 1, maximum: 1_000_000_000 });
    expect(deposit.width).toMatchObject({ exclusiveMinimum: 0, maximum: 10 });
    expect(deposit.density).toMatchObject({ minimum: 1, maximum: 1000 });
    const quote = doc.paths['/v1/quotes'].post.requestBody.content['application/json'].schema.properties;
    expect(quote.items).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(quote.items.items.properties.mass).toMatchObject({ maximum: 10_000_000_000 });
    const page = doc.paths['/v1/deposits'].get.parameters.find((p: { name: string }) => p.name === 'page');
    expect(page.schema).toMatchObject({ minimum: 1, maximum: 1_000_000 });
    const endDate = doc.paths['/v1/deposits'].get.parameters.find((p: { name: string }) => p.name === 'end_date');
    expect(endDate.schema).toMatchObject({ formatMinimum: '1970-01-01', formatMaximum: '2999-12-31' });
  });

  it('framework errors in the {code, error} shape: bad percent-encoding, an over-long parameter or URL, oversized headers', async () => {
    expectError(await t.call('/v1/accounts/%E0%A4%A'), 400, 'URL path is not valid: bad percent-encoding');
    expectError(await t.call(`/v1/accounts/${'a'.repeat(200)}`), 414, 'a path parameter is too long (limit 100 characters)');
    expectError(await t.call(`/v1/accounts?x=${'a'.repeat(9000)}`), 414, 'URL is too long (limit 8192 characters)');

    // 431 comes from Node's HTTP parser, before Fastify: only a real socket shows it.
    const app = await buildApp({ db: t.db, config: t.config, clock: t.clock.read });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = new URL(address);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(`GET /v1/account HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 431 /);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ code: 431, error: 'request line and headers are too large (limit 16 KiB)' });
    } finally {
      await app.close();
    }
  });
});
