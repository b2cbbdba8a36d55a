// Printix partner API simulator over HTTP: OAuth grants, token expiry and refresh, partner check, tenants in HAL+JSON.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../server.ts';
import { get, send } from '../testing/http.ts';

const NOW = Date.parse('2025-04-15T10:00:00Z');
let sb: Sandbox;

interface Tokens { access_token: string; refresh_token: string; expires_in: number }
interface Period { period_start: string; period_end: string; printing_users: number; user_licenses: number }
interface Billing { _links: { self: { href: string } }; current_user_licenses: number; current_billing_period: Period; previous_billing_period: Period }
interface TenantBody { tenant_name: string; tenant_domain: string; billing_info: Billing; _links: { self: { href: string }; billing_info: { href: string } } }

beforeAll(async () => {
  sb = await startSandbox({ seed: 7, start: '2025-01-01', now: NOW, customers: 3, tokenTtlSeconds: 600 });
});
afterAll(() => sb.close());

const token = (form: Record<string, string>) => send<Tokens & { error?: string }>('POST', `${sb.printix.url}/oauth/token`, new URLSearchParams(form));
const login = async () => {
  const r = await token({ grant_type: 'client_credentials', client_id: sb.printix.clientId, client_secret: sb.printix.clientSecret });
  expect(r.status).toBe(200);
  return r.body;
};
const tenantsUrl = () => `${sb.printix.url}/public/partners/${sb.printix.partnerId}/tenants`;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('Printix OAuth', () => {
  it('grants tokens for the client credentials, with the configured expires_in', async () => {
    const t = await login();
    expect(Object.keys(t).sort()).toEqual(['access_token', 'expires_in', 'refresh_token']);
    expect(t.expires_in).toBe(600);
    expect(t.access_token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses wrong credentials, unknown grants and non-form bodies', async () => {
    const wrong = await token({ grant_type: 'client_credentials', client_id: sb.printix.clientId, client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect((await token({ grant_type: 'password', client_id: sb.printix.clientId })).status).toBe(400);
    expect((await token({ grant_type: 'client_credentials' })).status).toBe(400);
    const json = await send('POST', `${sb.printix.url}/oauth/token`, { grant_type: 'client_credentials', client_id: sb.printix.clientId, client_secret: sb.printix.clientSecret });
    expect(json.status).toBe(400);
  });

  it('expires access tokens after expires_in and refreshes them with the refresh_token grant', async () => {
    const t = await login();
    expect((await get(tenantsUrl(), bearer(t.access_token))).status).toBe(200);
    try {
      sb.world.setNow(NOW + 599_000);
      expect((await get(tenantsUrl(), bearer(t.access_token))).status).toBe(200);
      sb.world.setNow(NOW + 600_000);
      const expired = await get(tenantsUrl(), bearer(t.access_token));
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toMatch(/invalid_token/);
      const refreshed = await token({ grant_type: 'refresh_token', client_id: sb.printix.clientId, refresh_token: t.refresh_token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.access_token).not.toBe(t.access_token);
      expect((await get(tenantsUrl(), bearer(refreshed.body.access_token))).status).toBe(200);
      // Refresh tokens rotate: the used one is spent.
      const again = await token({ grant_type: 'refresh_token', client_id: sb.printix.clientId, refresh_token: t.refresh_token });
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
      const otherClient = await token({ grant_type: 'refresh_token', client_id: 'someone-else', refresh_token: refreshed.body.refresh_token });
      expect(otherClient.status).toBe(401);
    } finally {
      sb.world.setNow(NOW);
    }
  });

  it('answers 401 to a missing or unknown token', async () => {
    expect((await get(tenantsUrl())).status).toBe(401);
    expect((await get(tenantsUrl(), bearer('5a8c4ec4-ff70-4f4c-b088-29a8cae38062'))).status).toBe(401);
  });
});

describe('Printix tenants', () => {
  it('lists tenants in HAL+JSON with links and billing info', async () => {
    const t = await login();
    const r = await get<{ _links: { self: { href: string } }; tenants: TenantBody[] }>(tenantsUrl(), bearer(t.access_token));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/hal\+json/);
    expect(r.body._links.self.href).toBe(tenantsUrl());
    expect(r.body.tenants).toHaveLength(3);
    for (const tenant of r.body.tenants) {
      expect(Object.keys(tenant).sort()).toEqual(['_links', 'billing_info', 'tenant_domain', 'tenant_name']);
      expect(tenant.tenant_domain).toMatch(/^[a-z0-9-]+\.printix\.net$/);
      expect(tenant._links.self.href).toMatch(new RegExp(`^${tenantsUrl()}/[0-9a-f-]{36}$`));
      expect(tenant._links.billing_info.href).toBe(`${tenant._links.self.href}/billing-info`);
      expect(tenant.billing_info._links.self.href).toBe(tenant._links.billing_info.href);
      const cur = tenant.billing_info.current_billing_period;
      expect(Date.parse(cur.period_start)).toBeLessThanOrEqual(NOW);
      expect(Date.parse(cur.period_end)).toBeGreaterThan(NOW);
      expect(tenant.billing_info.previous_billing_period.period_end).toBe(cur.period_start);
      expect(cur.printing_users).toBeLessThanOrEqual(cur.user_licenses);
      expect(tenant.billing_info.current_user_licenses).toBe(cur.user_licenses);
    }
    expect(r.body.tenants[0].tenant_name).toBe(sb.world.fleet.customer(0).name);
  });

  it('gets one tenant and its billing info by the id in its self link', async () => {
    const t = await login();
    const list = await get<{ tenants: TenantBody[] }>(tenantsUrl(), bearer(t.access_token));
    const first = list.body.tenants[0];
    const one = await get<TenantBody>(first._links.self.href, bearer(t.access_token));
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first);
    const billing = await get<Billing>(first._links.billing_info.href, bearer(t.access_token));
    expect(billing.headers.get('content-type')).toMatch(/hal\+json/);
    expect(billing.body).toEqual(first.billing_info);
    expect((await get(`${tenantsUrl()}/99999999-8888-7777-6666-fedcba987654`, bearer(t.access_token))).status).toBe(404);
  });

  it('checks the partner id', async () => {
    const t = await login();
    const r = await get(`${sb.printix.url}/public/partners/00000000-1111-2222-3333-123456789abc/tenants`, bearer(t.access_token));
    expect(r.status).toBe(403);
  });

  it('creates a tenant, refusing bad names, bad domains and duplicates', async () => {
    const t = await login();
    const h = bearer(t.access_token);
    const created = await send<TenantBody>('POST', tenantsUrl(), { tenant_name: 'Acme Co.', tenant_domain: 'acme.printix.net', initial_user: { email: 'it@acme.example', name: 'IT', create_as_admin: true } }, h);
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toMatch(/hal\+json/);
    expect(created.body.tenant_name).toBe('Acme Co.');
    expect(created.body.tenant_domain).toBe('acme.printix.net');
    expect(created.body.billing_info.current_billing_period.period_start).toBe(new Date(NOW).toISOString());
    const fetched = await get<TenantBody>(created.body._links.self.href, h);
    expect(fetched.body).toEqual(created.body);
    const list = await get<{ tenants: TenantBody[] }>(tenantsUrl(), h);
    expect(list.body.tenants.map((x) => x.tenant_name)).toContain('Acme Co.');
    expect((await send('POST', tenantsUrl(), { tenant_name: 'Acme Again', tenant_domain: 'acme' }, h)).status).toBe(409);
    expect((await send('POST', tenantsUrl(), { tenant_name: 'Bad', tenant_domain: 'Bad Domain' }, h)).status).toBe(400);
    expect((await send('POST', tenantsUrl(), { tenant_domain: 'nameless' }, h)).status).toBe(400);
    expect((await send('POST', tenantsUrl(), { tenant_name: 'x'.repeat(101), tenant_domain: 'long' }, h)).status).toBe(400);
    expect((await send('POST', tenantsUrl(), { tenant_name: 'No token', tenant_domain: 'no-token' })).status).toBe(401);
  });
});
