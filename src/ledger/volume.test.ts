import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { insertTransactionWithCertificate } from './transactions-service.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';

describe(`volume API (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const bucket = (accountId: string, month: string, pages: number, trees: number) => ({
    account_id: accountId, date: `${month}-01T00:00:00Z`, pages, trees,
  });

  it('sums the account and its descendants by UTC month, chronologically, with zero months in between', async () => {
    t.clock.set('2021-04-10T12:00:00Z');
    const channel = await t.account('Dealer Volume');
    const one = await t.account('Customer Volume 1', { key: channel.key });
    const two = await t.account('Customer Volume 2', { key: channel.key });
    const deposit = (key: string, pages: number, date: string) => t.json('/v1/deposits', { method: 'POST', key, body: { pages, date } });
    await deposit(one.key, 234567, '2021-01-31T23:59:59Z');
    await deposit(two.key, 1000, '2021-01-01');
    await deposit(two.key, 2469134, '2021-03-15');
    // A direct transaction counts; a month close of deposits does not count them again.
    await t.json('/v1/transactions', { method: 'POST', key: one.key, body: { pages: 16666 } });
    await t.db.transaction((tx) =>
      insertTransactionWithCertificate(tx, {
        accountId: one.id, projectId: MADAGASCAR, kind: 'month_close', period: '2021-01-01',
        date: new Date('2021-01-31T23:59:59Z'), pages: 234567, trees: '28.14804',
      }),
    );

    const volume = await t.json('/v1/volume', { key: channel.key });
    expect(volume).toEqual([
      bucket(channel.id, '2021-01', 235567, 28.27),
      bucket(channel.id, '2021-02', 0, 0),
      bucket(channel.id, '2021-03', 2469134, 296.3),
      bucket(channel.id, '2021-04', 16666, 2),
    ]);
    expect(await t.json(`/v1/accounts/${two.id}/volume`, { key: channel.key })).toEqual([
      bucket(two.id, '2021-01', 1000, 0.12),
      bucket(two.id, '2021-02', 0, 0),
      bucket(two.id, '2021-03', 2469134, 296.3),
      bucket(two.id, '2021-04', 0, 0),
    ]);
    expect(await t.json('/v1/volume?start_date=2020-12-15&end_date=2021-02-01', { key: channel.key })).toEqual([
      bucket(channel.id, '2020-12', 0, 0),
      bucket(channel.id, '2021-01', 235567, 28.27),
      bucket(channel.id, '2021-02', 0, 0),
    ]);
    expect(await t.json('/v1/volume?start_date=2021-03-31', { key: channel.key })).toEqual([
      bucket(channel.id, '2021-03', 2469134, 296.3),
      bucket(channel.id, '2021-04', 16666, 2),
    ]);
    expect(await t.json('/v1/volume?end_date=2021-01-02', { key: one.key })).toEqual([bucket(one.id, '2021-01', 234567, 28.15)]);
  });

  it('is empty for an account without pages, and follows deletes back to zero', async () => {
    const customer = await t.account('Customer Volume Empty');
    expect(await t.json('/v1/volume', { key: customer.key })).toEqual([]);
    t.clock.set('2021-04-10T12:00:00Z');
    const d = await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 50, date: '2021-03-02' } });
    expect(await t.json('/v1/volume', { key: customer.key })).toEqual([bucket(customer.id, '2021-03', 50, 0.01), bucket(customer.id, '2021-04', 0, 0)]);
    await t.json(`/v1/deposits/${d.id}`, { method: 'DELETE', key: customer.key });
    expect(await t.json('/v1/volume', { key: customer.key })).toEqual([]);
  });

  it('answers 400 naming the field for bad dates and 404 outside the key\'s subtree', async () => {
    const a = await t.account('Dealer Volume A');
    const b = await t.account('Dealer Volume B');
    const cases: [string, string][] = [
      ['/v1/volume?start_date=2021-02', 'start_date must be a date in YYYY-MM-DD format'],
      ['/v1/volume?end_date=2021-13-01', 'end_date must be a date in YYYY-MM-DD format'],
      ['/v1/volume?start_date=2021-03-01&end_date=2021-02-28', 'end_date must be on or after start_date'],
      ['/v1/volume?start_date=1971-01-01&end_date=2071-01-01', 'end_date must be within 1200 months of start_date'],
      ['/v1/volume?start_date=1900-01-01', 'start_date must be on or after 1970-01-01'],
      ['/v1/volume?end_date=9999-12-31', 'end_date must be on or before 2999-12-31'],
    ];
    for (const [url, message] of cases) {
      const res = await t.call(url, { key: a.key });
      expect(JSON.parse(res.body), url).toEqual({ code: 400, error: message });
    }
    const foreign = await t.call(`/v1/accounts/${b.id}/volume`, { key: a.key });
    expect(JSON.parse(foreign.body)).toEqual({ code: 404, error: 'Account not found' });
  });
});
