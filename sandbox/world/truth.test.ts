// Ground truth: consistent with the counters of the readings, never more than printed, anomalies handled per DESIGN.md.

import { describe, expect, it } from 'vitest';
import { DAY, dayOf, isoDay } from './calendar.ts';
import { addMeterTruth, emptyTotals } from './truth.ts';
import { World } from './world.ts';

const NOW = '2025-04-15T10:00:00Z';

function deviceTruth(w: World, index: number, asOf = w.now()) {
  const d = w.fleet.device(index);
  const from = w.fleet.startDay;
  const days = dayOf(w.now()) - from + 1;
  const totals = emptyTotals(days);
  addMeterTruth(totals, w.readings, w.printing, d, from, days, asOf, w.now());
  return { d, from, totals };
}

describe('meter truth', () => {
  it('sums to the counter difference between any two readings without a replacement between them', () => {
    const w = new World({ seed: 11, start: '2025-01-01', now: NOW, customers: 4 });
    const now = w.now();
    for (let i = 0; i < 24; i++) {
      const { d, from, totals } = deviceTruth(w, i);
      const reads = w.readings.between(d, w.fleet.startMs, now, now);
      // Day-last readings are the ones deposits are computed from.
      const lasts = reads.filter((r, k) => k === reads.length - 1 || reads[k + 1].day !== r.day);
      for (let a = 0; a < lasts.length; a += 5) {
        for (let b = a + 1; b < lasts.length; b += 7) {
          if (w.readings.replacedBetween(d, lasts[a].t, lasts[b].t)) continue;
          let sum = 0;
          for (let day = lasts[a].day + 1; day <= lasts[b].day; day++) sum += totals.pages[day - from];
          expect(sum).toBe(w.readings.lifeCount(d, lasts[b].t) - w.readings.lifeCount(d, lasts[a].t));
        }
      }
    }
  });

  it('never deposits more than was printed, day by day cumulatively', () => {
    const w = new World({ seed: 3, start: '2025-01-01', now: NOW, customers: 5 });
    for (let g = 0; g < 5; g++) {
      const rows = w.meterTruth(w.fleet.customer(g), { start: '2025-01-01', end: '2025-04-20' });
      let pages = 0;
      let printed = 0;
      for (const r of rows) {
        pages += r.pages;
        printed += r.printed;
        expect(pages).toBeLessThanOrEqual(printed);
        expect(r.pages).toBeGreaterThanOrEqual(0);
      }
      expect(rows.at(-1)).toEqual({ date: '2025-04-20', pages: 0, printed: 0 });
      expect(printed).toBeGreaterThan(0);
    }
  });

  it('puts nothing before the first reading and loses the pages across a replacement', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const late = deviceTruth(w, 3); // first read 10 days after the start
    const f = w.fleet;
    for (let k = 0; k <= 10; k++) expect(late.totals.pages[k]).toBe(0);
    expect(late.totals.printed.slice(0, 10).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const r = deviceTruth(w, 1);
    const d = r.d;
    const firstAfter = w.readings.between(d, d.replacedAt!, w.now(), w.now())[0];
    expect(r.totals.pages[firstAfter.day - f.startDay]).toBe(0);
    const total = r.totals.pages.reduce((a, b) => a + b, 0);
    const printed = r.totals.printed.reduce((a, b) => a + b, 0);
    expect(printed - total).toBeGreaterThan(0);
  });

  it('lands the pages of a stale-agent gap on the day of the next reading', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const f = w.fleet;
    const d = w.devicesUnder(f.customer(1), 'all').find((x) => x.slot === 0)!;
    const { totals } = deviceTruth(w, d.index);
    for (let k = 15; k < 22; k++) expect(totals.pages[k]).toBe(0);
    const next = w.readings.between(d, (f.startDay + 22) * DAY, w.now(), w.now())[0];
    const prev = w.readings.latestAtOrBefore(d, (f.startDay + 15) * DAY - 1, w.now())!;
    expect(totals.pages[next.day - f.startDay]).toBe(w.readings.lifeCount(d, next.t) - w.readings.lifeCount(d, prev.t));
  });

  it('counts nothing for a customer that stopped reporting, though it still prints', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const rows = w.meterTruth(w.fleet.customer(2), { start: '2025-02-16', end: '2025-04-14' });
    expect(rows.every((r) => r.pages === 0)).toBe(true);
    expect(rows.reduce((a, r) => a + r.printed, 0)).toBeGreaterThan(0);
  });

  it('counts a late reading on its timestamp day once it is visible, not before', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW, rates: { lateReading: 0.2 } });
    const f = w.fleet;
    let found = false;
    for (let i = 0; i < 18 && !found; i++) {
      const d = f.device(i);
      for (let day = f.startDay + 30; day < f.startDay + 90 && !found; day++) {
        const rs = w.readings.onDay(d, day);
        const last = rs.at(-1);
        if (!last || last.visibleAt === last.t || rs.length > 1) continue;
        const prev = w.readings.latestAtOrBefore(d, day * DAY - 1, last.visibleAt);
        if (!prev || w.readings.replacedBetween(d, prev.t, last.t)) continue;
        found = true;
        const k = day - f.startDay;
        const before = deviceTruth(w, i, last.visibleAt - 1).totals.pages[k];
        const after = deviceTruth(w, i, last.visibleAt).totals.pages[k];
        expect(before).toBe(0);
        expect(after).toBe(w.readings.lifeCount(d, last.t) - w.readings.lifeCount(d, prev.t));
        expect(isoDay(day)).toBe(new Date(last.t).toISOString().slice(0, 10));
      }
    }
    expect(found).toBe(true);
  });

  it('limits both figures to managed devices with scope managed_only', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const q = { start: '2025-02-01', end: '2025-02-28' };
    const all = w.meterTruth(w.fleet.customer(0), q);
    const managed = w.meterTruth(w.fleet.customer(0), { ...q, scope: 'managed_only' });
    const sum = (rows: { printed: number }[]) => rows.reduce((a, r) => a + r.printed, 0);
    const unmanaged = w.fleet.device(2);
    let printedUnmanaged = 0;
    for (let day = dayOf(Date.parse('2025-02-01')); day <= dayOf(Date.parse('2025-02-28')); day++) {
      printedUnmanaged += w.printing.printedBetween(unmanaged, day * DAY, day * DAY + DAY);
    }
    expect(sum(all) - sum(managed)).toBe(printedUnmanaged);
  });
});

describe('meter truth under the variants', () => {
  it('skips a reading with an unreadable counter: its pages land on the next readable reading', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW, variants: { printtracker: { unreadableCounterRate: 0.1 } } });
    const plain = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const f = w.fleet;
    let checked = 0;
    for (let i = 0; i < 18; i++) {
      const d = f.device(i);
      const got = deviceTruth(w, i).totals;
      const was = deviceTruth(plain, i).totals;
      expect(got.printed).toEqual(was.printed);
      const reads = w.readings.between(d, f.startMs, w.now(), w.now());
      for (const r of reads) {
        const sameDay = reads.filter((x) => x.day === r.day);
        if (w.readings.lifetimeGarble(r) < 0 || sameDay.length > 1) continue;
        const next = reads.find((x) => x.t > r.t && w.readings.usable(x));
        const prev = w.readings.latestAtOrBefore(d, r.t - 1, w.now(), true);
        if (!next || !prev || w.readings.replacedBetween(d, prev.t, next.t)) continue;
        // Nothing on the unreadable day; the next readable reading carries everything since the previous one.
        expect(got.pages[r.day - f.startDay]).toBe(0);
        if (reads.filter((x) => x.day === next.day && x.t > next.t).length === 0) {
          expect(got.pages[next.day - f.startDay]).toBe(w.readings.lifeCount(d, next.t) - w.readings.lifeCount(d, prev.t));
        }
        checked++;
      }
      if (d.replacedAt === undefined) {
        // Moved, never lost: after the first readable day, the pages add up to the counter difference.
        const usable = reads.filter((x) => w.readings.usable(x));
        const firstDayLast = usable.filter((x) => x.day === usable[0].day).at(-1)!;
        const last = usable.at(-1)!;
        const sum = got.pages.slice(usable[0].day - f.startDay + 1, last.day - f.startDay + 1).reduce((a, b) => a + b, 0);
        expect(sum).toBe(w.readings.lifeCount(d, last.t) - w.readings.lifeCount(d, firstDayLast.t));
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('deposits nothing for a device without a total, which still prints', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW, variants: { printtracker: { noTotalRate: 0.2 } } });
    expect(w.fleet.hasTotal(5)).toBe(false);
    const { totals } = deviceTruth(w, 5);
    expect(totals.pages.every((p) => p === 0)).toBe(true);
    expect(totals.printed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // Switching at run time changes the truth at once (nothing is materialised).
    w.variants.update({ printtracker: { noTotalRate: 0 } });
    expect(deviceTruth(w, 5).totals.pages.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('is unchanged by the switches that only change how readings are served', () => {
    const q = { start: '2025-02-01', end: '2025-04-15' };
    const plain = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const served = new World({
      seed: 7, start: '2025-01-01', now: NOW,
      variants: {
        printtracker: { meterIncludesChildren: true, redundantInstallsRate: 1, repeatedReadsRate: 0.5, mostRecentPriorTo: 'object-or-404', omitManagedField: true, shuffle: true, errorBody: 'text' },
        pharos: { printJobsEnd: 'exclusive', printJobsRows: 'users', shuffle: true },
      },
    });
    for (let g = 0; g < 3; g++) {
      expect(served.meterTruth(served.fleet.customer(g), q)).toEqual(plain.meterTruth(plain.fleet.customer(g), q));
      expect(served.jobTruth(g, q)).toEqual(plain.jobTruth(g, q));
    }
  });
});

describe('job truth', () => {
  it('makes pages equal printed and equal to the pages of the jobs', () => {
    const w = new World({ seed: 7, start: '2025-01-01', now: NOW });
    const rows = w.jobTruth(0, { start: '2025-03-01', end: '2025-04-15' });
    const meter = w.meterTruth(w.fleet.customer(0), { start: '2025-03-01', end: '2025-04-15' });
    const devices = w.devicesUnder(w.fleet.customer(0), 'all');
    rows.forEach((r, k) => {
      expect(r.pages).toBe(r.printed);
      const day = dayOf(Date.parse(r.date));
      let jobs = 0;
      for (const d of devices) for (const j of w.jobs.onDay(d, day)) if (j.t <= w.now()) jobs += j.pages;
      expect(r.pages).toBe(jobs);
      if (day < dayOf(w.now())) expect(r.printed).toBe(meter[k].printed);
    });
  });
});
