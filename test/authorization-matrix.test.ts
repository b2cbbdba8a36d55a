// For every route: a key of account A never reaches a resource of an unrelated account B (404, existence
// not revealed), and a customer key on a channel-only action is 403. The same holds for a dashboard user
// signed in with a session cookie: it may do exactly what a key of its account may.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { createTestApp, storeName, type Call, type TestApp } from './helpers/harness.ts';
import { COLLECTION_ENV } from './collection/helpers.ts';
import { createOutbound } from '../src/outbound/run-outbound.ts';

const OTHER_UUID = '6dd962a0-a515-4a83-980e-d3bd7cbb243a';

/**
 * Well-formed bodies for routes whose body has required fields, so the request is refused for the resource
 * (404) and not for its shape (400); every other write is sent `{}`.
 */
const BODIES: Record<string, unknown> = {
  '/v1/servers/:id/tenants': { account_id: OTHER_UUID, tenant_name: 'Matrix', tenant_domain: 'matrix' },
  '/v1/feeds/:id/import-mapping': {
    kind: 'counters', columns: { device_id: 'Device', timestamp: 'Time', lifetime_total: 'Total' }, delimiter: ',', header_line: 1,
    encoding: 'utf-8', date_format: 'iso', zone: 'UTC', thousands_separator: null,
  },
};
const bodyFor = (route: { method: string; url: string }) =>
  route.method === 'GET' || route.method === 'DELETE' ? undefined : (BODIES[route.url.replace('/accounts/:account_id', '')] ?? {});

/** Routes whose :id names a shared catalog entry, visible to every account by design. */
const CATALOG_ROUTES = new Set(['/v1/forestry/projects/:id', '/v1/projects/:id']);

type Credentials = Pick<Call, 'key' | 'headers'>;

/** Signs a new user of the account in through an invitation link; the cookie and CSRF token act for it. */
async function sessionOf(t: TestApp, account: { id: string; key: string }, email: string): Promise<Credentials> {
  const user = await t.json('/v1/users', { method: 'POST', key: account.key, body: { email } });
  const link = await t.json(`/v1/users/${user.id}/password-link`, { method: 'POST', key: account.key });
  const token = new URL(link.url).searchParams.get('token');
  const res = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'matrix password 1' } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`);
  const cookie = String([res.headers['set-cookie']].flat()[0]).split(';')[0];
  return { key: null, headers: { cookie, 'x-csrf-token': JSON.parse(res.body).csrf_token } };
}

describe.each(['an API key', 'a session cookie'] as const)(`authorization matrix with %s (${storeName})`, (credential) => {
  let t: TestApp;
  let sandbox: Sandbox;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let b1: { id: string; key: string };
  /** What the caller sends for each account: its API key, or a signed-in user's cookie and CSRF token. */
  const as: Record<'a' | 'b' | 'b1', Credentials> = { a: {}, b: {}, b1: {} };
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7, customers: 1, devicesPerCustomer: 1 });
    t = await createTestApp({ env: COLLECTION_ENV });
    t.clock.set('2021-03-15T12:00:00Z');
    a = await t.account('Dealer A');
    b = await t.account('Dealer B');
    b1 = await t.account('B customer', { key: b.key });
    for (const [name, account] of [['a', a], ['b', b], ['b1', b1]] as const) {
      as[name] = credential === 'an API key' ? { key: account.key } : await sessionOf(t, account, `${name}@matrix.example`);
    }
    const create = (url: string, body: unknown) => t.json(url, { method: 'POST', key: b1.key, body });
    const [project] = await t.json('/v1/forestry/projects', { key: b1.key });
    fixtures.accounts = b1.id;
    fixtures.users = (await create('/v1/users', { email: 'b1@example.com' })).id;
    fixtures.invitations = (await create('/v1/invitations', { email: 'inv@example.com' })).id;
    fixtures['paper/types'] = (await create('/v1/paper/types', { name: 'B1 custom', density: 90 })).id;
    fixtures.quotes = (await create('/v1/quotes', { project_id: project.id, items: [{ quantity: 100 }] })).id;
    fixtures.deposits = (await create('/v1/deposits', { pages: 100 })).id;
    const transaction = await create('/v1/transactions', { pages: 100 });
    fixtures.transactions = transaction.id;
    fixtures.certificates = transaction.certificate_id;
    fixtures.keys = (await create('/v1/keys', { label: 'b1 key' })).id;
    // Integrations: B's server, a feed of its customer B1 on it, and a collection run of B.
    const pt = sandbox.printtracker;
    const server = await t.json('/v1/servers', {
      method: 'POST', key: b.key, body: { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey },
    });
    fixtures.servers = server.id;
    const feed = await t.json(`/v1/accounts/${b1.id}/feeds`, { method: 'POST', key: b.key, body: { server_id: server.id, external_id: pt.customerEntityIds[0] } });
    fixtures.feeds = feed.id;
    fixtures.sources = feed.id;
    fixtures['collection-runs'] = (await t.json('/v1/collection-runs', { method: 'POST', key: b.key, body: {}, expect: 202 })).id;
    // Imports: an import feed of B1 is what /feeds/:id/readings and the upload routes need; its upload job is /imports/:id.
    const importFeed = await t.json(`/v1/accounts/${b1.id}/feeds`, { method: 'POST', key: b.key, body: { type: 'import' } });
    const job = await t.json(`/v1/accounts/${b1.id}/feeds/${importFeed.id}/imports`, { method: 'POST', key: b.key, body: { mapping: BODIES['/v1/feeds/:id/import-mapping'] } });
    fixtures.imports = job.id;
    // Outbound: B1's webhook endpoint and a delivery to it, and the certificate email of its transaction in the outbox.
    fixtures['webhook-endpoints'] = (await create('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', events: ['deposit.created'] })).id;
    await create('/v1/deposits', { pages: 5 });
    const outbound = createOutbound({ db: t.db, config: t.config, clock: t.clock.read });
    await outbound.run();
    outbound.close();
    fixtures['webhook-deliveries'] = (await t.json(`/v1/webhook-endpoints/${fixtures['webhook-endpoints']}/deliveries`, { key: b1.key }))[0].id;
    fixtures.outbox = (await t.json('/v1/outbox', { key: b1.key }))[0].id;
  });
  afterAll(async () => {
    await t.app.collection.idle();
    await t.close();
    await sandbox.close();
  });

  const fill = (url: string, accountId: string) =>
    url.replace(':account_id', accountId).replace(/:id\b/, () => {
      const resource = Object.keys(fixtures).find((r) => url.includes(`/${r}/:id`));
      if (!resource) throw new Error(`no cross-account fixture for ${url}: add one to the authorization matrix`);
      return fixtures[resource];
    });

  it('answers 404 for every account-scoped route aimed at an unrelated account', async () => {
    const routes = t.app.routeList.filter((r) => r.url.includes(':account_id'));
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      const url = route.url.replace(':account_id', b1.id).replace(/:id\b/, OTHER_UUID);
      const res = await t.call(url, { method: route.method as 'GET', ...as.a, body: bodyFor(route) });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(404);
      expect(JSON.parse(res.body), `${route.method} ${route.url}`).toEqual({ code: 404, error: 'Account not found' });
    }
  });

  it('answers 404 for every resource route given the id of another account\'s resource', async () => {
    const routes = t.app.routeList.filter((r) => r.url.startsWith('/v1/') && /:id\b/.test(r.url) && !r.url.includes(':account_id'));
    const checked: string[] = [];
    for (const route of routes) {
      if (CATALOG_ROUTES.has(route.url)) continue;
      const url = fill(route.url, b1.id);
      const res = await t.call(url, { method: route.method as 'GET', ...as.a, body: bodyFor(route) });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(404);
      expect(JSON.parse(res.body).code).toBe(404);
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked.length).toBeGreaterThan(15);
    // B's own resources are still there and reachable by B.
    expect((await t.call(`/v1/deposits/${fixtures.deposits}`, as.b1)).statusCode).toBe(200);
    expect((await t.call(`/v1/accounts/${b1.id}/deposits/${fixtures.deposits}`, as.b)).statusCode).toBe(200);
  });

  it('answers 403 when a customer key attempts a channel-only action', async () => {
    const create = await t.call('/v1/accounts', { method: 'POST', ...as.b1, body: { name: 'child' } });
    expect(create.statusCode).toBe(403);
    const selfOff = await t.call(`/v1/accounts/${b1.id}/deactivate`, { method: 'POST', ...as.b1 });
    expect(selfOff.statusCode).toBe(403);
    const selfOn = await t.call(`/v1/accounts/${b1.id}/activate`, { method: 'POST', ...as.b1 });
    expect(selfOn.statusCode).toBe(403);
  });

  it('answers 403 naming the rule when a customer registers, changes, tests or reads through a server', async () => {
    const pt = sandbox.printtracker;
    const body = { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey };
    // A server the customer can see: one saved on its account before the rule (a dealer may no longer do so either).
    const legacy = await t.json('/v1/servers', { method: 'POST', key: b.key, body });
    await t.db.query(`UPDATE servers SET account_id = $1 WHERE id = $2`, [b1.id, legacy.id]);
    const rule = (action: string) =>
      `servers are registered and managed by channel (dealer) and admin accounts: customer account "B customer" (${b1.id}) may not ${action}`;
    const refused: Array<[Call['method'], string, unknown, string]> = [
      ['POST', '/v1/servers', body, 'register a server'],
      ['POST', '/v1/servers/test', body, 'test a server'],
      ['PATCH', `/v1/servers/${legacy.id}`, { url: 'http://127.0.0.1:1' }, 'change a server'],
      ['POST', `/v1/servers/${legacy.id}/test`, {}, 'test a server'],
      ['GET', `/v1/servers/${legacy.id}/entities`, undefined, 'read a server\'s upstream entities'],
      ['DELETE', `/v1/servers/${legacy.id}`, undefined, 'delete a server'],
      ['POST', `/v1/servers/${legacy.id}/tenants`, BODIES['/v1/servers/:id/tenants'], 'provision a tenant'],
    ];
    const upstreamRequests = async () => {
      await t.app.collection.idle();
      return ((await (await fetch(`${pt.url}/__sandbox/stats`)).json()) as { total: number }).total;
    };
    const before = await upstreamRequests();
    for (const [method, url, payload, action] of refused) {
      const res = await t.call(url, { method, ...as.b1, body: payload });
      expect({ route: `${method} ${url}`, status: res.statusCode, body: JSON.parse(res.body) })
        .toEqual({ route: `${method} ${url}`, status: 403, body: { code: 403, error: rule(action) } });
    }
    // Nothing was stored, changed or fetched for the customer.
    expect(await upstreamRequests()).toBe(before);
    expect(await t.json(`/v1/servers/${legacy.id}`, as.b1)).toMatchObject({ id: legacy.id, url: pt.url });
    expect((await t.json('/v1/servers', as.b1)).map((s: { id: string }) => s.id)).toEqual([legacy.id]);
    // A dealer may not register one on its customer's account either; on its own it may.
    const onCustomer = await t.call(`/v1/accounts/${b1.id}/servers`, { method: 'POST', ...as.b, body });
    expect(JSON.parse(onCustomer.body)).toEqual({ code: 403, error: rule('register a server') });
    expect((await t.call(`/v1/servers/${legacy.id}`, { method: 'PATCH', key: b.key, body: { contact: 'dealer' } })).statusCode).toBe(404);
    expect((await t.call(`/v1/accounts/${b1.id}/servers/${legacy.id}`, { method: 'PATCH', ...as.b, body: { contact: 'dealer' } })).statusCode).toBe(200);
  });
});
