import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { monthlyPagesDrift } from './rollup-check.ts';
import { insertTransactionWithCertificate } from './transactions-service.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';
const A4_80 = 'A4 80 g/m²';

describe(`deposits API (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const figures = async (url: string, key?: string) => {
    const a = await t.json(url, key ? { key } : {});
    return { mtd: a.mtd_pages, qtd: a.qtd_pages, ytd: a.ytd_pages, ltd: a.ltd_pages, ltd_trees: a.ltd_trees };
  };
  const count = async (sql: string, params: unknown[]) => Number((await t.db.query<{ n: number }>(sql, params))[0].n);

  it('creates the reference deposit of 16,666 pages with Letter, 75 g/m² and now as defaults', async () => {
    t.clock.set('2021-03-08T14:52:33.250Z');
    const customer = await t.account('Customer Ref');
    const created = await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 16666 } });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      account_id: customer.id,
      feed_id: null,
      source_id: null,
      date: '2021-03-08T14:52:33Z',
      pages: 16666,
      width: 0.2159,
      length: 0.2794,
      density: 75,
      paper_type_id: null,
    });
    expect(await t.json(`/v1/deposits/${created.id}`, { key: customer.key })).toEqual(created);
    const [stored] = await t.db.query<{ standard_pages: number; day: string }>(
      `SELECT standard_pages, day::text AS day FROM deposits WHERE id = $1`, [created.id],
    );
    expect(stored).toEqual({ standard_pages: 16666, day: '2021-03-08' });
    expect((await figures('/v1/account', customer.key)).ltd_trees).toBe(2);
  });

  it('moves mtd/qtd/ytd/ltd of the customer and every ancestor by exactly the standard pages, and back on delete', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const channel = await t.account('Dealer Figures');
    const customer = await t.account('Customer Figures', { key: channel.key });
    const deposit = (pages: number, date: string) =>
      t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages, date } });
    const march = await deposit(1000, '2021-03-01');
    const january = await deposit(200, '2021-01-15T10:00:00Z');
    const december = await deposit(30, '2020-12-31T23:59:59Z');
    // A deposit in the last second of February counts in February, not in March (UTC months).
    const february = await deposit(4, '2021-02-28T23:59:59+00:00');
    const expected = { mtd: 1000, qtd: 1204, ytd: 1204, ltd: 1234, ltd_trees: 0.15 };
    expect(await figures('/v1/account', customer.key)).toEqual(expected);
    expect(await figures(`/v1/accounts/${customer.id}`, channel.key)).toEqual(expected);
    expect(await figures('/v1/account', channel.key)).toEqual(expected);
    expect(await figures(`/v1/accounts/${channel.id}/account`)).toEqual(expected);
    const rootBefore = await figures('/v1/account');

    await t.json(`/v1/deposits/${march.id}`, { method: 'DELETE', key: customer.key, expect: 200 });
    await t.json(`/v1/accounts/${customer.id}/deposits/${december.id}`, { method: 'DELETE', key: channel.key, expect: 200 });
    const after = { mtd: 0, qtd: 204, ytd: 204, ltd: 204, ltd_trees: 0.02 };
    expect(await figures('/v1/account', customer.key)).toEqual(after);
    expect(await figures('/v1/account', channel.key)).toEqual(after);
    expect((await figures('/v1/account')).ltd).toBe(rootBefore.ltd - 1030);
    expect(january.date).toBe('2021-01-15T10:00:00Z');
    expect(february.date).toBe('2021-02-28T23:59:59Z');
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('counts an A4 80 g/m² deposit (by paper type, with the height alias) in standard pages by the paper rules', async () => {
    const customer = await t.account('Customer A4');
    const [a4] = await t.db.query<{ id: string; density: number }>(`SELECT id, density FROM paper_types WHERE name = $1`, [A4_80]);
    expect(a4.density).toBe(80);
    const created = await t.json('/v1/deposits', {
      method: 'POST', key: customer.key, body: { pages: 1000, width: 0.21, height: 0.297, paper_type_id: a4.id },
    });
    expect(created).toMatchObject({ pages: 1000, width: 0.21, length: 0.297, density: 80, paper_type_id: a4.id });
    // 1000 x 0.21 x 0.297 x 80 = 4989.6 g; / 4.5241845 = 1102.87 → 1103 standard pages.
    expect(await figures('/v1/account', customer.key)).toMatchObject({ mtd: 1103, ltd: 1103 });
    const explicit = await t.json('/v1/deposits', {
      method: 'POST', key: customer.key, body: { pages: 1000, width: '0.21', length: 0.297, density: 80 },
    });
    expect(explicit).toMatchObject({ density: 80, paper_type_id: null });
    expect((await figures('/v1/account', customer.key)).ltd).toBe(2206);
  });

  it('lists reverse-chronologically by date with inclusive UTC-day filters and pages with a Link', async () => {
    const customer = await t.account('Customer List');
    const dates = ['2021-02-07T23:59:59Z', '2021-02-08', '2021-02-10T23:59:59Z', '2021-02-08T12:00:00Z', '2021-02-11T00:00:00Z'];
    for (const [i, date] of dates.entries()) {
      await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: i + 1, date } });
    }
    const all = await t.json('/v1/deposits', { key: customer.key });
    expect(all.map((d: { date: string }) => d.date)).toEqual([
      '2021-02-11T00:00:00Z', '2021-02-10T23:59:59Z', '2021-02-08T12:00:00Z', '2021-02-08T00:00:00Z', '2021-02-07T23:59:59Z',
    ]);
    const filtered = await t.json('/v1/deposits?start_date=2021-02-08&end_date=2021-02-10', { key: customer.key });
    expect(filtered.map((d: { pages: number }) => d.pages)).toEqual([3, 4, 2]);
    const from = await t.json('/v1/deposits?start_date=2021-02-11', { key: customer.key });
    expect(from.map((d: { pages: number }) => d.pages)).toEqual([5]);
    const until = await t.json('/v1/deposits?end_date=2021-02-07', { key: customer.key });
    expect(until.map((d: { pages: number }) => d.pages)).toEqual([1]);
    const first = await t.call('/v1/deposits?limit=2', { key: customer.key });
    expect(JSON.parse(first.body).map((d: { pages: number }) => d.pages)).toEqual([5, 3]);
    expect(first.headers.link).toMatch(/<http[^>]*page=2[^>]*>; rel="next"/);
    const last = await t.call('/v1/deposits?limit=2&page=3', { key: customer.key });
    expect(JSON.parse(last.body).map((d: { pages: number }) => d.pages)).toEqual([1]);
    expect(last.headers.link).toBeUndefined();
    const backwards = await t.call('/v1/deposits?start_date=2021-02-10&end_date=2021-02-08', { key: customer.key });
    expect(JSON.parse(backwards.body)).toEqual({ code: 400, error: 'end_date must be on or after start_date' });
  });

  it('keeps the roll-up exact under parallel deposits and deletes in sibling accounts', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const channel = await t.account('Dealer Parallel');
    const one = await t.account('Customer Parallel 1', { key: channel.key });
    const two = await t.account('Customer Parallel 2', { key: channel.key });
    const post = (key: string, pages: number) => t.json('/v1/deposits', { method: 'POST', key, body: { pages, date: '2021-03-0' + (1 + (pages % 7)) } });
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => post(i % 2 ? one.key : two.key, i + 1)));
    await Promise.all(
      created.filter((d) => d.pages % 3 === 0).map((d) =>
        t.json(`/v1/accounts/${d.account_id}/deposits/${d.id}`, { method: 'DELETE', key: channel.key, expect: 200 })),
    );
    const kept = created.filter((d) => d.pages % 3 !== 0).reduce((total, d) => total + d.pages, 0);
    expect((await figures('/v1/account', channel.key)).ltd).toBe(kept);
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('refuses a deposit dated in a closed month with 409 and the reason, writing nothing', async () => {
    const customer = await t.account('Customer Closed');
    const open = await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 10, date: '2020-11-30' } });
    await t.db.query(`INSERT INTO closed_months (month) VALUES ('2020-11-01')`);
    const before = await figures('/v1/account', customer.key);
    const res = await t.call('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 500, date: '2020-11-15T08:00:00Z' } });
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toEqual({ code: 409, error: expect.stringContaining('month 2020-11 is closed') });
    expect(await count(`SELECT count(*) AS n FROM deposits WHERE account_id = $1`, [customer.id])).toBe(1);
    expect(await figures('/v1/account', customer.key)).toEqual(before);
    // Its neighbours stay open.
    await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 1, date: '2020-12-01' } });
    // An unlocked deposit already in the month cannot be deleted once the month is closed.
    const del = await t.call(`/v1/deposits/${open.id}`, { method: 'DELETE', key: customer.key });
    expect(del.statusCode).toBe(409);
    expect(JSON.parse(del.body).error).toContain('month 2020-11 is closed');
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('refuses to delete a deposit locked into a month-close transaction, naming it', async () => {
    const customer = await t.account('Customer Locked');
    const deposit = await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 16666, date: '2021-01-20' } });
    const closing = await t.db.transaction((tx) =>
      insertTransactionWithCertificate(tx, {
        accountId: customer.id, projectId: MADAGASCAR, kind: 'month_close', period: '2021-01-01',
        date: new Date('2021-01-31T23:59:59Z'), pages: 16666, trees: '1.99992',
      }),
    );
    await t.db.query(`UPDATE deposits SET transaction_id = $2 WHERE id = $1`, [deposit.id, closing.id]);
    const res = await t.call(`/v1/deposits/${deposit.id}`, { method: 'DELETE', key: customer.key });
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body).error).toBe(
      `deposit is locked: month 2021-01 was closed into transaction ${closing.id}, so it can no longer be deleted`,
    );
    expect((await t.json(`/v1/deposits/${deposit.id}`, { key: customer.key })).pages).toBe(16666);
    // The month-close transaction did not count its deposit's pages a second time.
    expect((await figures('/v1/account', customer.key)).ltd).toBe(16666);
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('refuses deposits into an inactive account: 409 from an ancestor, 403 from its own key', async () => {
    const channel = await t.account('Dealer Inactive');
    const customer = await t.account('Customer Inactive', { key: channel.key });
    await t.json(`/v1/accounts/${customer.id}/deactivate`, { method: 'POST', key: channel.key, expect: 200 });
    // Its own key may not write at all (the inactive rule, 403); its active dealer writing into it meets
    // the ledger's rule (409): an inactive account's entries would never settle.
    const own = await t.call('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 1 } });
    expect(own.statusCode).toBe(403);
    const res = await t.call(`/v1/accounts/${customer.id}/deposits`, { method: 'POST', key: channel.key, body: { pages: 1 } });
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body).error).toContain('account is inactive');
    expect(await count(`SELECT count(*) AS n FROM deposits WHERE account_id = $1`, [customer.id])).toBe(0);
  });

  it('answers 400 naming the field for every invalid deposit, and writes nothing', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const customer = await t.account('Customer Invalid');
    const cases: [unknown, string][] = [
      [{}, 'pages is required'],
      [{ pages: 0 }, 'pages must be at least 1'],
      [{ pages: -4 }, 'pages must be at least 1'],
      [{ pages: 1.5 }, 'pages must be an integer'],
      [{ pages: 'many' }, 'pages must be an integer'],
      [{ pages: 1e13 }, 'pages must be at most 1000000000'],
      [{ pages: '0x10' }, 'pages must be an integer'],
      [{ pages: '16' }, 'pages must be an integer'],
      [{ pages: true }, 'pages must be an integer'],
      [{ pages: 1, width: 0 }, 'width must be greater than 0'],
      [{ pages: 1, width: 'wide' }, 'width must be a number or decimal text such as "0.2159"'],
      [{ pages: 1, width: true }, 'width must be a number or decimal text or null'],
      [{ pages: 1, length: 11 }, 'length must be at most 10'],
      [{ pages: 1, length: '11' }, 'length must be a positive number (metres) no greater than 10'],
      [{ pages: 1_000_000_000, width: 10, length: 10, density: 1000 },
        'pages x width x length x density must be at most 10000000000 g (10,000 tonnes of paper)'],
      [{ pages: 1, height: -1 }, 'height must be greater than 0'],
      [{ pages: 1, length: 0.3, height: 0.2 }, 'height is an alias of length; give one of them, or the same value'],
      [{ pages: 1, density: 75.5 }, 'density must be an integer or null'],
      [{ pages: 1, density: 0 }, 'density must be at least 1'],
      [{ pages: 1, date: 'yesterday' }, 'date must be a date (YYYY-MM-DD) or an ISO 8601 time such as 2021-03-08T14:52:33Z'],
      [{ pages: 1, date: '2021-02-30' }, 'date must be a calendar date in YYYY-MM-DD format'],
      [{ pages: 1, date: '2021-03-08T14:52:34Z' }, 'date must not be in the future'],
      [{ pages: 1, date: '2021-03-09' }, 'date must not be in the future'],
      [{ pages: 1, date: '1969-12-31T23:59:59Z' }, 'date must be on or after 1970-01-01'],
      [{ pages: 1, paper_type_id: 'a4' }, 'paper_type_id must be a UUID'],
      [{ pages: 1, paper_type_id: 'd3c3e1df-5e55-4587-9d81-91ac87927424', density: 80 },
        'density conflicts with paper_type_id (75 g/m²); give one of them'],
      ['[1,2]', 'body must be a JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await t.call('/v1/deposits', { method: 'POST', key: customer.key, body });
      expect({ body, status: res.statusCode, error: JSON.parse(res.body).error }).toEqual({ body, status: 400, error: message });
    }
    const unknownType = await t.call('/v1/deposits', {
      method: 'POST', key: customer.key, body: { pages: 1, paper_type_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(JSON.parse(unknownType.body)).toEqual({ code: 404, error: 'Paper type not found' });
    const badFilter = await t.call('/v1/deposits?start_date=2021-2-1', { key: customer.key });
    expect(JSON.parse(badFilter.body)).toEqual({ code: 400, error: 'start_date must be a date in YYYY-MM-DD format' });
    const badId = await t.call('/v1/deposits/123', { key: customer.key });
    expect(JSON.parse(badId.body)).toEqual({ code: 400, error: 'id must be a UUID' });
    expect(await count(`SELECT count(*) AS n FROM deposits WHERE account_id = $1`, [customer.id])).toBe(0);
    // Null stands for "not given".
    const nulls = await t.json('/v1/deposits', {
      method: 'POST', key: customer.key, body: { pages: 2, date: null, width: null, length: null, density: null, paper_type_id: null },
    });
    expect(nulls).toMatchObject({ date: '2021-03-08T14:52:33Z', width: 0.2159, length: 0.2794, density: 75 });
  });

  it('answers 404 for a deposit of any other account, on every :id route', async () => {
    const a = await t.account('Dealer A deposits');
    const b = await t.account('Dealer B deposits');
    const aCustomer = await t.account('A customer deposits', { key: a.key });
    const deposit = await t.json('/v1/deposits', { method: 'POST', key: aCustomer.key, body: { pages: 7 } });
    for (const [key, url] of [
      [b.key, `/v1/deposits/${deposit.id}`],
      [b.key, `/v1/accounts/${aCustomer.id}/deposits/${deposit.id}`],
      // The parent's own scope holds only its own deposits.
      [a.key, `/v1/deposits/${deposit.id}`],
    ] as const) {
      for (const method of ['GET', 'DELETE'] as const) {
        const res = await t.call(url, { method, key });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
    }
    expect((await t.json('/v1/deposits', { key: b.key })).length).toBe(0);
    expect(await t.json(`/v1/accounts/${aCustomer.id}/deposits/${deposit.id}`, { key: a.key })).toEqual(deposit);
  });
});
