// Collection meets month close: a closed month is never rewritten; what arrives for it later (after an outage,
// or from a backfill) is carried into the first open day once — never lost, never doubled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMonth } from '../../src/ledger/month-close.ts';
import { monthlyPagesDrift } from '../../src/ledger/rollup-check.ts';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, settle, truth, type World } from './helpers.ts';

const sum = (m: Map<string, number>, from: string, to: string) => [...m].filter(([d]) => d >= from && d <= to).reduce((n, [, p]) => n + p, 0);

describe(`collection across month close (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  let serverId: string;

  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-03-25T02:00:00Z', sandbox: { start: '2025-01-01', rates: { stoppedCustomer: 0, lateReading: 0 } } });
    dealer = await w.t.account('Dealer close');
    serverId = (await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    })).id;
  });
  afterAll(async () => w.close());

  const outage = (on: boolean) => fetch(`${w.sb.printtracker.url}/__sandbox/faults`, on
    ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: { mode: 'reset' } }) }
    : { method: 'DELETE' });
  const nightly = async () => {
    await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 });
    await settle(w.t);
  };
  const truthMap = async (entity: string, start: string, end: string) =>
    new Map((await truth(w.sb, { entity, start, end })).map((r) => [r.date, r.pages] as const));

  it('carries the days an outage kept from a closed month into the first open day, once', async () => {
    const entity = w.sb.printtracker.customerEntityIds[0];
    const c = await w.t.account('Carried customer', { key: dealer.key });
    await w.t.json(`/v1/accounts/${c.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: serverId, external_id: entity, activated_at: '2025-03-01' } });
    await settle(w.t);
    await outage(true);
    for (let day = 26; day <= 34; day++) {
      w.t.clock.set(new Date(Date.UTC(2025, 2, day, 2)).toISOString());
      await nightly();
    }
    // 3 April 03:30: March closes with what was collected before the outage.
    w.t.clock.set('2025-04-03T03:30:00Z');
    expect((await closeMonth(w.t.db, '2025-03', { clock: w.t.clock.read, graceDays: 2 })).failures).toEqual([]);
    const atClose = await depositsByDay(w.t, c.id, dealer.key);
    const marchAtClose = sum(atClose, '2025-03-01', '2025-03-31');
    const [transaction] = await w.t.json(`/v1/accounts/${c.id}/transactions`, { key: dealer.key });
    expect(transaction.pages).toBe(marchAtClose);

    await outage(false);
    w.t.clock.set('2025-04-04T02:00:00Z');
    await nightly();
    const truthNow = await truthMap(entity, '2025-03-01', '2025-04-04');
    const after = await depositsByDay(w.t, c.id, dealer.key);
    // March is locked: not one page of it changed.
    expect(sum(after, '2025-03-01', '2025-03-31')).toBe(marchAtClose);
    const missed = sum(truthNow, '2025-03-01', '2025-03-31') - marchAtClose;
    expect(missed).toBeGreaterThan(100);
    expect(after.get('2025-04-01')).toBe((truthNow.get('2025-04-01') ?? 0) + missed);
    for (const day of ['2025-04-02', '2025-04-03', '2025-04-04']) expect(after.get(day) ?? 0, day).toBe(truthNow.get(day) ?? 0);
    expect(sum(after, '2025-03-01', '2025-04-04')).toBe(sum(truthNow, '2025-03-01', '2025-04-04'));

    // Later nights recompute April but never carry March again.
    for (const day of [5, 6, 7]) {
      w.t.clock.set(`2025-04-0${day}T02:00:00Z`);
      await nightly();
    }
    const later = await depositsByDay(w.t, c.id, dealer.key);
    const truthLater = await truthMap(entity, '2025-03-01', '2025-04-07');
    expect(later.get('2025-04-01')).toBe(after.get('2025-04-01'));
    expect(sum(later, '2025-03-01', '2025-04-07')).toBe(sum(truthLater, '2025-03-01', '2025-04-07'));
    const deposits = await w.t.json(`/v1/accounts/${c.id}/deposits?start_date=2025-04-01&end_date=2025-04-01`, { key: dealer.key });
    expect(deposits).toHaveLength(1);
    expect(await monthlyPagesDrift(w.t.db)).toEqual([]);
  });

  it('carries a backfill through closed months into the first open day, and the figures count it once', async () => {
    const entity = w.sb.printtracker.customerEntityIds[1];
    const c = await w.t.account('Late joiner', { key: dealer.key });
    await w.t.json(`/v1/accounts/${c.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: serverId, external_id: entity, activated_at: '2025-02-01' } });
    await settle(w.t);
    const today = w.t.clock.now.toISOString().slice(0, 10);
    const expected = await truthMap(entity, '2025-02-01', today);
    const got = await depositsByDay(w.t, c.id, dealer.key);
    // Nothing may be dated into closed March: its pages wait in the first open day (April 1).
    expect(sum(got, '2025-03-01', '2025-03-31')).toBe(0);
    expect(sum(got, '2025-02-01', today)).toBe(sum(expected, '2025-02-01', today));
    for (const [day, pages] of expected) if (day >= '2025-04-02') expect(got.get(day) ?? 0, day).toBe(pages);
    const account = await w.t.json(`/v1/accounts/${c.id}`, { key: dealer.key });
    expect(account.ltd_pages).toBe(sum(expected, '2025-02-01', today));
    expect(await monthlyPagesDrift(w.t.db)).toEqual([]);
  });
});
