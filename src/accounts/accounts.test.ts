import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';

describe(`accounts API (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answers the key\'s own account with Basic and with Bearer auth', async () => {
    const basic = await t.call('/v1/account', {
      key: null,
      headers: { authorization: `Basic ${Buffer.from(`${t.rootKey}:`).toString('base64')}` },
    });
    expect(basic.statusCode).toBe(200);
    const bearer = await t.json('/v1/account');
    expect(bearer).toEqual(JSON.parse(basic.body));
    expect(bearer).toMatchObject({
      id: t.rootAccountId, role: 'admin', parent_id: null, status: 'active', deactivated_at: null,
      accounts_count: 0, users_count: 0, mtd_pages: 0, qtd_pages: 0, ytd_pages: 0, ltd_pages: 0,
      mtd_trees: 0, qtd_trees: 0, ytd_trees: 0, ltd_trees: 0,
    });
    expect(bearer.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('creates a channel under the admin and a customer under the channel, with role defaults', async () => {
    const channel = await t.json('/v1/accounts', { method: 'POST', body: { name: 'Channel 123' } });
    expect(channel).toMatchObject({
      name: 'Channel 123', display_name: 'Channel 123', role: 'channel', parent_id: t.rootAccountId,
      status: 'active', external_id: null, accounts_count: 0, users_count: 0, ltd_pages: 0, ltd_trees: 0,
    });
    expect(channel.activated_at).toBe('2021-03-08T14:52:33Z');
    const customer = await t.json(`/v1/accounts/${channel.id}/accounts`, {
      method: 'POST', body: { name: 'Customer GHI', external_id: 'crm-42' },
    });
    expect(customer).toMatchObject({ role: 'customer', parent_id: channel.id, external_id: 'crm-42' });
    const viaParentId = await t.json('/v1/accounts', { method: 'POST', body: { name: 'Sub channel', parent_id: channel.id, role: 'channel' } });
    expect(viaParentId).toMatchObject({ role: 'channel', parent_id: channel.id });
    const reread = await t.json(`/v1/accounts/${channel.id}`);
    expect(reread.accounts_count).toBe(2);
  });

  it('enforces which roles may create which children', async () => {
    const adminCustomer = await t.call('/v1/accounts', { method: 'POST', body: { name: 'X', role: 'customer' } });
    expect(adminCustomer.statusCode).toBe(403);
    expect(JSON.parse(adminCustomer.body)).toEqual({ code: 403, error: expect.stringContaining('channel') });
    const channel = await t.account('Dealer R');
    const customer = await t.account('Customer R', { key: channel.key });
    const denied = await t.call('/v1/accounts', { method: 'POST', key: customer.key, body: { name: 'Nope' } });
    expect(denied.statusCode).toBe(403);
    expect(JSON.parse(denied.body).error).toBe('a customer account cannot have child accounts');
    const admin = await t.call('/v1/accounts', { method: 'POST', key: channel.key, body: { name: 'Y', role: 'admin' } });
    expect(admin.statusCode).toBe(403);
    const unknown = await t.call('/v1/accounts', { method: 'POST', key: channel.key, body: { name: 'Y', role: 'dealer' } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ code: 400, error: 'role must be one of: admin, channel, customer' });
  });

  it('lists children alphabetically with limit, page and a Link to the next page', async () => {
    const channel = await t.account('Dealer Sorted');
    for (const name of ['delta', 'Alpha', 'charlie', 'Bravo', 'echo']) await t.account(name, { key: channel.key });
    const all = await t.json('/v1/accounts', { key: channel.key });
    expect(all.map((a: { name: string }) => a.name)).toEqual(['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);
    expect(all[0]).not.toHaveProperty('mtd_pages');
    const first = await t.call('/v1/accounts?limit=2', { key: channel.key });
    expect(JSON.parse(first.body).map((a: { name: string }) => a.name)).toEqual(['Alpha', 'Bravo']);
    expect(first.headers.link).toMatch(/<http[^>]*page=2[^>]*>; rel="next"/);
    const last = await t.call('/v1/accounts?limit=2&page=3', { key: channel.key });
    expect(JSON.parse(last.body).map((a: { name: string }) => a.name)).toEqual(['echo']);
    expect(last.headers.link).toBeUndefined();
    const tooBig = await t.call('/v1/accounts?limit=1001', { key: channel.key });
    expect(JSON.parse(tooBig.body)).toEqual({ code: 400, error: 'limit must be at most 1000' });
  });

  it('updates only the fields sent', async () => {
    const channel = await t.account('Customer GHI');
    const updated = await t.json(`/v1/accounts/${channel.id}`, { method: 'PATCH', body: { name: 'Customer JKL' } });
    expect(updated).toMatchObject({ name: 'Customer JKL', display_name: 'Customer GHI', external_id: null });
    await t.json(`/v1/accounts/${channel.id}`, { method: 'PATCH', body: { external_id: 'crm-9' } });
    const cleared = await t.json(`/v1/accounts/${channel.id}`, { method: 'PATCH', body: { external_id: null } });
    expect(cleared.external_id).toBeNull();
    const blank = await t.call(`/v1/accounts/${channel.id}`, { method: 'PATCH', body: { name: '' } });
    expect(JSON.parse(blank.body)).toEqual({ code: 400, error: 'name must not be empty' });
  });

  it('deactivates and activates a descendant, keeping history; an account cannot switch itself off', async () => {
    const channel = await t.account('Dealer D');
    const customer = await t.account('Customer D', { key: channel.key });
    t.clock.set('2021-09-08T14:52:33Z');
    const off = await t.json(`/v1/accounts/${customer.id}/deactivate`, { method: 'POST', key: channel.key, expect: 200 });
    expect(off).toMatchObject({ status: 'inactive', deactivated_at: '2021-09-08T14:52:33Z', activated_at: '2021-03-08T14:52:33Z' });
    t.clock.set('2022-01-01T00:00:00Z');
    const on = await t.json(`/v1/accounts/${customer.id}/activate`, { method: 'POST', key: channel.key, expect: 200 });
    expect(on).toMatchObject({ status: 'active', activated_at: '2022-01-01T00:00:00Z', deactivated_at: '2021-09-08T14:52:33Z' });
    const self = await t.call(`/v1/accounts/${customer.id}/deactivate`, { method: 'POST', key: customer.key });
    expect(self.statusCode).toBe(403);
    // The key of a deactivated account still reads its history.
    await t.json(`/v1/accounts/${customer.id}/deactivate`, { method: 'POST', key: channel.key, expect: 200 });
    expect((await t.json('/v1/account', { key: customer.key })).status).toBe('inactive');
  });

  it('scopes every route to the key\'s subtree: siblings and ancestors are 404', async () => {
    const a = await t.account('Dealer A');
    const b = await t.account('Dealer B');
    const bCustomer = await t.account('B customer', { key: b.key });
    for (const url of [`/v1/accounts/${b.id}`, `/v1/accounts/${bCustomer.id}`, `/v1/accounts/${t.rootAccountId}`, `/v1/accounts/${b.id}/account`]) {
      const res = await t.call(url, { key: a.key });
      expect(res.statusCode, url).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ code: 404, error: 'Account not found' });
    }
    const scoped = await t.json(`/v1/accounts/${bCustomer.id}/account`, { key: b.key });
    expect(scoped.id).toBe(bCustomer.id);
    const grand = await t.json(`/v1/accounts/${bCustomer.id}`, { key: t.rootKey });
    expect(grand.name).toBe('B customer');
  });
});
