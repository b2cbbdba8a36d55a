// Row rules of imports: counters, dates in declared orders and zones, usage periods — each refusal names its rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateParts, parseCount, parseTimestamp, readRow, RowRefused, usageDepositDay, wallTimeToInstant } from './reading-rows.ts';

const NOW = Date.parse('2025-04-15T12:00:00Z');
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof RowRefused) return `${error.column} ${error.message}`;
    throw error;
  }
  return null;
};

describe('counters', () => {
  it('reads any whole number written as digits, and groups only with the declared separator', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), (n) => {
      expect(parseCount(String(n), 'c', null)).toBe(n);
      expect(parseCount(` ${n} `, 'c', null)).toBe(n);
      expect(parseCount(n.toLocaleString('en-US'), 'c', ',')).toBe(n);
      expect(parseCount(n.toLocaleString('de-DE'), 'c', '.')).toBe(n);
      if (n >= 1000) expect(refusal(() => parseCount(n.toLocaleString('en-US'), 'c', null))).toContain('thousands separator');
    }));
  });

  it('refuses what is not a counter, naming why', () => {
    expect(refusal(() => parseCount('N/A', 'lifetime_total', null))).toBe('lifetime_total is "N/A", not a number');
    expect(refusal(() => parseCount('-3', 'pages', null))).toContain('pages is negative');
    expect(refusal(() => parseCount('12,5', 'pages', null))).toContain('is not a whole number (12,5)');
    expect(refusal(() => parseCount('1.5e3', 'pages', null))).toContain('not a number');
    expect(refusal(() => parseCount('', 'pages', null))).toContain('is empty');
    expect(refusal(() => parseCount('9999999999999999', 'pages', null))).toContain('too large');
  });
});

describe('dates', () => {
  it('reads day-first and month-first dates as declared, and year-first whatever is declared', () => {
    expect(dateParts('03/04/2025', 'mdy')).toMatchObject({ y: 2025, mo: 3, d: 4, time: null });
    expect(dateParts('03/04/2025', 'dmy')).toMatchObject({ y: 2025, mo: 4, d: 3 });
    expect(dateParts('2025-04-03', 'dmy')).toMatchObject({ y: 2025, mo: 4, d: 3 });
    expect(dateParts('04/03/2025 12:30 AM', 'mdy')).toMatchObject({ time: { h: 0, mi: 30 } });
    expect(dateParts('04/03/2025 12:30 PM', 'mdy')).toMatchObject({ time: { h: 12, mi: 30 } });
    expect(dateParts('2025-04-03T10:00:00+02:00', 'iso')).toMatchObject({ offset: 120 });
    expect(dateParts('31/02/2025', 'dmy')).toBeNull();
    expect(dateParts('2025-04-03 25:00', 'iso')).toBeNull();
  });

  it('turns a wall time in a zone into the instant it names, across daylight-saving changes', () => {
    fc.assert(fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }), (d) => {
      const at = Math.floor(d.getTime() / 1000) * 1000;
      for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
        const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
          timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
        }).formatToParts(new Date(at)).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
        const back = wallTimeToInstant(zone, parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second);
        // An hour that occurs twice (autumn) may name the other instant: never more than an hour apart.
        expect(Math.abs(back - at)).toBeLessThanOrEqual(3_600_000);
        if (zone === 'UTC' || zone === 'Asia/Kolkata') expect(back).toBe(at);
      }
    }));
  });

  it('refuses times in the future and reads a date alone as noon of that day in the zone', () => {
    const o = { zone: 'America/New_York', dateFormat: 'iso' as const, now: NOW };
    expect(new Date(parseTimestamp('2025-04-02', 't', o)).toISOString()).toBe('2025-04-02T16:00:00.000Z');
    expect(refusal(() => parseTimestamp('2025-04-16T00:00:00Z', 'timestamp', o))).toContain('timestamp is in the future');
  });
});

describe('rows', () => {
  const options = { zone: 'UTC', dateFormat: 'iso' as const, thousands: null, now: NOW };
  it('needs the required columns of its kind', () => {
    expect(refusal(() => readRow({ device_id: 'a', timestamp: '2025-04-01' }, { ...options, kind: 'counters' }))).toBe('lifetime_total is missing: this column is required');
    expect(readRow({ device_id: ' a ', timestamp: '2025-04-01T00:00:00Z', lifetime_total: '7', managed: 'no' }, { ...options, kind: 'counters' }))
      .toEqual({ deviceId: 'a', at: Date.parse('2025-04-01T00:00:00Z'), lifetime: 7, black: null, color: null, managed: false });
  });

  it('puts a monthly figure on the month\'s last day, and only for a month that has ended', () => {
    const u = readRow({ device_id: 'a', month: '02/2025', pages: '10' }, { ...options, kind: 'usage_monthly' });
    expect(u).toMatchObject({ period: 'month', day: '2025-02-01' });
    expect(usageDepositDay(u as { period: 'month'; day: string })).toBe('2025-02-28');
    expect(refusal(() => readRow({ device_id: 'a', month: '2025-04', pages: '10' }, { ...options, kind: 'usage_monthly' }))).toContain('has not ended');
  });
});
