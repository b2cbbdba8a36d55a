import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { rateFor } from './rate.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';
const LETTER_16666 = { project_id: MADAGASCAR, items: [{ quantity: 16666 }] };

describe(`per-account rate and quote price (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const pathOf = async (id: string) => (await t.db.query<{ path: string }>(`SELECT path FROM accounts WHERE id = $1`, [id]))[0].path;
  const quote = (key: string) => t.json('/v1/quotes', { method: 'POST', key, body: LETTER_16666 });

  it('prices at the installation default when no account in the chain sets a rate', async () => {
    expect((await t.json('/v1/account')).rate).toBeNull();
    const dealer = await t.account('Dealer Default');
    const customer = await t.account('Customer Default', { key: dealer.key });
    expect(await quote(customer.key)).toMatchObject({ standard_pages: 16666, rate: 0.0003, price: 5 });
    expect(await rateFor(t.db, await pathOf(customer.id), '0.0003')).toBe('0.0003');
  });

  it('inherits a channel\'s rate down to its customers, and a customer\'s own rate wins', async () => {
    const dealer = await t.json('/v1/accounts', { method: 'POST', body: { name: 'Dealer Priced', rate: 0.0004 } });
    expect(dealer.rate).toBe(0.0004);
    const sibling = await t.account('Dealer Unpriced');
    expect((await quote(sibling.key)).rate).toBe(0.0003); // a sibling does not inherit

    const customer = await t.json(`/v1/accounts/${dealer.id}/accounts`, { method: 'POST', body: { name: 'Customer Inherits' } });
    expect(customer.rate).toBeNull();
    const inherited = await t.json(`/v1/accounts/${customer.id}/quotes`, { method: 'POST', body: LETTER_16666 });
    expect(inherited).toMatchObject({ rate: 0.0004, price: 6.67 });
    expect(await rateFor(t.db, await pathOf(customer.id), '0.0003')).toBe('0.0004');

    const own = await t.json(`/v1/accounts/${customer.id}`, { method: 'PATCH', body: { rate: 0.0002 } });
    expect(own.rate).toBe(0.0002);
    const cheaper = await t.json(`/v1/accounts/${customer.id}/quotes`, { method: 'POST', body: LETTER_16666 });
    expect(cheaper).toMatchObject({ rate: 0.0002, price: 3.33 });
    // A quote keeps the price it was made at.
    expect((await t.json(`/v1/accounts/${customer.id}/quotes/${inherited.id}`)).price).toBe(6.67);

    const cleared = await t.json(`/v1/accounts/${customer.id}`, { method: 'PATCH', body: { rate: null } });
    expect(cleared.rate).toBeNull();
    expect(await rateFor(t.db, await pathOf(customer.id), '0.0003')).toBe('0.0004');
    const free = await t.json(`/v1/accounts/${customer.id}`, { method: 'PATCH', body: { rate: 0 } });
    expect(free.rate).toBe(0);
    expect(await t.json(`/v1/accounts/${customer.id}/quotes`, { method: 'POST', body: LETTER_16666 })).toMatchObject({ rate: 0, price: 0 });
  });

  it('lets only an ancestor set a rate: an account cannot price itself (403)', async () => {
    const dealer = await t.account('Dealer Self');
    const customer = await t.account('Customer Self', { key: dealer.key });
    for (const [key, id] of [[customer.key, customer.id], [dealer.key, dealer.id], [t.rootKey, t.rootAccountId]]) {
      const res = await t.call(`/v1/accounts/${id}`, { method: 'PATCH', key, body: { rate: 0 } });
      expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({
        status: 403, body: { code: 403, error: 'an account cannot set its own rate; its parent account sets it' },
      });
    }
    // Acting in the customer's own scope is acting as the customer.
    const scoped = await t.call(`/v1/accounts/${customer.id}/accounts/${customer.id}`, { method: 'PATCH', key: dealer.key, body: { rate: 0 } });
    expect(scoped.statusCode).toBe(403);
    // Other fields stay editable by the account itself.
    expect((await t.json(`/v1/accounts/${customer.id}`, { method: 'PATCH', key: customer.key, body: { name: 'Renamed' } })).name).toBe('Renamed');
    const set = await t.json(`/v1/accounts/${customer.id}`, { method: 'PATCH', key: dealer.key, body: { rate: 0.00025 } });
    expect(set.rate).toBe(0.00025);
    expect((await quote(customer.key))).toMatchObject({ rate: 0.00025, price: 4.17 });
  });

  it('takes the nearest ancestor\'s rate through several levels', async () => {
    const top = await t.json('/v1/accounts', { method: 'POST', body: { name: 'Top channel', rate: 0.001 } });
    const middle = await t.json(`/v1/accounts/${top.id}/accounts`, { method: 'POST', body: { name: 'Sub channel', role: 'channel' } });
    const leaf = await t.json(`/v1/accounts/${middle.id}/accounts`, { method: 'POST', body: { name: 'Leaf' } });
    expect(await rateFor(t.db, await pathOf(leaf.id), '0.0003')).toBe('0.001');
    await t.json(`/v1/accounts/${middle.id}`, { method: 'PATCH', body: { rate: 0.0005 } });
    expect(await rateFor(t.db, await pathOf(leaf.id), '0.0003')).toBe('0.0005');
    expect(await rateFor(t.db, await pathOf(top.id), '0.0003')).toBe('0.001');
  });

  it('refuses an invalid rate with a message naming the field', async () => {
    const dealer = await t.account('Dealer Invalid');
    const cases: Array<[unknown, string]> = [
      [-0.0001, 'rate must be at least 0'],
      [1001, 'rate must be at most 1000'],
      ['cheap', 'rate must be a number or decimal text such as "0.2159"'],
      [true, 'rate must be a number or decimal text or null'],
      [0.00000000001, 'rate must have at most 10 decimal places'],
    ];
    for (const [rate, error] of cases) {
      const res = await t.call(`/v1/accounts/${dealer.id}`, { method: 'PATCH', body: { rate } });
      expect({ rate, status: res.statusCode, body: JSON.parse(res.body) }).toEqual({ rate, status: 400, body: { code: 400, error } });
      const created = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Bad rate', rate } });
      expect(JSON.parse(created.body)).toEqual({ code: 400, error });
    }
    expect((await t.json(`/v1/accounts/${dealer.id}`, { method: 'PATCH', body: { rate: '0.00035' } })).rate).toBe(0.00035);
  });
});
