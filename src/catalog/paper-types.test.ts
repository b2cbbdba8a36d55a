import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { DEFAULT_PAPER_TYPES } from '../domain/paper-types.ts';

const BOND_20 = 'd3c3e1df-5e55-4587-9d81-91ac87927424';
const GLOSS_COVER_80 = 'a11c7abc-011e-462f-babb-3c6375fa6473';
const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';

describe(`paper types API (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  let stranger: { id: string; key: string };
  beforeAll(async () => {
    t = await createTestApp();
    dealer = await t.account('Dealer Paper');
    customer = await t.account('Customer Paper', { key: dealer.key });
    stranger = await t.account('Unrelated Dealer');
  });
  afterAll(async () => t.close());

  it('retrieves a default type by the id the reference shows', async () => {
    const bond = await t.json(`/v1/paper/types/${BOND_20}`, { key: customer.key });
    expect(bond).toEqual({ id: BOND_20, account_id: null, name: '20# Bond/Writing/Ledger', density: 75, external_id: 'bond-20#' });
    const cover = await t.json(`/v1/paper/types/${GLOSS_COVER_80}`, { key: customer.key });
    expect(cover).toMatchObject({ name: '80# #2 Gloss Cover', density: 216, external_id: 'cover-gloss-#2-80#' });
  });

  it('creates a custom type from the reference example, owned by the account', async () => {
    const created = await t.json('/v1/paper/types', { method: 'POST', key: customer.key, body: { name: '20# Bond/Writing/Ledger', density: 75 } });
    expect(created).toEqual({ id: expect.any(String), account_id: customer.id, name: '20# Bond/Writing/Ledger', density: 75, external_id: null });
    expect(created.id).not.toBe(BOND_20);
    const withExternal = await t.json('/v1/paper/types', {
      method: 'POST', key: customer.key, body: { name: '60# #3 Gloss Text', density: 89, external_id: 'text-gloss-#3-60#' },
    });
    expect(withExternal).toMatchObject({ account_id: customer.id, density: 89, external_id: 'text-gloss-#3-60#' });
    expect(await t.json(`/v1/paper/types/${withExternal.id}`, { key: customer.key })).toEqual(withExternal);
  });

  it('lists the defaults in catalog order, then the account\'s own types by name', async () => {
    const owner = await t.account('Customer Sorted', { key: dealer.key });
    for (const name of ['zeta stock', 'Alpha stock', 'mid stock']) {
      await t.json('/v1/paper/types', { method: 'POST', key: owner.key, body: { name, density: 100 } });
    }
    await t.json('/v1/paper/types', { method: 'POST', key: stranger.key, body: { name: 'Not yours', density: 90 } });
    const list: Array<{ id: string; name: string; account_id: string | null }> = await t.json('/v1/paper/types', { key: owner.key });
    expect(list.slice(0, DEFAULT_PAPER_TYPES.length).map((p) => p.id)).toEqual(DEFAULT_PAPER_TYPES.map((p) => p.id));
    expect(list.slice(DEFAULT_PAPER_TYPES.length).map((p) => p.name)).toEqual(['Alpha stock', 'mid stock', 'zeta stock']);
    expect(list.filter((p) => p.account_id !== null).every((p) => p.account_id === owner.id)).toBe(true);
    const paged = await t.call(`/v1/paper/types?limit=2&page=2`, { key: owner.key });
    expect(JSON.parse(paged.body).map((p: { id: string }) => p.id)).toEqual(DEFAULT_PAPER_TYPES.slice(2, 4).map((p) => p.id));
    expect(paged.headers.link).toMatch(/page=3/);
  });

  it('refuses invalid custom types with a message naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ density: 75 }, 'name is required'],
      [{ name: '   ', density: 75 }, 'name must not be blank'],
      [{ name: '' , density: 75 }, 'name must not be empty'],
      [{ name: 'X' }, 'density is required'],
      [{ name: 'X', density: 0 }, 'density must be at least 1'],
      [{ name: 'X', density: 1001 }, 'density must be at most 1000'],
      [{ name: 'X', density: '90' }, 'density must be an integer'],
      [{ name: 'X', density: true }, 'density must be an integer'],
      [{ name: 'X\u0000Y', density: 90 }, 'name must not contain NUL (\\u0000) characters'],
      [{ name: 'X', density: 75.5 }, 'density must be an integer'],
      [{ name: 'X', density: 'heavy' }, 'density must be an integer'],
      [{ name: 'X', density: 75, external_id: 'x'.repeat(201) }, 'external_id must be at most 200 characters'],
    ];
    for (const [body, error] of cases) {
      const res = await t.call('/v1/paper/types', { method: 'POST', key: customer.key, body });
      expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({ status: 400, body: { code: 400, error } });
    }
  });

  it('hides a custom type from every other account, but its ancestors reach it through its scope', async () => {
    const own = await t.json('/v1/paper/types', { method: 'POST', key: customer.key, body: { name: 'Private', density: 120 } });
    for (const key of [stranger.key, dealer.key]) {
      const res = await t.call(`/v1/paper/types/${own.id}`, { key });
      expect(res.statusCode).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ code: 404, error: 'Paper type not found' });
      expect((await t.call(`/v1/paper/types/${own.id}`, { method: 'DELETE', key })).statusCode).toBe(404);
    }
    expect(await t.json(`/v1/accounts/${customer.id}/paper/types/${own.id}`, { key: dealer.key })).toEqual(own);
    expect((await t.call(`/v1/accounts/${customer.id}/paper/types/${own.id}`, { key: stranger.key })).statusCode).toBe(404);
  });

  it('creates in a descendant\'s scope for that descendant', async () => {
    const created = await t.json(`/v1/accounts/${customer.id}/paper/types`, { method: 'POST', key: dealer.key, body: { name: 'Via dealer', density: 80 } });
    expect(created.account_id).toBe(customer.id);
  });

  it('deletes an own type, refuses a default one (403) and one a quote or deposit uses (409)', async () => {
    const own = await t.json('/v1/paper/types', { method: 'POST', key: customer.key, body: { name: 'Disposable', density: 90 } });
    expect(await t.json(`/v1/paper/types/${own.id}`, { method: 'DELETE', key: customer.key })).toEqual({ id: own.id, deleted: true });
    expect((await t.call(`/v1/paper/types/${own.id}`, { key: customer.key })).statusCode).toBe(404);

    const res = await t.call(`/v1/paper/types/${BOND_20}`, { method: 'DELETE', key: customer.key });
    expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({
      status: 403, body: { code: 403, error: 'default paper types cannot be deleted' },
    });

    const used = await t.json('/v1/paper/types', { method: 'POST', key: customer.key, body: { name: 'Quoted', density: 89 } });
    await t.json('/v1/quotes', {
      method: 'POST', key: customer.key,
      body: { project_id: MADAGASCAR, items: [{ quantity: 10, paper_type_id: used.id }, { quantity: 5, paper_type_id: used.id }] },
    });
    const refused = await t.call(`/v1/paper/types/${used.id}`, { method: 'DELETE', key: customer.key });
    expect({ status: refused.statusCode, body: JSON.parse(refused.body) }).toEqual({
      status: 409, body: { code: 409, error: 'paper type is used by 2 quote items and cannot be deleted' },
    });
    await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 500, paper_type_id: used.id } });
    const both = await t.call(`/v1/paper/types/${used.id}`, { method: 'DELETE', key: customer.key });
    expect(JSON.parse(both.body)).toEqual({ code: 409, error: 'paper type is used by 2 quote items and 1 deposit and cannot be deleted' });
    expect((await t.call(`/v1/paper/types/${used.id}`, { key: customer.key })).statusCode).toBe(200);
  });
});
