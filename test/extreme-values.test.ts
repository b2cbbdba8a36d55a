// Property: deposits and transactions at the realistic bounds (and anywhere inside them) keep every
// ancestor's figures exact, month close sums them exactly, and deleting one is answered (200 while open,
// 409 once closed) instead of failing. Totals past 2^53 and past bigint's 2^63 stay exact.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths } from '../src/domain/calendar.ts';
import { decimal } from '../src/domain/decimal.ts';
import { MAX_DENSITY, MAX_DIMENSION_METRES, MAX_MASS_GRAMS, MAX_PAGES, MAX_TREES, itemMass, standardPages, standardPagesFromTrees } from '../src/domain/paper.ts';
import { closeMonth } from '../src/ledger/month-close.ts';
import { monthlyPagesDrift } from '../src/ledger/rollup-check.ts';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

const SEED = Number(process.env.PROPERTY_SEED ?? 9_2026);

interface Paper {
  pages: number;
  width: string;
  length: string;
  density: number;
  day: number;
}

/** Sizes in millimetres as exact decimal text; the bounds themselves are drawn often. */
const dimension = fc.oneof(
  fc.constantFrom(MAX_DIMENSION_METRES, 0.001, 0.2159, 0.2794),
  fc.integer({ min: 1, max: MAX_DIMENSION_METRES * 1000 }).map((mm) => mm / 1000),
).map((metres) => String(metres));
const paper: fc.Arbitrary<Paper> = fc.record({
  pages: fc.oneof(fc.constantFrom(1, MAX_PAGES, MAX_PAGES - 1), fc.integer({ min: 1, max: MAX_PAGES })),
  width: dimension,
  length: dimension,
  density: fc.oneof(fc.constantFrom(1, MAX_DENSITY, 75), fc.integer({ min: 1, max: MAX_DENSITY })),
  day: fc.integer({ min: 1, max: 28 }),
});

const massOf = (p: Paper) => itemMass({ quantity: p.pages, width: decimal(p.width), length: decimal(p.length), density: p.density });
const fits = (p: Paper) => massOf(p).units <= BigInt(MAX_MASS_GRAMS) * 10n ** BigInt(massOf(p).scale);

describe(`extreme values through every ancestor's figures, month close and deletion (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let region: { id: string; key: string };
  let customer: { id: string; key: string };
  let sibling: { id: string; key: string };
  let month = '2001-01';

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2001-01-01T00:00:00Z');
    dealer = await t.account('Extreme dealer');
    region = await t.account('Extreme region', { key: dealer.key, role: 'channel' });
    customer = await t.account('Extreme customer', { key: region.key });
    sibling = await t.account('Quiet sibling', { key: region.key });
  });
  afterAll(async () => {
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
    await t.close();
  });

  /** ltd_pages of each account as exact text (JSON numbers past 2^53 would round when parsed). */
  async function lifetime(): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const id of [customer.id, region.id, dealer.id, t.rootAccountId, sibling.id]) {
      const res = await t.call(id === t.rootAccountId ? '/v1/account' : `/v1/accounts/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      out.push(BigInt(/"ltd_pages":(\d+)/.exec(res.body)![1]));
    }
    return out;
  }
  const expectGrowth = (before: bigint[], after: bigint[], pages: bigint) =>
    expect(after.map((value, i) => value - before[i])).toEqual([pages, pages, pages, pages, 0n]);

  it('writes extreme deposits and transactions, deletes one, closes the month, and every figure stays exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(paper, { minLength: 1, maxLength: 5 }),
        fc.oneof(fc.constantFrom(1, MAX_PAGES), fc.integer({ min: 1, max: MAX_PAGES })),
        fc.oneof(fc.constantFrom(MAX_TREES, 0.00006), fc.integer({ min: 1, max: MAX_TREES * 1000 }).map((n) => n / 1000)),
        fc.nat(),
        async (deposits, transactionPages, transactionTrees, pick) => {
          month = addMonths(month, 1);
          t.clock.set(`${month}-28T23:59:59Z`);
          const before = await lifetime();
          let expected = 0n;
          const kept: Array<{ id: string; pages: bigint }> = [];
          for (const [i, d] of deposits.entries()) {
            // The dealer's key deposits into its grandchild half the time: the scope changes nothing.
            const [url, key] = i % 2 === 0 ? ['/v1/deposits', customer.key] : [`/v1/accounts/${customer.id}/deposits`, dealer.key];
            const body = { pages: d.pages, width: d.width, length: d.length, density: d.density, date: `${month}-${String(d.day).padStart(2, '0')}T12:00:00Z` };
            const res = await t.call(url, { method: 'POST', key, body });
            if (!fits(d)) {
              expect(JSON.parse(res.body)).toEqual({
                code: 400, error: 'pages x width x length x density must be at most 10000000000 g (10,000 tonnes of paper)',
              });
              continue;
            }
            expect(res.statusCode, res.body).toBe(201);
            const pages = BigInt(standardPages(massOf(d)));
            expected += pages;
            kept.push({ id: JSON.parse(res.body).id, pages });
          }
          const byPages = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: transactionPages } });
          const byTrees = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { trees: transactionTrees } });
          expect(byPages.pages).toBe(transactionPages);
          expect(byTrees.pages).toBe(standardPagesFromTrees(String(transactionTrees)));
          expected += BigInt(transactionPages) + BigInt(byTrees.pages);
          expectGrowth(before, await lifetime(), expected);

          // Deleting a deposit while its month is open takes exactly its pages out of every ancestor.
          if (kept.length > 0) {
            const [gone] = kept.splice(pick % kept.length, 1);
            expect((await t.call(`/v1/deposits/${gone.id}`, { method: 'DELETE', key: customer.key })).statusCode).toBe(200);
            expected -= gone.pages;
            expectGrowth(before, await lifetime(), expected);
          }

          // Month close: one transaction of exactly the deposits left; the figures do not count them twice.
          t.clock.set(`${addMonths(month, 1)}-03T00:00:00Z`);
          const closed = await closeMonth(t.db, month, { clock: t.clock.read, graceDays: 2 });
          expect(closed.failures).toEqual([]);
          const depositSum = kept.reduce((total, d) => total + d.pages, 0n);
          const [settlement] = await t.db.query<{ pages: string }>(
            `SELECT pages::text AS pages FROM transactions WHERE account_id = $1 AND kind = 'month_close' AND period = $2::date`,
            [customer.id, `${month}-01`],
          );
          expect(settlement ? BigInt(settlement.pages) : 0n).toBe(depositSum);
          expectGrowth(before, await lifetime(), expected);

          // Once closed, deletion is refused with a reason, never a failure.
          for (const id of [kept[0]?.id, byPages.id].filter(Boolean)) {
            const url = id === byPages.id ? `/v1/transactions/${id}` : `/v1/deposits/${id}`;
            const res = await t.call(url, { method: 'DELETE', key: customer.key });
            expect(res.statusCode, res.body).toBe(409);
          }
          const volume = await t.call(`/v1/accounts/${dealer.id}/volume?start_date=${month}-01&end_date=${month}-01`);
          expect(BigInt(/"pages":(\d+)/.exec(volume.body)![1])).toBe(expected);
        },
      ),
      { seed: SEED, numRuns: 25, endOnFailure: true },
    );
  }, 300_000);

  it('quotes at the bounds: every item and the whole quote are priced exactly, past the bound a 400', async () => {
    const [project] = await t.json('/v1/forestry/projects', { key: customer.key });
    const heavy = { quantity: MAX_PAGES, width: 10, length: 1, density: 1 };
    const quote = await t.json('/v1/quotes', { method: 'POST', key: customer.key, body: { project_id: project.id, items: [heavy] } });
    expect(quote.standard_pages).toBe(standardPages(MAX_MASS_GRAMS));
    expect((await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { quote_id: quote.id } })).pages).toBe(quote.standard_pages);
    const items = Array.from({ length: 1000 }, () => ({ mass: MAX_MASS_GRAMS / 1000 }));
    expect((await t.json('/v1/quotes', { method: 'POST', key: customer.key, body: { project_id: project.id, items } })).mass).toBe(MAX_MASS_GRAMS);
    const over = await t.call('/v1/quotes', { method: 'POST', key: customer.key, body: { project_id: project.id, items: [...items, { mass: 1 }] } });
    expect(JSON.parse(over.body)).toEqual({ code: 400, error: 'items must have at most 1000 items' });
    const heavier = await t.call('/v1/quotes', { method: 'POST', key: customer.key, body: { project_id: project.id, items: [heavy, { mass: 1 }] } });
    expect(JSON.parse(heavier.body)).toEqual({ code: 400, error: 'items must weigh at most 10000000000 g (10,000 tonnes of paper) in total' });
  });
});

describe(`a tree whose totals pass 2^53 and bigint's 2^63 (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('keeps accepting every tenant\'s deposits and answers exact figures and volume', async () => {
    const dealer = await t.account('Century dealer');
    const customer = await t.account('Century customer', { key: dealer.key });
    const other = await t.account('Unrelated dealer');
    // A century of history folded into the month: the root's and the dealer's totals sit just under 2^63.
    const history = 2n ** 63n - 1000n;
    await t.db.query(
      `INSERT INTO account_monthly_pages (account_id, month, standard_pages) VALUES ($1, '2021-03-01', $3::numeric), ($2, '2021-03-01', $3::numeric)`,
      [t.rootAccountId, dealer.id, String(history)],
    );
    for (let i = 0; i < 3; i++) {
      for (const key of [customer.key, other.key]) {
        const res = await t.call('/v1/deposits', { method: 'POST', key, body: { pages: MAX_PAGES } });
        expect(res.statusCode, res.body).toBe(201);
      }
    }
    const root = await t.call('/v1/account');
    expect(root.statusCode).toBe(200);
    const total = history + 6n * BigInt(MAX_PAGES);
    expect(total > 2n ** 63n).toBe(true);
    expect(root.body).toContain(`"mtd_pages":${total}`);
    expect(root.body).toContain(`"ltd_pages":${total}`);
    const dealerFigures = await t.call(`/v1/accounts/${dealer.id}`);
    expect(dealerFigures.body).toContain(`"ltd_pages":${history + 3n * BigInt(MAX_PAGES)}`);
    const volume = await t.call('/v1/volume?start_date=2021-03-01');
    expect(volume.body).toContain(`"pages":${total}`);
    // Deleting still works at that size, and takes exactly its pages away.
    const [deposit] = await t.json('/v1/deposits', { key: customer.key });
    expect((await t.call(`/v1/deposits/${deposit.id}`, { method: 'DELETE', key: customer.key })).statusCode).toBe(200);
    expect((await t.call('/v1/account')).body).toContain(`"ltd_pages":${total - BigInt(MAX_PAGES)}`);
  });
});
