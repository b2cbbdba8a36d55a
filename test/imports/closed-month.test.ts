// Late files for a closed month are carried once into the first open day; an interrupted import resumes
// where its last committed chunk ended, without a page lost or counted twice.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMonth } from '../../src/ledger/month-close.ts';
import { fileRows, guessFile } from '../../src/imports/csv-input.ts';
import { createJob, importSettings, resumableJob, runImport, type SourceRow } from '../../src/imports/import-feed.ts';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, sorted, truth, truthByDay, type World } from '../collection/helpers.ts';
import { encodeFile, exportFleet, importFeed, uploadFile } from './helpers.ts';

const sum = (m: Map<string, number>, from: string, to: string) => [...m].filter(([d]) => d >= from && d <= to).reduce((n, [, p]) => n + p, 0);

describe(`imports across month close, and resumed after a crash (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };

  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-03-10T12:00:00Z', sandbox: { start: '2024-12-01', customers: 2 } });
    dealer = await w.t.account('Dealer');
  });
  afterAll(async () => w.close());

  it('resumes an interrupted file after its last committed chunk: deposits equal the truth', async () => {
    const entity = w.sb.printtracker.customerEntityIds[1];
    const c = await w.t.account('Resumed customer', { key: dealer.key });
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: '2024-12-01' });
    const bytes = encodeFile(await exportFleet(w.sb, { entity, start: '2024-12-01', end: '2025-03-10' }), 'utf-8');
    const { mapping } = guessFile(bytes.subarray(0, 65_536), w.t.clock.now.getTime());
    const deps = { db: w.t.db, clock: w.t.clock.read, settings: { ...importSettings(w.t.config.collection), chunkRows: 100 } };
    const [feed] = await w.t.db.query<{ id: string; account_id: string; type: string; collection_scope: 'all'; activated_at: Date }>(
      `SELECT id, account_id, type, collection_scope, activated_at FROM feeds WHERE id = $1`, [feedId],
    );
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const options = { zone: mapping.zone, dateFormat: mapping.date_format, thousands: mapping.thousands_separator };
    const jobId = await createJob(w.t.db, feed, { source: 'cli', sha256 }, w.t.clock.now);
    // The process "dies" while reading row 250: the chunks up to row 200 are committed, the rest is not.
    async function* dying(): AsyncGenerator<SourceRow> {
      for await (const row of fileRows([bytes], mapping)) {
        if (row.row === 250) throw new Error('killed');
        yield row;
      }
    }
    await expect(runImport(deps, { feed, jobId, kind: 'counters', options, rows: dying() })).rejects.toThrow('killed');
    const resume = await resumableJob(w.t.db, feedId, sha256);
    expect(resume).toEqual({ id: jobId, rows_done: 200 });
    expect((await w.t.db.query(`SELECT 1 FROM import_readings WHERE feed_id = $1`, [feedId])).length).toBe(200);

    const summary = await runImport(deps, { feed, jobId, kind: 'counters', options, rows: fileRows([bytes], mapping), skipRows: resume!.rows_done });
    expect(summary.resumed_after).toBe(200);
    expect(summary.accepted).toBe(summary.rows);
    expect(summary.duplicates).toBe(0);
    expect(sorted(await depositsByDay(w.t, c.id, dealer.key))).toEqual(sorted(truthByDay(await truth(w.sb, { entity, start: '2024-12-01', end: '2025-03-10' }))));
  });

  it('carries a late file for a closed month into the first open day, once, however many late files come', async () => {
    const entity = w.sb.printtracker.customerEntityIds[0];
    const c = await w.t.account('Late customer', { key: dealer.key });
    const feedId = await importFeed(w.t, c.id, dealer.key, { activated_at: '2025-01-01' });
    const lines = (await exportFleet(w.sb, { entity, start: '2024-12-01', end: '2025-03-10' })).trimEnd().split('\r\n');
    const [header, ...rows] = lines;
    const devices = [...new Set(rows.map((r) => r.split(',')[0]))];
    const late = (device: string) => (r: string) => r.split(',')[0] === device && r.split(',')[4] >= '2025-02-15' && r.split(',')[4] < '2025-03-01';
    const isLate = (r: string) => late(devices[0])(r) || late(devices[1])(r);
    const file = (list: string[]) => encodeFile(`${[header, ...list].join('\r\n')}\r\n`, 'utf-8');

    await uploadFile(w.t, dealer.key, c.id, feedId, file(rows.filter((r) => !isLate(r))));
    w.t.clock.set('2025-03-10T13:00:00Z');
    expect((await closeMonth(w.t.db, '2025-02', { clock: w.t.clock.read, graceDays: 2 })).failures).toEqual([]);
    const atClose = await depositsByDay(w.t, c.id, dealer.key);
    const truthNow = truthByDay(await truth(w.sb, { entity, start: '2025-01-01', end: '2025-03-10' }));
    const missed = sum(truthNow, '2025-02-01', '2025-02-28') - sum(atClose, '2025-02-01', '2025-02-28');
    expect(missed).toBeGreaterThan(0);

    for (const device of devices.slice(0, 2)) {
      const lateFile = file(rows.filter(late(device)));
      const up = await uploadFile(w.t, dealer.key, c.id, feedId, lateFile);
      expect(up.summary.accepted).toBeGreaterThan(0);
      const again = await uploadFile(w.t, dealer.key, c.id, feedId, lateFile);
      expect(again.summary).toMatchObject({ accepted: 0, changed_days: [] });
    }
    const after = await depositsByDay(w.t, c.id, dealer.key);
    // February is locked; its late pages are in March 1, once; every other day is the truth.
    expect(sum(after, '2025-02-01', '2025-02-28')).toBe(sum(atClose, '2025-02-01', '2025-02-28'));
    expect(after.get('2025-03-01')).toBe((truthNow.get('2025-03-01') ?? 0) + missed);
    for (const [day, pages] of truthNow) if (day >= '2025-03-02' || day < '2025-02-01') expect(after.get(day) ?? 0, day).toBe(pages);
    expect(sum(after, '2025-01-01', '2025-03-10')).toBe(sum(truthNow, '2025-01-01', '2025-03-10'));
  });
});
