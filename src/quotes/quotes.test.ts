import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';
const ETHIOPIA = '692bb68d-64aa-4a79-8a08-d373fb0d8752';
const NEPAL = '8b2b2289-4176-4fd4-aecd-4c8ffd47d41e';
const GLOSS_COVER_80 = 'a11c7abc-011e-462f-babb-3c6375fa6473';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

// The reference's figure: 16,666 Letter pages at 75 g/m².
const LETTER_16666 = { project_id: MADAGASCAR, items: [{ quantity: 16666, width: 0.2159, length: 0.2794, density: 75 }] };
const LETTER_TOTALS = { mass: 75400.058877, standard_pages: 16666, trees: 1.99992, rate: 0.0003, price: 5 };

describe(`quotes API (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  beforeAll(async () => {
    t = await createTestApp();
    dealer = await t.account('Dealer Quotes');
    customer = await t.account('Customer Quotes', { key: dealer.key });
  });
  afterAll(async () => t.close());

  const post = (body: unknown, key = customer.key) => t.json('/v1/quotes', { method: 'POST', key, body });

  it('quotes the reference example given as paper specs', async () => {
    const quote = await post(LETTER_16666);
    expect(quote).toEqual({
      id: expect.any(String), account_id: customer.id, project_id: MADAGASCAR, created_at: '2021-03-08T14:52:33Z',
      ...LETTER_TOTALS, external_id: null, transaction_id: null,
      items: [{ quantity: 16666, width: 0.2159, length: 0.2794, density: 75, paper_type_id: null, mass: 75400.058877 }],
    });
    expect(await t.json(`/v1/quotes/${quote.id}`, { key: customer.key })).toEqual(quote);
    const [stored] = await t.db.query<{ mass: string; trees: string; price: string }>(
      `SELECT mass::text AS mass, trees::text AS trees, price::text AS price FROM quotes WHERE id = $1`, [quote.id],
    );
    expect(stored).toEqual({ mass: '75400.058877', trees: '1.99992', price: '4.9998' });
  });

  it('fills in US Letter and 75 g/m², and takes height as an alias of length', async () => {
    const defaults = await post({ project_id: MADAGASCAR, items: [{ quantity: 16666 }], external_id: 'po-7' });
    expect(defaults).toMatchObject({ ...LETTER_TOTALS, external_id: 'po-7' });
    expect(defaults.items).toEqual([{ quantity: 16666, width: 0.2159, length: 0.2794, density: 75, paper_type_id: null, mass: 75400.058877 }]);
    const height = await post({ project_id: MADAGASCAR, items: [{ quantity: 16666, width: 0.2159, height: 0.2794 }] });
    expect(height).toMatchObject(LETTER_TOTALS);
  });

  it('quotes the reference example given as a mass', async () => {
    const quote = await post({ project_id: MADAGASCAR, items: [{ mass: 75400.058877 }] });
    expect(quote).toMatchObject(LETTER_TOTALS);
    expect(quote.items).toEqual([{ quantity: null, width: null, length: null, density: null, paper_type_id: null, mass: 75400.058877 }]);
  });

  it('takes the density from a default or own paper type and adds the items\' masses', async () => {
    const own = await t.json('/v1/paper/types', { method: 'POST', key: customer.key, body: { name: '60# #3 Gloss Text', density: 89 } });
    const quote = await post({
      project_id: NEPAL,
      items: [
        { quantity: 20000, width: 0.2127, length: 0.2762, paper_type_id: GLOSS_COVER_80 },
        { quantity: 400000, width: 0.2127, length: 0.2762, density: 89, paper_type_id: own.id },
      ],
    });
    expect(quote).toMatchObject({ project_id: NEPAL, mass: 2345209.7808, standard_pages: 518372, trees: 62.20464, price: 155.51 });
    expect(quote.items).toEqual([
      { quantity: 20000, width: 0.2127, length: 0.2762, density: 216, paper_type_id: GLOSS_COVER_80, mass: 253790.2368 },
      { quantity: 400000, width: 0.2127, length: 0.2762, density: 89, paper_type_id: own.id, mass: 2091419.544 },
    ]);
  });

  it('lists the account\'s quotes newest first, without items', async () => {
    const owner = await t.account('Customer Listing', { key: dealer.key });
    const made: string[] = [];
    for (const quantity of [100, 200, 300]) {
      t.clock.advanceDays(1);
      made.push((await post({ project_id: MADAGASCAR, items: [{ quantity }] }, owner.key)).id);
    }
    const list = await t.json('/v1/quotes', { key: owner.key });
    expect(list.map((q: { id: string }) => q.id)).toEqual(made.reverse());
    expect(list[0]).not.toHaveProperty('items');
    expect(list[0]).toMatchObject({ account_id: owner.id, created_at: '2021-03-11T14:52:33Z', standard_pages: 300, transaction_id: null });
    const second = await t.call('/v1/quotes?limit=1&page=2', { key: owner.key });
    expect(JSON.parse(second.body).map((q: { id: string }) => q.id)).toEqual([made[1]]);
    expect(second.headers.link).toMatch(/page=3/);
  });

  it('refuses invalid quotes with 400 and a message naming the field', async () => {
    const stranger = await t.account('Unrelated Dealer');
    const foreign = await t.json('/v1/paper/types', { method: 'POST', key: stranger.key, body: { name: 'Theirs', density: 80 } });
    const item = { quantity: 10 };
    const cases: Array<[unknown, string]> = [
      [{ items: [item] }, 'project_id is required'],
      [{ project_id: 'madagascar', items: [item] }, 'project_id must be a UUID'],
      [{ project_id: UNKNOWN, items: [item] }, 'project_id is not a known forestry project (see GET /v1/forestry/projects)'],
      [{ project_id: ETHIOPIA, items: [item] }, 'project_id is Ethiopia, a complete project that no longer receives trees; choose an active project'],
      [{ project_id: MADAGASCAR }, 'items is required'],
      [{ project_id: MADAGASCAR, items: [] }, 'items must have at least 1 item(s)'],
      [{ project_id: MADAGASCAR, items: 'many' }, 'items must be an array'],
      [{ project_id: MADAGASCAR, items: { quantity: 10 } }, 'items must be an array'],
      [{ project_id: MADAGASCAR, items: [{}] }, 'items[0].quantity is required (or give mass)'],
      [{ project_id: MADAGASCAR, items: [item, { quantity: 10, width: -1 }] }, 'items[1].width must be greater than 0'],
      [{ project_id: MADAGASCAR, items: [item, { quantity: 10, length: 11 }] }, 'items[1].length must be at most 10'],
      [{ project_id: MADAGASCAR, items: [{ quantity: 0 }] }, 'items[0].quantity must be at least 1'],
      [{ project_id: MADAGASCAR, items: [{ quantity: 1.5 }] }, 'items[0].quantity must be an integer or null'],
      [{ project_id: MADAGASCAR, items: [{ quantity: 10, density: 75.5 }] }, 'items[0].density must be an integer or null'],
      [{ project_id: MADAGASCAR, items: [{ quantity: 10, density: 3000 }] }, 'items[0].density must be at most 1000'],
      [{ project_id: MADAGASCAR, items: [{ quantity: '10' }] }, 'items[0].quantity must be an integer or null'],
      [
        { project_id: MADAGASCAR, items: [{ mass: 6e9 }, { mass: 5e9 }] },
        'items must weigh at most 10000000000 g (10,000 tonnes of paper) in total',
      ],
      [{ project_id: MADAGASCAR, items: [{ mass: 0 }] }, 'items[0].mass must be greater than 0'],
      [{ project_id: MADAGASCAR, items: [{ mass: 100, quantity: 10 }] }, 'items[0].mass cannot be combined with quantity; give one of them'],
      [
        { project_id: MADAGASCAR, items: [{ quantity: 10, length: 0.2794, height: 0.3 }] },
        'items[0].height is an alias of length; give one of them, or the same value',
      ],
      [
        { project_id: MADAGASCAR, items: [{ quantity: 10, paper_type_id: UNKNOWN }] },
        'items[0].paper_type_id is not a paper type of this account or the default catalog',
      ],
      [
        { project_id: MADAGASCAR, items: [item, { quantity: 10, paper_type_id: foreign.id }] },
        'items[1].paper_type_id is not a paper type of this account or the default catalog',
      ],
      [
        { project_id: MADAGASCAR, items: [{ quantity: 10, density: 75, paper_type_id: GLOSS_COVER_80 }] },
        'items[0].density conflicts with paper_type_id, whose density is 216; give one of them',
      ],
      [
        { project_id: MADAGASCAR, items: [{ mass: 100, paper_type_id: GLOSS_COVER_80 }] },
        'items[0].paper_type_id cannot be combined with mass; give paper (quantity, size, paper type) or a mass',
      ],
    ];
    for (const [body, error] of cases) {
      const res = await t.call('/v1/quotes', { method: 'POST', key: customer.key, body });
      expect({ body, status: res.statusCode, response: JSON.parse(res.body) }).toEqual({ body, status: 400, response: { code: 400, error } });
    }
  });

  it('keeps quotes to their account: another account gets 404, an ancestor reaches them through the scope', async () => {
    const quote = await post(LETTER_16666);
    const stranger = await t.account('Another Dealer');
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await t.call(`/v1/quotes/${quote.id}`, { method, key: stranger.key });
      expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({ status: 404, body: { code: 404, error: 'Quote not found' } });
    }
    expect((await t.call(`/v1/quotes/${quote.id}`, { key: dealer.key })).statusCode).toBe(404);
    expect((await t.call(`/v1/accounts/${customer.id}/quotes/${quote.id}`, { key: stranger.key })).statusCode).toBe(404);
    expect(await t.json(`/v1/accounts/${customer.id}/quotes/${quote.id}`, { key: dealer.key })).toEqual(quote);
    expect((await t.json('/v1/quotes', { key: stranger.key })).length).toBe(0);
    const viaScope = await t.json(`/v1/accounts/${customer.id}/quotes`, { method: 'POST', key: dealer.key, body: LETTER_16666 });
    expect(viaScope.account_id).toBe(customer.id);
  });

  it('deletes a quote until it is transacted, then refuses with 409', async () => {
    const open = await post(LETTER_16666);
    expect(await t.json(`/v1/quotes/${open.id}`, { method: 'DELETE', key: customer.key })).toEqual({ id: open.id, deleted: true });
    expect((await t.call(`/v1/quotes/${open.id}`, { key: customer.key })).statusCode).toBe(404);
    expect((await t.call(`/v1/quotes/${open.id}`, { method: 'DELETE', key: customer.key })).statusCode).toBe(404);

    const transacted = await post(LETTER_16666);
    const transaction = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { quote_id: transacted.id } });
    const transactionId: string = transaction.id;
    expect(await t.json(`/v1/quotes/${transacted.id}`, { key: customer.key })).toMatchObject({ transaction_id: transactionId });
    const listed = (await t.json('/v1/quotes', { key: customer.key })).find((q: { id: string }) => q.id === transacted.id);
    expect(listed.transaction_id).toBe(transactionId);
    const res = await t.call(`/v1/quotes/${transacted.id}`, { method: 'DELETE', key: customer.key });
    expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({
      status: 409, body: { code: 409, error: `quote has been transacted (transaction ${transactionId}) and cannot be deleted` },
    });
    expect((await t.call(`/v1/quotes/${transacted.id}`, { key: customer.key })).statusCode).toBe(200);

    // Deleting the (unbilled) transaction frees the quote again.
    await t.json(`/v1/transactions/${transactionId}`, { method: 'DELETE', key: customer.key });
    expect((await t.json(`/v1/quotes/${transacted.id}`, { key: customer.key })).transaction_id).toBeNull();
    expect(await t.json(`/v1/quotes/${transacted.id}`, { method: 'DELETE', key: customer.key })).toEqual({ id: transacted.id, deleted: true });
  });
});
