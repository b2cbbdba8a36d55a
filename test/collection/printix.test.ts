// Printix: OAuth2 client credentials on the token origin (refreshed before expiry), tenants to link, a tenant
// provisioned for an account, its billing periods; no deposits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, settle, type World } from './helpers.ts';

describe(`Printix against the sandbox (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  let serverId: string;

  beforeAll(async () => {
    w = await collectionWorld({
      now: '2025-04-15T02:00:00Z',
      sandbox: { start: '2025-01-01', printixTenants: 3, tokenTtlSeconds: 600, variants: { printix: { separateAuth: true } } },
    });
    dealer = await w.t.account('Dealer Printix');
  });
  afterAll(async () => w.close());

  const tokenCalls = async () => {
    const stats = (await (await fetch(`${w.sb.printix.authUrl}/__sandbox/stats`)).json()) as { routes: Record<string, Record<string, number>> };
    return stats.routes['POST /oauth/token']?.['200'] ?? 0;
  };

  it('needs the partner id, and gets its tokens from the separate auth origin', async () => {
    const base = { type: 'printix', url: w.sb.printix.url, username: w.sb.printix.clientId, password: w.sb.printix.clientSecret };
    const missing = await w.t.call('/v1/servers', { method: 'POST', key: dealer.key, body: base });
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).error).toMatch(/partner_id is required/);
    // The API origin serves no token endpoint (separateAuth): without auth_url the test says so.
    const wrongAuth = await w.t.json('/v1/servers/test', {
      method: 'POST', key: dealer.key, expect: 200, body: { ...base, partner_id: w.sb.printix.partnerId, auth_url: `${w.sb.printix.url}/oauth/token` },
    });
    expect(wrongAuth.ok).toBe(false);
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key, body: { ...base, partner_id: w.sb.printix.partnerId, auth_url: `${w.sb.printix.authUrl}/oauth/token` },
    });
    expect(server).toMatchObject({ type: 'printix', partner_id: w.sb.printix.partnerId, auth_url: `${w.sb.printix.authUrl}/oauth/token` });
    expect(server).not.toHaveProperty('password');
    serverId = server.id;
    const test = await w.t.json(`/v1/servers/${serverId}/test`, { method: 'POST', key: dealer.key, expect: 200 });
    expect(test).toMatchObject({ ok: true, result: 'ok' });
  });

  it('lists the partner’s tenants, and refreshes the token before it expires', async () => {
    const before = await tokenCalls();
    const first = await w.t.json(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    expect(first).toHaveLength(3);
    expect(first[0]).toMatchObject({ kind: 'tenant', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await w.t.json(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    expect(await tokenCalls()).toBe(before); // the token held since the connection test serves both calls
    // 9.5 minutes later the 10-minute token is within a minute of expiry: refreshed (refresh_token grant) first.
    w.t.clock.set('2025-04-15T02:09:30Z');
    const again = await w.t.json(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    expect(again).toEqual(first);
    expect(await tokenCalls()).toBeGreaterThan(before);
  });

  it('links an account to a tenant with a feed that deposits nothing and shows billing periods', async () => {
    const [tenant] = await w.t.json(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    const customer = await w.t.account('Printix customer', { key: dealer.key });
    const feed = await w.t.json(`/v1/accounts/${customer.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: serverId, external_id: tenant.id } });
    await settle(w.t);
    const linked = await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { key: dealer.key });
    expect(linked).toMatchObject({ type: 'printix', health_check: 'healthy', external_name: tenant.name });
    expect(await w.t.json(`/v1/accounts/${customer.id}/deposits`, { key: dealer.key })).toEqual([]);
    const billing = await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}/billing`, { key: dealer.key });
    expect(billing).toMatchObject({
      tenant_name: tenant.name,
      current_billing_period: { period_start: expect.any(String), printing_users: expect.any(Number), user_licenses: expect.any(Number) },
    });
  });

  it('provisions a new tenant for an account and links it', async () => {
    const customer = await w.t.account('New Printix customer', { key: dealer.key });
    const feed = await w.t.json(`/v1/servers/${serverId}/tenants`, {
      method: 'POST', key: dealer.key,
      body: { account_id: customer.id, tenant_name: 'Acme Print', tenant_domain: 'acme-print', initial_user: { email: 'it@acme.example', name: 'IT' } },
    });
    expect(feed).toMatchObject({ account_id: customer.id, type: 'printix', external_name: 'Acme Print' });
    const tenants = await w.t.json(`/v1/servers/${serverId}/entities`, { key: dealer.key });
    expect(tenants.map((t: { id: string }) => t.id)).toContain(feed.external_id);
    const taken = await w.t.call(`/v1/servers/${serverId}/tenants`, {
      method: 'POST', key: dealer.key, body: { account_id: customer.id, tenant_name: 'Acme again', tenant_domain: 'acme-print' },
    });
    expect(taken.statusCode).toBe(502);
    expect(JSON.parse(taken.body).error).toMatch(/taken/);
    const billing = await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}/billing`, { key: dealer.key });
    expect(billing.tenant_domain).toMatch(/^acme-print/);
  });
});
