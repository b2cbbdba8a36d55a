// For every route: a key of account A never reaches a resource of an unrelated account B (404, existence
// not revealed), and a customer key on a channel-only action is 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

const OTHER_UUID = '6dd962a0-a515-4a83-980e-d3bd7cbb243a';

/** Routes whose :id names a shared catalog entry, visible to every account by design. */
const CATALOG_ROUTES = new Set(['/v1/forestry/projects/:id', '/v1/projects/:id']);

describe(`authorization matrix (${storeName})`, () => {
  let t: TestApp;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let b1: { id: string; key: string };
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2021-03-15T12:00:00Z');
    a = await t.account('Dealer A');
    b = await t.account('Dealer B');
    b1 = await t.account('B customer', { key: b.key });
    const as = (url: string, body: unknown) => t.json(url, { method: 'POST', key: b1.key, body });
    const [project] = await t.json('/v1/forestry/projects', { key: b1.key });
    fixtures.accounts = b1.id;
    fixtures.users = (await as('/v1/users', { email: 'b1@example.com' })).id;
    fixtures.invitations = (await as('/v1/invitations', { email: 'inv@example.com' })).id;
    fixtures['paper/types'] = (await as('/v1/paper/types', { name: 'B1 custom', density: 90 })).id;
    fixtures.quotes = (await as('/v1/quotes', { project_id: project.id, items: [{ quantity: 100 }] })).id;
    fixtures.deposits = (await as('/v1/deposits', { pages: 100 })).id;
    const transaction = await as('/v1/transactions', { pages: 100 });
    fixtures.transactions = transaction.id;
    fixtures.certificates = transaction.certificate_id;
  });
  afterAll(async () => t.close());

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
      const res = await t.call(url, { method: route.method as 'GET', key: a.key, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
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
      const res = await t.call(url, { method: route.method as 'GET', key: a.key, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(404);
      expect(JSON.parse(res.body).code).toBe(404);
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked.length).toBeGreaterThan(15);
    // B's own resources are still there and reachable by B.
    expect((await t.call(`/v1/deposits/${fixtures.deposits}`, { key: b1.key })).statusCode).toBe(200);
    expect((await t.call(`/v1/accounts/${b1.id}/deposits/${fixtures.deposits}`, { key: b.key })).statusCode).toBe(200);
  });

  it('answers 403 when a customer key attempts a channel-only action', async () => {
    const create = await t.call('/v1/accounts', { method: 'POST', key: b1.key, body: { name: 'child' } });
    expect(create.statusCode).toBe(403);
    const selfOff = await t.call(`/v1/accounts/${b1.id}/deactivate`, { method: 'POST', key: b1.key });
    expect(selfOff.statusCode).toBe(403);
    const selfOn = await t.call(`/v1/accounts/${b1.id}/activate`, { method: 'POST', key: b1.key });
    expect(selfOn.statusCode).toBe(403);
  });
});
