// Every input the hardening issue found answering 500 is a 400 naming the parameter; framework errors
// (bad percent-encoding, 414, 431) keep the {code, error} shape; JSON bodies are not coerced.
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';
import { COLLECTION_ENV } from './collection/helpers.ts';

describe(`bad input is a 400 naming the parameter (${storeName})`, () => {
  let t: TestApp;
  let customer: { id: string; key: string };
  beforeAll(async () => {
    // Private upstreams so a feed can be made on a local server (a closed port: nothing is collected).
    t = await createTestApp({ env: COLLECTION_ENV });
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

  it('every day a client sends is a real calendar day within the ledger years: since, activated_at (none reaches the store)', async () => {
    const dealer = await t.account('Dated dealer');
    const server = await t.json('/v1/servers', {
      method: 'POST', key: dealer.key, body: { type: 'printtracker', url: 'http://127.0.0.1:9', username: 'a'.repeat(24), password: crypto.randomUUID() },
    });
    const runs = async () => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM collection_runs`))[0].n);
    const runsBefore = await runs();
    const sinceCases: Array<[unknown, string]> = [
      ['0000-01-01', 'since must be on or after 1970-01-01'],
      ['1969-12-31', 'since must be on or after 1970-01-01'],
      ['3000-01-01', 'since must be on or before 2999-12-31'],
      ['2021-02-29', 'since must be a date in YYYY-MM-DD format'],
      ['2021-13-01', 'since must be a date in YYYY-MM-DD format'],
      ['+10000-01-01', 'since must be a date in YYYY-MM-DD format'],
      ['2021-03-09', 'since must not be after today (UTC)'],
      [20210301, 'since must be a string or null'],
    ];
    for (const [since, error] of sinceCases) {
      expectError(await t.call('/v1/collection-runs', { method: 'POST', key: dealer.key, body: { since } }), 400, error);
    }
    expect(await runs()).toBe(runsBefore);
    expect((await t.call('/v1/collection-runs', { method: 'POST', key: dealer.key, body: { since: '2021-03-08' } })).statusCode).toBe(202);

    const feeds = async () => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM feeds`))[0].n);
    const feedsBefore = await feeds();
    const bound = 'activated_at must be a time from 1970-01-01 to 2999-12-31';
    const activationCases: Array<[string, string]> = [
      ['0000-01-01', 'activated_at must be a calendar date in YYYY-MM-DD format'],
      ['0000-01-01T00:00:00Z', 'activated_at must be a date (YYYY-MM-DD) or an ISO 8601 time such as 2021-03-08T14:52:33Z'],
      ['0001-01-01T00:00:00+14:00', bound],
      ['1969-12-31T23:59:59Z', bound],
      ['9999-12-31', bound],
      ['3000-01-01T00:00:00Z', bound],
      ['2021-02-30', 'activated_at must be a calendar date in YYYY-MM-DD format'],
      ['2021-03-08T24:00:00Z', 'activated_at must be a date (YYYY-MM-DD) or an ISO 8601 time such as 2021-03-08T14:52:33Z'],
      ['+275760-09-13T00:00:00Z', 'activated_at must be a date (YYYY-MM-DD) or an ISO 8601 time such as 2021-03-08T14:52:33Z'],
    ];
    const newFeed = (activated_at: string) => ({ server_id: server.id, external_id: 'customer-1', activated_at });
    for (const [activatedAt, error] of activationCases) {
      expectError(await t.call('/v1/feeds', { method: 'POST', key: dealer.key, body: newFeed(activatedAt) }), 400, error);
    }
    expect(await feeds()).toBe(feedsBefore);
    // A feed activated in the future is not collected until then; its activation can be changed.
    const feed = await t.json('/v1/feeds', { method: 'POST', key: dealer.key, body: newFeed('2999-12-31T23:59:59Z') });
    for (const [activatedAt, error] of activationCases) {
      expectError(await t.call(`/v1/feeds/${feed.id}`, { method: 'PATCH', key: dealer.key, body: { activated_at: activatedAt } }), 400, error);
      expectError(await t.call(`/v1/feeds/${feed.id}/activate`, { method: 'POST', key: dealer.key, body: { activated_at: activatedAt } }), 400, error);
    }
    expect((await t.json(`/v1/feeds/${feed.id}`, { key: dealer.key })).activated_at).toBe('2999-12-31T23:59:59Z');
  });

  it('every id in a path, query or body is a UUID before any query runs, on every route', async () => {
    const bad = ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', "1' OR '1'='1"];
    const routes = t.app.routeList.filter((r) => r.url.startsWith('/v1/') && /:(account_)?id\b/.test(r.url));
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) {
      for (const id of bad) {
        const encoded = encodeURIComponent(id);
        const accountFirst = route.url.includes(':account_id');
        const url = route.url.replace(':account_id', encoded).replace(/:id\b/, encoded);
        const res = await t.call(url, { method: route.method as 'GET', key: customer.key, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        expect({ route: `${route.method} ${route.url}`, status: res.statusCode, body: JSON.parse(res.body) }).toEqual({
          route: `${route.method} ${route.url}`, status: 400, body: { code: 400, error: `${accountFirst ? 'account_id' : 'id'} must be a UUID` },
        });
      }
    }
    const bodies: Array<[string, Record<string, unknown>, string]> = [
      ['/v1/collection-runs', { feed_id: 'x' }, 'feed_id'],
      ['/v1/feeds', { server_id: 'x', external_id: 'e' }, 'server_id'],
      ['/v1/deposits', { pages: 1, paper_type_id: 'x' }, 'paper_type_id'],
      ['/v1/transactions', { quote_id: 'x' }, 'quote_id'],
      ['/v1/transactions', { pages: 1, project_id: 'x' }, 'project_id'],
      ['/v1/quotes', { project_id: 'x', items: [{ quantity: 1 }] }, 'project_id'],
      ['/v1/accounts', { name: 'n', parent_id: 'x' }, 'parent_id'],
    ];
    for (const [url, body, field] of bodies) expectError(await t.call(url, { method: 'POST', body }), 400, `${field} must be a UUID`);
  });

  it('the OpenAPI document bounds every day and checks every Canopy id a request takes', async () => {
    const doc = await t.json('/openapi.json', { key: null });
    // Upstream identifiers are the upstream's own text, not Canopy ids.
    const upstreamIds = new Set(['external_id', 'partner_id', 'device_id', 'token']);
    type Schema = { format?: string; formatMinimum?: string; formatMaximum?: string; maxLength?: number; type?: unknown; properties?: Record<string, Schema>; items?: Schema };
    const found: string[] = [];
    const check = (where: string, name: string, schema: Schema) => {
      // An import mapping's columns name the file's headers (`columns.date` is a header's text, not a day).
      if (schema.properties && !where.endsWith('.columns')) for (const [n, s] of Object.entries(schema.properties)) check(`${where}.${n}`, n, s);
      if (schema.items) check(where, name, schema.items);
      if (/(^|_)id$/.test(name) && !upstreamIds.has(name)) {
        found.push(where);
        expect(schema.format, where).toBe('uuid');
      }
      if (/(^|_)date$|^since$/.test(name) && schema.format === 'date') {
        found.push(where);
        expect([schema.formatMinimum, schema.formatMaximum], where).toEqual(['1970-01-01', '2999-12-31']);
      }
      // Times and days parsed by the ledger itself (a deposit's date, a feed's activation) are bounded in length here.
      if (/(^|_)(date|at)$/.test(name) && schema.format !== 'date') {
        found.push(where);
        expect(schema.maxLength, where).toBeLessThanOrEqual(64);
      }
    };
    // Public pages outside /v1 (certificates) answer 404 for any id that is not a UUID, as for an unknown one.
    const v1Paths = Object.entries(doc.paths as object).filter(([path]) => path.startsWith('/v1/'));
    for (const [path, methods] of Object.entries(Object.fromEntries(v1Paths) as Record<string, Record<string, { parameters?: Array<{ name: string; schema: Schema }>; requestBody?: { content: Record<string, { schema: Schema }> } }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const p of op.parameters ?? []) check(`${method} ${path} ${p.name}`, p.name, p.schema);
        const body = op.requestBody?.content['application/json']?.schema;
        if (body) check(`${method} ${path} body`, '', body);
      }
    }
    expect(found.length).toBeGreaterThan(60);
  });
});
