// Month close as whole scenarios through the public API, with an injected clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, storeName, testDatabaseUrl, type TestApp } from '../../test/helpers/harness.ts';
import { closeDueMonths, closeMonth } from './month-close.ts';
import { monthlyPagesDrift } from './rollup-check.ts';

describe(`month close (${storeName})`, () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    t.clock.set('2021-03-01T12:00:00Z');
  });
  afterEach(async () => {
    // Whatever a scenario did, the monthly roll-up still equals the ledger recomputed from scratch.
    expect(await monthlyPagesDrift(t.db)).toEqual([]);
    await t.close();
  });

  const options = () => ({ clock: t.clock.read, graceDays: 2 });

  async function customerWithDeposits(name: string, channelKey: string, deposits: Array<[string, number]>) {
    const customer = await t.account(name, { key: channelKey });
    for (const [date, pages] of deposits) {
      await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages, date } });
    }
    return customer;
  }

  it('turns a month of deposits into one transaction and a certificate dated the month\'s last second, and locks them', async () => {
    const channel = await t.account('Dealer');
    const abc = await customerWithDeposits('Customer ABC', channel.key, [
      ['2021-02-01', 10000], ['2021-02-14', 6000], ['2021-02-28T23:30:00Z', 666], ['2021-03-01T00:00:00Z', 500],
    ]);
    const def = await customerWithDeposits('Customer DEF', channel.key, [['2021-02-10', 8333]]);
    t.clock.set('2021-03-02T10:00:00Z');
    await expect(closeMonth(t.db, '2021-02', options())).rejects.toThrow(/cannot close before 2021-03-03/);
    t.clock.set('2021-03-03T00:00:00Z');
    const result = await closeMonth(t.db, '2021-02', options());
    expect(result).toMatchObject({ accountsClosed: 2, pages: 16666 + 8333, failures: [] });

    const [tx] = await t.json('/v1/transactions', { key: abc.key });
    expect(tx).toMatchObject({ account_id: abc.id, quote_id: null, date: '2021-02-28T23:59:59Z', pages: 16666, trees: 2.0 });
    expect(tx.certificate_id).toBe(tx.id);
    const cert = await t.json(`/v1/certificates/${tx.certificate_id}`, { key: abc.key });
    expect(cert).toMatchObject({ date: '2021-02-28T23:59:59Z', pages: 16666, trees: 2.0, project: { name: 'Madagascar' } });
    expect(cert.pdf_url).toMatch(new RegExp(`/certificates/${cert.id}\\.pdf$`));
    const pdf = await t.app.inject({ method: 'GET', url: `/certificates/${cert.id}.pdf` });
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // February's deposits are locked; March's is not.
    const deposits = await t.json('/v1/deposits', { key: abc.key });
    const feb = deposits.filter((d: { date: string }) => d.date.startsWith('2021-02'));
    for (const d of feb) {
      const del = await t.call(`/v1/deposits/${d.id}`, { method: 'DELETE', key: abc.key });
      expect(del.statusCode).toBe(409);
    }
    const march = deposits.find((d: { date: string }) => d.date.startsWith('2021-03'));
    expect((await t.call(`/v1/deposits/${march.id}`, { method: 'DELETE', key: abc.key })).statusCode).toBe(200);

    // Figures count the deposits once; the month-close transaction is not counted again.
    const channelView = await t.json('/v1/account', { key: channel.key });
    expect(channelView.ltd_pages).toBe(16666 + 8333);
    expect((await t.json('/v1/transactions', { key: def.key }))[0].pages).toBe(8333);
  });

  it('refuses a deposit dated into a closed month with 409 and the reason, keeping everything stored', async () => {
    const channel = await t.account('Dealer');
    const abc = await customerWithDeposits('Customer ABC', channel.key, [['2021-02-05', 100]]);
    t.clock.set('2021-03-05T00:00:00Z');
    await closeMonth(t.db, '2021-02', options());
    const late = await t.call('/v1/deposits', { method: 'POST', key: abc.key, body: { pages: 50, date: '2021-02-20' } });
    expect(late.statusCode).toBe(409);
    expect(JSON.parse(late.body).error).toMatch(/2021-02.*closed/);
    expect(await t.json('/v1/deposits', { key: abc.key })).toHaveLength(1);
    expect((await t.json('/v1/account', { key: abc.key })).ltd_pages).toBe(100);
  });

  it('creates nothing new when run twice, and closes every due month when run without a month', async () => {
    const channel = await t.account('Dealer');
    const abc = await customerWithDeposits('Customer ABC', channel.key, [['2021-01-15', 1000], ['2021-02-15', 2000]]);
    t.clock.set('2021-03-10T00:00:00Z');
    const first = await closeDueMonths(t.db, options());
    expect(first.map((r) => [r.month, r.accountsClosed])).toEqual([['2021-01', 1], ['2021-02', 1]]);
    const second = await closeDueMonths(t.db, options());
    expect(second).toEqual([]);
    const again = await closeMonth(t.db, '2021-02', options());
    expect(again.accountsClosed).toBe(0);
    const txs = await t.json('/v1/transactions', { key: abc.key });
    expect(txs.map((x: { pages: number; date: string }) => [x.date, x.pages])).toEqual([
      ['2021-02-28T23:59:59Z', 2000],
      ['2021-01-31T23:59:59Z', 1000],
    ]);
    expect(await t.json('/v1/certificates', { key: abc.key })).toHaveLength(2);
  });

  it('skips deactivated accounts and settles them once they are active again', async () => {
    const channel = await t.account('Dealer');
    const off = await customerWithDeposits('Paused', channel.key, [['2021-02-03', 700]]);
    await t.json(`/v1/accounts/${off.id}/deactivate`, { method: 'POST', key: channel.key, expect: 200 });
    t.clock.set('2021-03-05T00:00:00Z');
    expect((await closeMonth(t.db, '2021-02', options())).accountsClosed).toBe(0);
    expect(await t.json('/v1/transactions', { key: off.key })).toEqual([]);
    await t.json(`/v1/accounts/${off.id}/activate`, { method: 'POST', key: channel.key, expect: 200 });
    expect((await closeMonth(t.db, '2021-02', options())).accountsClosed).toBe(1);
    expect((await t.json('/v1/transactions', { key: off.key }))[0].pages).toBe(700);
  });

  it('leaves no account half closed when a failure strikes midway, and a re-run completes exactly once', async () => {
    const channel = await t.account('Dealer');
    const customers = [];
    for (let i = 0; i < 6; i++) customers.push(await customerWithDeposits(`C${i}`, channel.key, [['2021-02-02', 100 + i], ['2021-02-20', 1000]]));
    const doomed = customers[3].id;
    t.clock.set('2021-03-05T00:00:00Z');
    const failed = await closeMonth(t.db, '2021-02', {
      ...options(), batchSize: 4,
      failpoint: (ids) => {
        if (ids.includes(doomed)) throw new Error('injected crash');
      },
    });
    expect(failed.failures).toEqual([{ accountId: doomed, error: 'injected crash' }]);
    expect(failed.accountsClosed).toBe(5);
    for (const c of customers) {
      const txs = await t.json('/v1/transactions', { key: c.key });
      const deposits = await t.json('/v1/deposits', { key: c.key });
      const locked = await t.db.query(`SELECT count(*)::int AS n FROM deposits WHERE account_id = $1 AND transaction_id IS NOT NULL`, [c.id]);
      if (c.id === doomed) {
        expect(txs).toEqual([]);
        expect(locked[0]).toEqual({ n: 0 });
      } else {
        expect(txs).toHaveLength(1);
        expect(txs[0].pages).toBe(deposits.reduce((s: number, d: { pages: number }) => s + d.pages, 0));
        expect(locked[0]).toEqual({ n: 2 });
      }
    }
    const rerun = await closeMonth(t.db, '2021-02', options());
    expect(rerun).toMatchObject({ accountsClosed: 1, failures: [] });
    const all = await t.db.query(`SELECT account_id, count(*)::int AS n FROM transactions WHERE kind = 'month_close' GROUP BY account_id`);
    expect(all).toHaveLength(6);
    expect(all.every((r) => (r as { n: number }).n === 1)).toBe(true);
  });

  it.skipIf(!testDatabaseUrl)('is safe with two closers running at once on PostgreSQL', async () => {
    const channel = await t.account('Dealer');
    for (let i = 0; i < 12; i++) await customerWithDeposits(`P${i}`, channel.key, [['2021-02-02', 10 + i]]);
    t.clock.set('2021-03-05T00:00:00Z');
    const [a, b] = await Promise.all([
      closeMonth(t.db, '2021-02', { ...options(), batchSize: 3 }),
      closeMonth(t.db, '2021-02', { ...options(), batchSize: 5 }),
    ]);
    expect(a.accountsClosed + b.accountsClosed).toBe(12);
    const rows = await t.db.query<{ n: number; pages: string }>(
      `SELECT count(*)::int AS n, sum(pages)::text AS pages FROM transactions WHERE kind = 'month_close'`,
    );
    expect(rows[0]).toEqual({ n: 12, pages: String(Array.from({ length: 12 }, (_, i) => 10 + i).reduce((x, y) => x + y)) });
  });
});
