import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { monthlyPagesDrift } from './rollup-check.ts';
import { insertTransactionWithCertificate } from './transactions-service.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';
const ETHIOPIA = '692bb68d-64aa-4a79-8a08-d373fb0d8752'; // complete
const NEPAL = '8b2b2289-4176-4fd4-aecd-4c8ffd47d41e';

describe(`transactions API (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const ltd = async (key: string) => (await t.json('/v1/account', { key })).ltd_pages as number;

  /** A quote row as the quotes service stores it (that service is tested on its own). */
  async function quote(accountId: string, pages: number, trees: string, projectId = MADAGASCAR): Promise<string> {
    const id = crypto.randomUUID();
    await t.db.query(
      `INSERT INTO quotes (id, account_id, project_id, mass, standard_pages, trees, rate, price, created_at)
       VALUES ($1, $2, $3, 0, $4, $5::numeric, 0.0003, 0, now())`,
      [id, accountId, projectId, pages, trees],
    );
    return id;
  }

  it('exchanges 16,666 pages for 2.0 trees with a certificate of the same id for the default project', async () => {
    t.clock.set('2015-10-21T19:45:25Z');
    const customer = await t.account('Customer Pages');
    const created = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 16666 } });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      account_id: customer.id,
      quote_id: null,
      project_id: MADAGASCAR,
      certificate_id: created.id,
      date: '2015-10-21T19:45:25Z',
      pages: 16666,
      trees: 2.0,
    });
    expect(await t.json(`/v1/transactions/${created.id}`, { key: customer.key })).toEqual(created);
    const certificate = await t.json(`/v1/certificates/${created.id}`, { key: customer.key });
    expect(certificate).toMatchObject({ id: created.id, date: created.date, pages: 16666, trees: 2.0, project_id: MADAGASCAR });
    const [stored] = await t.db.query<{ trees: string; kind: string }>(`SELECT trees::text AS trees, kind FROM transactions WHERE id = $1`, [created.id]);
    expect(stored).toEqual({ trees: '1.99992', kind: 'direct' });
  });

  it('exchanges trees for the nearest whole standard pages and keeps the trees exactly as given', async () => {
    const customer = await t.account('Customer Trees');
    const two = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { trees: 2.0 } });
    // 2 trees / 0.00012 trees a page = 16,666.67 → 16,667 standard pages.
    expect(two).toMatchObject({ pages: 16667, trees: 2.0 });
    const odd = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { trees: 0.1234567 } });
    expect(odd).toMatchObject({ pages: 1029, trees: 0.123 });
    const [stored] = await t.db.query<{ trees: string }>(`SELECT trees::text AS trees FROM certificates WHERE id = $1`, [odd.id]);
    expect(stored.trees).toBe('0.1234567');
    expect(await ltd(customer.key)).toBe(16667 + 1029);
  });

  it('transacts a quote once, with its pages, trees and project; a second time is 409, another account\'s 404', async () => {
    const customer = await t.account('Customer Quote');
    const other = await t.account('Customer Other Quote');
    const quoteId = await quote(customer.id, 525379, '63.04548', NEPAL);
    const created = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { quote_id: quoteId } });
    expect(created).toMatchObject({ quote_id: quoteId, project_id: NEPAL, pages: 525379, trees: 63.045 });
    const again = await t.call('/v1/transactions', { method: 'POST', key: customer.key, body: { quote_id: quoteId } });
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body).error).toBe(
      `quote ${quoteId} was already transacted (transaction ${created.id}); a quote is transacted once`,
    );
    const foreign = await t.call('/v1/transactions', { method: 'POST', key: other.key, body: { quote_id: quoteId } });
    expect(JSON.parse(foreign.body)).toEqual({ code: 404, error: 'Quote not found' });
    expect(await ltd(customer.key)).toBe(525379);
    // Deleting the transaction frees the quote.
    await t.json(`/v1/transactions/${created.id}`, { method: 'DELETE', key: customer.key, expect: 200 });
    const redo = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { quote_id: quoteId, project_id: MADAGASCAR } });
    expect(redo).toMatchObject({ quote_id: quoteId, project_id: MADAGASCAR });
    expect(await ltd(customer.key)).toBe(525379);
  });

  it('transacts a quote once even when two requests race for it', async () => {
    const customer = await t.account('Customer Quote Race');
    const quoteId = await quote(customer.id, 1000, '0.12');
    const results = await Promise.all(
      [1, 2, 3].map(() => t.call('/v1/transactions', { method: 'POST', key: customer.key, body: { quote_id: quoteId } })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(await ltd(customer.key)).toBe(1000);
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('plants at the project asked for, else the account\'s selected project, refusing unknown (404) and complete (409) ones', async () => {
    const customer = await t.account('Customer Projects');
    const chosen = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 10, project_id: NEPAL } });
    expect(chosen.project_id).toBe(NEPAL);
    await t.db.query(`INSERT INTO account_projects (account_id, project_id) VALUES ($1, $2)`, [customer.id, NEPAL]);
    const selected = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 10 } });
    expect(selected.project_id).toBe(NEPAL);
    const unknown = await t.call('/v1/transactions', {
      method: 'POST', key: customer.key, body: { pages: 10, project_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(JSON.parse(unknown.body)).toEqual({ code: 404, error: 'Forestry project not found' });
    const complete = await t.call('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 10, project_id: ETHIOPIA } });
    expect(complete.statusCode).toBe(409);
    expect(JSON.parse(complete.body).error).toContain('Ethiopia is complete');
    expect((await t.json('/v1/transactions', { key: customer.key })).length).toBe(2);
  });

  it('counts a direct transaction in the figures of the account and its ancestors; deleting it takes it out', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const channel = await t.account('Dealer Tx');
    const customer = await t.account('Customer Tx', { key: channel.key });
    await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 100 } });
    const tx = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 16666 } });
    const expected = { mtd_pages: 16766, ytd_pages: 16766, ltd_pages: 16766, ltd_trees: 2.01 };
    expect(await t.json('/v1/account', { key: customer.key })).toMatchObject(expected);
    expect(await t.json(`/v1/accounts/${customer.id}`, { key: channel.key })).toMatchObject(expected);
    expect(await t.json('/v1/account', { key: channel.key })).toMatchObject(expected);
    expect(await monthlyPagesDrift(t.db)).toEqual([]);

    const deleted = await t.json(`/v1/accounts/${customer.id}/transactions/${tx.id}`, { method: 'DELETE', key: channel.key });
    expect(deleted).toEqual({ id: tx.id, deleted: true });
    expect(await t.json('/v1/account', { key: channel.key })).toMatchObject({ mtd_pages: 100, ltd_pages: 100 });
    expect((await t.call(`/v1/certificates/${tx.id}`, { key: customer.key })).statusCode).toBe(404);
    expect((await t.call(`/v1/transactions/${tx.id}`, { key: customer.key })).statusCode).toBe(404);
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('refuses to delete a billed, a month-close or a closed-month transaction with 409 and the reason', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const customer = await t.account('Customer Billed');
    const billed = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 5 } });
    await t.db.query(`UPDATE transactions SET billed_at = '2021-03-31T00:00:00Z' WHERE id = $1`, [billed.id]);
    const closing = await t.db.transaction((tx) =>
      insertTransactionWithCertificate(tx, {
        accountId: customer.id, projectId: MADAGASCAR, kind: 'month_close', period: '2021-02-01',
        date: new Date('2021-02-28T23:59:59Z'), pages: 40, trees: '0.0048',
      }),
    );
    t.clock.set('2020-06-10T10:00:00Z');
    const inClosed = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 7 } });
    await t.db.query(`INSERT INTO closed_months (month) VALUES ('2020-06-01')`);
    const cases: [string, string][] = [
      [billed.id, 'transaction is locked: it was billed on 2021-03-31'],
      [closing.id, 'transaction is locked: it closed month 2021-02 and is billed with it'],
      [inClosed.id, 'transaction is locked: month 2020-06 is closed and billed'],
    ];
    for (const [id, message] of cases) {
      const res = await t.call(`/v1/transactions/${id}`, { method: 'DELETE', key: customer.key });
      expect(JSON.parse(res.body)).toEqual({ code: 409, error: message });
    }
    expect((await t.json('/v1/transactions', { key: customer.key })).length).toBe(3);
    // The month-close transaction never entered the roll-up; the two direct ones did.
    expect(await ltd(customer.key)).toBe(12);
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
  });

  it('lists reverse-chronologically with inclusive UTC-day filters and pages with a Link', async () => {
    const customer = await t.account('Customer Tx List');
    for (const [pages, now] of [[1, '2021-02-07T23:59:59Z'], [2, '2021-02-08T00:00:00Z'], [3, '2021-02-10T23:59:59Z'], [4, '2021-02-11T00:00:00Z']] as const) {
      t.clock.set(now);
      await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages } });
    }
    const all = await t.json('/v1/transactions', { key: customer.key });
    expect(all.map((x: { pages: number }) => x.pages)).toEqual([4, 3, 2, 1]);
    const filtered = await t.json('/v1/transactions?start_date=2021-02-08&end_date=2021-02-10', { key: customer.key });
    expect(filtered.map((x: { pages: number }) => x.pages)).toEqual([3, 2]);
    const paged = await t.call('/v1/transactions?limit=3', { key: customer.key });
    expect(JSON.parse(paged.body).map((x: { pages: number }) => x.pages)).toEqual([4, 3, 2]);
    expect(paged.headers.link).toMatch(/page=2/);
  });

  it('answers 400 naming the field for every invalid transaction, and writes nothing', async () => {
    const customer = await t.account('Customer Tx Invalid');
    const cases: [unknown, string][] = [
      [{}, 'pages, trees or quote_id is required (give exactly one)'],
      [{ project_id: MADAGASCAR }, 'pages, trees or quote_id is required (give exactly one)'],
      [{ pages: 10, trees: 1 }, 'trees cannot be combined with pages; give exactly one of pages, trees or quote_id'],
      [{ trees: 1, quote_id: MADAGASCAR }, 'quote_id cannot be combined with trees; give exactly one of pages, trees or quote_id'],
      [{ pages: 0 }, 'pages must be at least 1'],
      [{ pages: 2.5 }, 'pages must be an integer or null'],
      [{ trees: 0 }, 'trees must be greater than 0'],
      [{ trees: -1 }, 'trees must be greater than 0'],
      [{ trees: 'lots' }, 'trees must be a number or decimal text such as "0.2159"'],
      [{ trees: 120_001 }, 'trees must be at most 120000'],
      [{ pages: '5' }, 'pages must be an integer or null'],
      [{ trees: 0.00001 }, 'trees must be at least 0.00006 (one standard page)'],
      [{ quote_id: 'q-1' }, 'quote_id must be a UUID'],
      [{ pages: 1, project_id: 'madagascar' }, 'project_id must be a UUID'],
    ];
    for (const [body, message] of cases) {
      const res = await t.call('/v1/transactions', { method: 'POST', key: customer.key, body });
      expect({ body, status: res.statusCode, error: JSON.parse(res.body).error }).toEqual({ body, status: 400, error: message });
    }
    const badFilter = await t.call('/v1/transactions?end_date=tomorrow', { key: customer.key });
    expect(JSON.parse(badFilter.body)).toEqual({ code: 400, error: 'end_date must be a date in YYYY-MM-DD format' });
    expect((await t.json('/v1/transactions', { key: customer.key })).length).toBe(0);
    expect(await ltd(customer.key)).toBe(0);
  });

  it('refuses transactions for an inactive account: 409 from an ancestor, 403 from its own key', async () => {
    const channel = await t.account('Dealer Tx Inactive');
    const customer = await t.account('Customer Tx Inactive', { key: channel.key });
    await t.json(`/v1/accounts/${customer.id}/deactivate`, { method: 'POST', key: channel.key, expect: 200 });
    // Its own key may not write at all (the inactive rule, 403); its active dealer writing into it meets
    // the ledger's rule (409): an inactive account's entries would never settle.
    const own = await t.call('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 1 } });
    expect(own.statusCode).toBe(403);
    const res = await t.call(`/v1/accounts/${customer.id}/transactions`, { method: 'POST', key: channel.key, body: { pages: 1 } });
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body).error).toContain('account is inactive');
  });

  it('answers 404 for a transaction of any other account, on every :id route', async () => {
    const a = await t.account('Dealer A tx');
    const b = await t.account('Dealer B tx');
    const aCustomer = await t.account('A customer tx', { key: a.key });
    const tx = await t.json('/v1/transactions', { method: 'POST', key: aCustomer.key, body: { pages: 3 } });
    for (const [key, url] of [
      [b.key, `/v1/transactions/${tx.id}`],
      [b.key, `/v1/accounts/${aCustomer.id}/transactions/${tx.id}`],
      [a.key, `/v1/transactions/${tx.id}`],
    ] as const) {
      for (const method of ['GET', 'DELETE'] as const) {
        expect((await t.call(url, { method, key })).statusCode, `${method} ${url}`).toBe(404);
      }
    }
    expect(await t.json(`/v1/accounts/${aCustomer.id}/transactions/${tx.id}`, { key: a.key })).toEqual(tx);
  });
});
