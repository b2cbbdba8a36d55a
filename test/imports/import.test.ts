// End to end: the sandbox's fleets exported as CSV (counters, usage per day and per month; several date formats,
// delimiters and encodings) and imported by upload and API: deposits equal the truth per UTC day, and nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, sorted, truth, truthByDay, type World } from '../collection/helpers.ts';
import { byMonth, encodeFile, exportFleet, importFeed, postCsv, uploadFile } from './helpers.ts';

const START = '2024-10-01';
const NOW = '2025-04-15T02:00:00Z';
const TODAY = '2025-04-15';

describe(`imports of the sandbox's fleets (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  const customers: Array<{ id: string; key: string; entity: string }> = [];
  const expected = async (i: number, start = START) => truthByDay(await truth(w.sb, { entity: customers[i].entity, start, end: TODAY }));

  beforeAll(async () => {
    w = await collectionWorld({ now: NOW, sandbox: { start: START, customers: 6 } });
    dealer = await w.t.account('Dealer with its own tool');
    for (const [i, entity] of w.sb.printtracker.customerEntityIds.entries()) {
      customers.push({ ...(await w.t.account(`Customer ${i}`, { key: dealer.key })), entity });
    }
  });
  afterAll(async () => w.close());

  it('imports counters uploaded as overlapping exports: deposits equal the truth, and the same file twice changes nothing', async () => {
    const c = customers[0];
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: START });
    const first = encodeFile(await exportFleet(w.sb, { entity: c.entity, start: START, end: '2025-01-10' }), 'utf-8');
    const one = await uploadFile(w.t, dealer.key, c.id, feedId, first, (m) => m, { save: true });
    expect(one.guess.mapping).toMatchObject({
      kind: 'counters', delimiter: ',', encoding: 'utf-8', date_format: 'iso', header_line: 1,
      columns: { device_id: 'Device ID', timestamp: 'Read At', lifetime_total: 'Lifetime Total', black_total: 'Black Total', color_total: 'Color Total' },
    });
    expect(one.guess.preview[0].problem).toBeNull();
    expect(one.status).toBe(200);
    expect(one.summary).toMatchObject({ refused: 0, conflicts: 0, duplicates: 0 });
    expect(one.summary.accepted).toBe(one.summary.rows);

    // The second export overlaps the first by three weeks: the overlap is recognised, the rest counted.
    const second = encodeFile(await exportFleet(w.sb, { entity: c.entity, start: '2024-12-20', end: TODAY }), 'utf-8');
    const two = await uploadFile(w.t, dealer.key, c.id, feedId, second);
    expect(two.summary.duplicates).toBeGreaterThan(0);
    expect(two.summary.accepted + two.summary.duplicates).toBe(two.summary.rows);
    expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(await expected(0)));

    const again = await uploadFile(w.t, dealer.key, c.id, feedId, second);
    expect(again.summary).toMatchObject({ accepted: 0, duplicates: two.summary.rows, changed_days: [] });
    expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(await expected(0)));

    // The devices: counters only, nothing else the export had (serials, models, locations).
    const devices = await w.t.json(`/v1/accounts/${c.id}/feeds/${feedId}/devices`, { key: dealer.key });
    expect(devices.length).toBeGreaterThan(0);
    const [stored] = await w.t.db.query<Record<string, unknown>>(`SELECT * FROM import_readings WHERE feed_id = $1 LIMIT 1`, [feedId]);
    expect(Object.keys(stored).sort()).toEqual(['account_id', 'black_total', 'color_total', 'device_id', 'feed_id', 'lifetime_total', 'managed', 'read_at']);
    const feed = await w.t.json(`/v1/accounts/${c.id}/feeds/${feedId}`, { key: dealer.key });
    expect(feed).toMatchObject({ type: 'import', server_id: null, health_check: 'healthy' });
    // The saved mapping is what the next file starts from.
    expect(await w.t.json(`/v1/accounts/${c.id}/feeds/${feedId}/import-mapping`, { key: dealer.key })).toMatchObject({ kind: 'counters' });
  });

  it('reads day-first dates with semicolons in Windows-1252 at a declared zone, a counter reset between two exports', async () => {
    const c = customers[3];
    const facts = (await (await fetch(`${w.sb.printtracker.url}/__sandbox/facts?entity=${c.entity}`)).json()) as { devices: Array<{ replacedAt: string | null }> };
    const replaced = facts.devices.find((d: { replacedAt: string | null }) => d.replacedAt)?.replacedAt as string;
    expect(replaced).toBeTruthy();
    const split = replaced.slice(0, 10);
    const before = new Date(Date.parse(split) - 86_400_000).toISOString().slice(0, 10);
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: START });
    const query = { entity: c.entity, dates: 'dmy', delimiter: 'semicolon', offset_hours: '2' };
    for (const [start, end] of [[START, before], [split, TODAY]]) {
      const bytes = encodeFile(await exportFleet(w.sb, { ...query, start, end }), 'windows-1252');
      const up = await uploadFile(w.t, dealer.key, c.id, feedId, bytes, (m) => ({ ...m, zone: 'Etc/GMT-2' }));
      expect(up.guess.mapping).toMatchObject({ encoding: 'windows-1252', delimiter: ';', date_format: 'dmy' });
      expect(up.guess.notes).toContain('not valid UTF-8: read as Windows-1252');
      expect(up.summary).toMatchObject({ refused: 0, conflicts: 0 });
    }
    expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(await expected(3)));
    const anomalies = await w.t.json(`/v1/accounts/${c.id}/feeds/${feedId}/anomalies`, { key: dealer.key });
    expect(anomalies.map((a: { kind: string }) => a.kind)).toContain('counter_reset');
  });

  it('reads month-first dates with AM/PM, tabs and a UTF-8 byte-order mark', async () => {
    const c = customers[4];
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: START });
    const bytes = encodeFile(await exportFleet(w.sb, { entity: c.entity, start: START, end: TODAY, dates: 'mdy', delimiter: 'tab', offset_hours: '-5' }), 'utf-8-bom');
    const up = await uploadFile(w.t, dealer.key, c.id, feedId, bytes, (m) => ({ ...m, zone: 'Etc/GMT+5' }));
    expect(up.guess.mapping).toMatchObject({ encoding: 'utf-8', delimiter: '\t', date_format: 'mdy' });
    expect(up.summary).toMatchObject({ refused: 0, conflicts: 0 });
    expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(await expected(4)));
  });

  it('deposits usage per device per day sent as text/csv to the API, and refuses unknown columns', async () => {
    const c = customers[1];
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: START });
    const exported = await exportFleet(w.sb, { entity: c.entity, start: START, end: TODAY, shape: 'usage_daily' });
    const asApi = exported.replace(/^Device,Date,Pages,Location/, 'device_id,date,pages,location');
    const unknown = await postCsv(w.t, dealer.key, c.id, feedId, asApi);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('unknown column "location"');
    const csv = asApi.split('\r\n').map((line) => line.split(',').slice(0, 3).join(',')).join('\n');
    const sent = await postCsv(w.t, dealer.key, c.id, feedId, csv);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ kind: 'usage_daily', refused: 0, conflicts: 0 });
    expect(sent.body.changed_days.length).toBeGreaterThan(50);
    expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(await expected(1)));
    expect((await postCsv(w.t, dealer.key, c.id, feedId, csv)).body).toMatchObject({ accepted: 0, changed_days: [] });
  });

  it('deposits usage per month on the month\'s last day, and refuses a month that has not ended', async () => {
    const c = customers[5];
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: START });
    const bytes = encodeFile(await exportFleet(w.sb, { entity: c.entity, start: START, end: TODAY, shape: 'usage_monthly' }), 'utf-8');
    const up = await uploadFile(w.t, dealer.key, c.id, feedId, bytes);
    expect(up.guess.mapping).toMatchObject({ kind: 'usage_monthly', columns: { device_id: 'Device', month: 'Month', pages: 'Pages' } });
    const truthMonths = byMonth(await expected(5));
    const april = truthMonths['2025-04'];
    delete truthMonths['2025-04'];
    expect(up.summary.refused).toBe(april > 0 ? up.summary.problems.length : 0);
    for (const p of up.summary.problems) expect(p).toMatchObject({ column: 'month', value: '2025-04' });
    expect(up.summary.problems[0]?.rule ?? 'has not ended').toContain('has not ended');
    const deposits = await depositsByDay(w.t, c.id, dealer.key);
    expect([...deposits.keys()].every((day) => ['2024-10-31', '2024-11-30', '2024-12-31', '2025-01-31', '2025-02-28', '2025-03-31'].includes(day))).toBe(true);
    expect(byMonth(deposits)).toEqual(truthMonths);
  });

  it('refuses devices another account already counts, and never counts them twice', async () => {
    const c = customers[2];
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: START });
    const bytes = encodeFile(await exportFleet(w.sb, { entity: customers[0].entity, start: '2025-04-01', end: TODAY }), 'utf-8');
    const up = await uploadFile(w.t, dealer.key, c.id, feedId, bytes);
    expect(up.summary.accepted).toBe(0);
    expect(up.summary.refused).toBe(up.summary.rows);
    expect(up.summary.problems[0]).toMatchObject({ row: 1, column: 'device_id' });
    expect(up.summary.problems[0].rule).toContain('already counted on another feed');
    expect((await depositsByDay(w.t, c.id, dealer.key)).size).toBe(0);
    expect(sorted(await depositsByDay(w.t, customers[0].id, dealer.key))).toEqual(sorted(await expected(0)));
  });

  it('is skipped by collection runs, and waits for the feed lease a collector holds', async () => {
    const run = await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 });
    expect(run.feeds_total).toBe(0);
    const c = customers[2];
    const [feed] = await w.t.db.query<{ id: string }>(`SELECT id FROM feeds WHERE account_id = $1`, [c.id]);
    await w.t.db.query(`UPDATE feeds SET lease_owner = 'collector-elsewhere', lease_until = now() + interval '1 hour' WHERE id = $1`, [feed.id]);
    const held = await postCsv(w.t, dealer.key, c.id, feed.id, 'device_id,timestamp,lifetime_total\nlease-1,2025-04-10T10:00:00Z,100\n');
    expect(held.status).toBe(409);
    expect(held.body.error).toContain('another import');
    expect(await w.t.db.query(`SELECT 1 FROM import_readings WHERE feed_id = $1`, [feed.id])).toEqual([]);
    await w.t.db.query(`UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE id = $1`, [feed.id]);
  });
});
