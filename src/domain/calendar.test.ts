import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidInput } from './errors.ts';
import {
  addDays, addMonths, businessDaysBetween, daysInMonth, eachDay, formatDay, formatTimestamp, isMonthClosable,
  lastClosableMonth, monthEnd, monthKey, monthLabel, monthLastDay, monthLastSecond, monthStart, monthsBetween,
  parseDay, parseInstant, parseMonth, quarterStart, startOfDay, withinBusinessDays, yearStart,
} from './calendar.ts';

const at = (iso: string) => new Date(iso);

describe('days', () => {
  it('parses YYYY-MM-DD strictly, as midnight UTC', () => {
    expect(parseDay('2021-02-28').toISOString()).toBe('2021-02-28T00:00:00.000Z');
    expect(parseDay('2020-02-29').toISOString()).toBe('2020-02-29T00:00:00.000Z');
    expect(parseDay('2000-02-29').toISOString()).toBe('2000-02-29T00:00:00.000Z');
    expect(parseDay('0099-01-01').getUTCFullYear()).toBe(99);
  });

  it('rejects impossible or malformed dates, naming the field', () => {
    for (const bad of ['2021-02-30', '2021-02-29', '1900-02-29', '2021-04-31', '2021-13-01', '2021-00-10',
      '2021-2-3', '20210203', '2021-02-03T00:00:00Z', '', 'yesterday', 20210203, null]) {
      expect(() => parseDay(bad, 'start_date'), String(bad)).toThrow(InvalidInput);
    }
    expect(() => parseDay('2021-02-30', 'start_date')).toThrow('start_date must be a calendar date in YYYY-MM-DD format');
  });

  it('formats days and timestamps in UTC without milliseconds', () => {
    expect(formatDay(at('2021-03-08T23:59:59.999Z'))).toBe('2021-03-08');
    expect(formatTimestamp(at('2021-03-08T14:52:33.987Z'))).toBe('2021-03-08T14:52:33Z');
    expect(formatTimestamp(at('2021-03-08T16:52:33+02:00'))).toBe('2021-03-08T14:52:33Z');
  });

  it('parses instants given as a day or as ISO 8601 with a zone', () => {
    expect(parseInstant('2021-03-08').toISOString()).toBe('2021-03-08T00:00:00.000Z');
    expect(parseInstant('2021-03-08T14:52:33Z').toISOString()).toBe('2021-03-08T14:52:33.000Z');
    expect(parseInstant('2021-03-08T16:52:33.5+02:00').toISOString()).toBe('2021-03-08T14:52:33.500Z');
    for (const bad of ['2021-03-08T14:52:33', '2021-02-30T00:00:00Z', '2021-03-08T25:00:00Z', 'now']) {
      expect(() => parseInstant(bad), bad).toThrow(InvalidInput);
    }
  });

  it('adds days across month, year and leap-day boundaries', () => {
    expect(formatDay(addDays(parseDay('2020-02-28'), 1))).toBe('2020-02-29');
    expect(formatDay(addDays(parseDay('2021-02-28'), 1))).toBe('2021-03-01');
    expect(formatDay(addDays(parseDay('2021-12-31'), 1))).toBe('2022-01-01');
    expect(formatDay(addDays(parseDay('2021-01-01'), -1))).toBe('2020-12-31');
    expect(startOfDay(at('2021-03-08T14:52:33Z')).toISOString()).toBe('2021-03-08T00:00:00.000Z');
  });

  it('lists each day of a range, both ends included', () => {
    expect(eachDay('2020-02-27', '2020-03-01')).toEqual(['2020-02-27', '2020-02-28', '2020-02-29', '2020-03-01']);
    expect(eachDay(at('2021-12-31T23:00:00Z'), at('2022-01-01T01:00:00Z'))).toEqual(['2021-12-31', '2022-01-01']);
    expect(eachDay('2021-03-02', '2021-03-01')).toEqual([]);
    expect(eachDay('2021-01-01', '2021-12-31')).toHaveLength(365);
    expect(eachDay('2020-01-01', '2020-12-31')).toHaveLength(366);
  });
});

describe('months', () => {
  it('knows month lengths, including leap Februaries', () => {
    expect([2019, 2020, 1900, 2000].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 28, 29]);
    expect(daysInMonth(2021, 4)).toBe(30);
    expect(daysInMonth(2021, 12)).toBe(31);
  });

  it('gives month keys, starts, exclusive ends and last days', () => {
    expect(monthKey(at('2021-02-28T23:59:59Z'))).toBe('2021-02');
    expect(monthStart('2021-02').toISOString()).toBe('2021-02-01T00:00:00.000Z');
    expect(monthEnd('2021-02').toISOString()).toBe('2021-03-01T00:00:00.000Z');
    expect(monthEnd('2021-12').toISOString()).toBe('2022-01-01T00:00:00.000Z');
    expect(formatDay(monthLastDay('2020-02'))).toBe('2020-02-29');
  });

  it("dates a month close at the month's last second", () => {
    expect(monthLastSecond('2021-02')).toBe('2021-02-28T23:59:59Z');
    expect(monthLastSecond('2020-02')).toBe('2020-02-29T23:59:59Z');
    expect(monthLastSecond('2021-01')).toBe('2021-01-31T23:59:59Z');
    expect(monthLastSecond('2021-04')).toBe('2021-04-30T23:59:59Z');
    expect(monthLastSecond('2021-12')).toBe('2021-12-31T23:59:59Z');
  });

  it('parses YYYY-MM strictly and steps months across years', () => {
    expect(parseMonth('2021-02')).toBe('2021-02');
    for (const bad of ['2021-2', '2021-13', '2021-00', '2021-02-01', 202102]) {
      expect(() => parseMonth(bad, 'month'), String(bad)).toThrow('month must be a month in YYYY-MM format');
    }
    expect(addMonths('2021-12', 1)).toBe('2022-01');
    expect(addMonths('2021-01', -1)).toBe('2020-12');
    expect(addMonths('2021-03', -15)).toBe('2019-12');
    expect(addMonths('2021-03', 24)).toBe('2023-03');
  });

  it('lists months between two instants, both included', () => {
    expect(monthsBetween(at('2020-11-30T23:59:59Z'), at('2021-02-01T00:00:00Z'))).toEqual([
      '2020-11', '2020-12', '2021-01', '2021-02',
    ]);
    expect(monthsBetween('2021-02', '2021-02')).toEqual(['2021-02']);
    expect(monthsBetween('2021-03', '2021-02')).toEqual([]);
  });

  it('labels a month for certificates', () => {
    expect(monthLabel('2021-02')).toBe('February 2021');
    expect(monthLabel('2020-12')).toBe('December 2020');
  });
});

describe('quarters and years', () => {
  it('starts quarters in January, April, July and October', () => {
    const cases: [string, string][] = [
      ['2021-03-31T23:59:59Z', '2021-01-01'],
      ['2021-04-01T00:00:00Z', '2021-04-01'],
      ['2021-06-30T12:00:00Z', '2021-04-01'],
      ['2021-07-01T00:00:00Z', '2021-07-01'],
      ['2021-09-30T23:59:59Z', '2021-07-01'],
      ['2021-10-01T00:00:00Z', '2021-10-01'],
      ['2021-12-31T23:59:59Z', '2021-10-01'],
      ['2020-02-29T10:00:00Z', '2020-01-01'],
    ];
    for (const [instant, start] of cases) expect(formatDay(quarterStart(at(instant))), instant).toBe(start);
  });

  it('starts years on 1 January UTC', () => {
    expect(yearStart(at('2021-12-31T23:59:59Z')).toISOString()).toBe('2021-01-01T00:00:00.000Z');
    expect(yearStart(at('2022-01-01T00:00:00Z')).toISOString()).toBe('2022-01-01T00:00:00.000Z');
  });
});

describe('business days (feed health)', () => {
  // 2021-03-05 is a Friday.
  it('counts Monday to Friday after the first day up to the last', () => {
    expect(businessDaysBetween(at('2021-03-05T18:00:00Z'), at('2021-03-05T23:00:00Z'))).toBe(0);
    expect(businessDaysBetween(at('2021-03-05T18:00:00Z'), at('2021-03-06T10:00:00Z'))).toBe(0); // Sat
    expect(businessDaysBetween(at('2021-03-05T18:00:00Z'), at('2021-03-07T10:00:00Z'))).toBe(0); // Sun
    expect(businessDaysBetween(at('2021-03-05T18:00:00Z'), at('2021-03-08T01:00:00Z'))).toBe(1); // Mon
    expect(businessDaysBetween(at('2021-03-06T12:00:00Z'), at('2021-03-08T12:00:00Z'))).toBe(1); // Sat → Mon
    expect(businessDaysBetween(at('2021-03-08T12:00:00Z'), at('2021-03-15T12:00:00Z'))).toBe(5); // a week
    expect(businessDaysBetween(at('2021-03-05T12:00:00Z'), at('2021-03-26T12:00:00Z'))).toBe(15);
    expect(businessDaysBetween(at('2021-03-08T12:00:00Z'), at('2021-03-05T12:00:00Z'))).toBe(-1);
  });

  it('agrees with counting day by day', () => {
    const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 }), (from, span) => {
        const to = addDays(from, span);
        let expected = 0;
        for (let day = addDays(startOfDay(from), 1); day <= to; day = addDays(day, 1)) {
          if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) expected += 1;
        }
        expect(businessDaysBetween(from, to)).toBe(expected);
      }),
    );
  });

  it('a feed is healthy while its last reading is within 3 business days', () => {
    const friday = at('2021-03-05T22:00:00Z');
    expect(withinBusinessDays(friday, at('2021-03-10T02:00:00Z'))).toBe(true); // Wed: Mon, Tue, Wed
    expect(withinBusinessDays(friday, at('2021-03-11T02:00:00Z'))).toBe(false); // Thu
    const monday = at('2021-03-08T09:00:00Z');
    expect(withinBusinessDays(monday, at('2021-03-11T09:00:00Z'))).toBe(true);
    expect(withinBusinessDays(monday, at('2021-03-12T09:00:00Z'))).toBe(false);
  });
});

describe('month close timing', () => {
  it('closes a month once it has ended and 2 grace days have passed', () => {
    expect(isMonthClosable('2021-02', at('2021-02-28T23:59:59Z'))).toBe(false);
    expect(isMonthClosable('2021-02', at('2021-03-02T23:59:59Z'))).toBe(false);
    expect(isMonthClosable('2021-02', at('2021-03-03T00:00:00Z'))).toBe(true);
    expect(isMonthClosable('2021-02', at('2021-03-01T00:00:00Z'), 0)).toBe(true);
    expect(isMonthClosable('2020-12', at('2021-01-03T00:00:00Z'))).toBe(true);
    expect(isMonthClosable('2021-03', at('2021-03-15T00:00:00Z'))).toBe(false);
  });

  it('finds the latest closable month', () => {
    expect(lastClosableMonth(at('2021-03-02T12:00:00Z'))).toBe('2021-01');
    expect(lastClosableMonth(at('2021-03-03T00:00:00Z'))).toBe('2021-02');
    expect(lastClosableMonth(at('2021-01-10T00:00:00Z'))).toBe('2020-12');
    expect(lastClosableMonth(at('2021-03-20T00:00:00Z'), 40)).toBe('2021-01');
  });
});
