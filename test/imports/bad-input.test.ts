// Bad input to an import feed gets a clear answer naming the row, column and rule, and loses nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, TestClock, type TestApp } from '../helpers/harness.ts';
import { depositsByDay, sorted } from '../collection/helpers.ts';
import { importFeed, postCsv } from './helpers.ts';

describe(`bad input to imports (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  let feedId: string;
  const header = 'device_id,timestamp,lifetime_total';
  const send = (csv: string, query = '') => postCsv(t, dealer.key, customer.id, feedId, csv, query);
  const sendJson = async (body: unknown) => {
    const res = await t.call(`/v1/accounts/${customer.id}/feeds/${feedId}/readings`, { method: 'POST', key: dealer.key, body });
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  beforeAll(async () => {
    t = await createTestApp({ clock: new TestClock('2025-04-15T12:00:00Z') });
    dealer = await t.account('Dealer');
    customer = await t.account('Customer', { key: dealer.key });
    feedId = await importFeed(t, customer.id, dealer.key, { activated_at: '2025-04-01' });
    const ok = await send(`${header}\nA1,2025-04-01T10:00:00Z,1000\nA1,2025-04-02T10:00:00Z,1100\nA1,2025-04-03T10:00:00Z,1250\n`);
    expect(ok.body).toMatchObject({ accepted: 3, refused: 0 });
  });
  afterAll(async () => t.close());

  it('answers 400 naming the rule for bodies it cannot read, and stores nothing', async () => {
    const before = sorted(await depositsByDay(t, customer.id, dealer.key));
    expect(before).toEqual({ '2025-04-02': 100, '2025-04-03': 150 });
    const cases: Array<[Promise<{ status: number; body: { error: string } }>, string]> = [
      [send(''), 'body is empty'],
      [sendJson({}), 'body is empty'],
      [sendJson([]), 'empty array'],
      [send(`${header}\n`), 'header row but no readings'],
      [send(`${header}\n"A1,2025-04-04T10:00:00Z,1300\n`), 'not valid CSV'],
      [send('device,when,count\nA1,2025-04-04T10:00:00Z,1300\n'), 'needs lifetime_total'],
      [send(`${header},serial\nA1,2025-04-04T10:00:00Z,1300,X\n`), 'unknown column "serial"'],
      [sendJson([{ device_id: 'A1', timestamp: '2025-04-04T10:00:00Z', lifetime_total: 1300, model: 'X' }]), 'body[0].model is not a field'],
      [send(`${header}\nA1,2025-04-04 10:00,1300\n`, '?zone=Mars/Olympus'), 'zone "Mars/Olympus" is not a time zone'],
      [send(`${header}\n${'A9,2025-04-04T10:00:00Z,1\n'.repeat(100_001)}`), 'more than 100000 rows'],
    ];
    for (const [pending, message] of cases) {
      const res = await pending;
      expect(res.status, message).toBe(400);
      expect(res.body.error, message).toContain(message);
    }
    expect(sorted(await depositsByDay(t, customer.id, dealer.key))).toEqual(before);
    expect((await t.db.query(`SELECT 1 FROM import_readings WHERE feed_id = $1`, [feedId])).length).toBe(3);
  });

  it('refuses rows that break a rule, naming row, column and rule, and keeps the good rows of the request', async () => {
    const res = await send([
      header,
      'A2,2025-04-04T10:00:00Z,N/A',
      'A2,2025-04-04T11:00:00Z,"1,234"',
      'A2,2025-04-04T12:00:00Z,-5',
      'A2,2025-04-04T13:00:00Z,"12,5"',
      'A2,2025-05-01T10:00:00Z,2000',
      'A2,31/04/2025,2000',
      ',2025-04-04T14:00:00Z,2000',
      'A1,2025-04-04T10:00:00Z,1300',
    ].join('\n'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 8, accepted: 1, refused: 7, conflicts: 0 });
    const rules = Object.fromEntries(res.body.problems.map((p: { row: number; column: string; rule: string }) => [p.row, `${p.column} ${p.rule}`]));
    expect(rules[1]).toMatch(/^lifetime_total is "N\/A", not a number/);
    expect(rules[2]).toMatch(/^lifetime_total has a thousands separator \(1,234\)/);
    expect(rules[3]).toMatch(/^lifetime_total is negative/);
    expect(rules[4]).toMatch(/^lifetime_total is not a whole number \(12,5\)/);
    expect(rules[5]).toMatch(/^timestamp is in the future/);
    expect(rules[6]).toMatch(/^timestamp is "31\/04\/2025", not a date/);
    expect(rules[7]).toMatch(/^device_id is empty/);
    expect(res.body.changed_days).toEqual([{ date: '2025-04-04', pages_before: 0, pages_after: 50 }]);
  });

  it('accepts grouped counters when the separator is declared, and decimal commas never', async () => {
    const res = await send(`device_id;timestamp;lifetime_total\nA1;2025-04-05T10:00:00Z;1.400\nA1;2025-04-06T10:00:00Z;1450,5\n`, '?thousands_separator=.');
    expect(res.body).toMatchObject({ accepted: 1, refused: 1 });
    expect(res.body.problems[0]).toMatchObject({ row: 2, column: 'lifetime_total' });
    expect((await depositsByDay(t, customer.id, dealer.key)).get('2025-04-05')).toBe(100);
  });

  it('reads times without a zone in the declared zone, and a date alone as that day', async () => {
    const res = await send(`${header}\nZ1,2025-04-07 08:00:00,10\nZ1,2025-04-08,20\n`, '?zone=America/New_York');
    expect(res.body.accepted).toBe(2);
    const rows = await t.db.query<{ read_at: Date }>(`SELECT read_at FROM import_readings WHERE device_id = 'Z1' ORDER BY read_at`);
    expect(rows.map((r) => r.read_at.toISOString())).toEqual(['2025-04-07T12:00:00.000Z', '2025-04-08T16:00:00.000Z']);
  });

  it('reports the same device and time with another counter as a conflict, and keeps the stored reading', async () => {
    const res = await sendJson([
      { device_id: 'A1', timestamp: '2025-04-03T10:00:00Z', lifetime_total: 9999 },
      { device_id: 'A1', timestamp: '2025-04-03T10:00:00Z', lifetime_total: 1250 },
      { device_id: 'C1', timestamp: '2025-04-09T10:00:00Z', lifetime_total: 5 },
      { device_id: 'C1', timestamp: '2025-04-09T10:00:00Z', lifetime_total: 5 },
      { device_id: 'C1', timestamp: '2025-04-09T10:00:00Z', lifetime_total: 6 },
    ]);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 2, conflicts: 2, refused: 0 });
    expect(res.body.problems[0]).toMatchObject({ row: 1, column: 'lifetime_total', value: '9999' });
    expect(res.body.problems[0].rule).toContain('the stored reading');
    expect(res.body.problems[1].rule).toContain('row 3');
    const [kept] = await t.db.query<{ lifetime_total: string }>(`SELECT lifetime_total::text FROM import_readings WHERE device_id = 'A1' AND read_at = '2025-04-03T10:00:00Z'`);
    expect(kept.lifetime_total).toBe('1250');
  });

  it('counts a device\'s first day from a reading sent later that lies before the activation (a baseline)', async () => {
    expect((await send(`${header}\nB1,2025-04-10T10:00:00Z,1000\n`)).body.changed_days).toEqual([]);
    const late = await send(`${header}\nB1,2025-03-20T10:00:00Z,900\n`);
    expect(late.body.changed_days).toEqual([{ date: '2025-04-10', pages_before: 0, pages_after: 100 }]);
    expect((await depositsByDay(t, customer.id, dealer.key)).has('2025-03-20')).toBe(false);
  });

  it('keeps one kind per feed and answers 409 for usage sent to a counter feed', async () => {
    const res = await sendJson([{ device_id: 'U1', date: '2025-04-05', pages: 10 }]);
    expect(res.status).toBe(409);
    expect(res.body.error).toContain('this feed imports lifetime counters');
  });
});
