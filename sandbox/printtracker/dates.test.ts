// Every date format Print Tracker lists for start, end and date parses to the right instant.

import { describe, expect, it } from 'vitest';
import { parsePrintTrackerDate } from './dates.ts';

const T = Date.parse('2021-01-25T17:52:52Z');

describe('Print Tracker date formats', () => {
  const cases: [string, string, number][] = [
    ['RFC3339', '2021-01-25T17:52:52.417Z', T + 417],
    ['RFC3339', '2021-01-25T17:52:52Z', T],
    ['RFC3339', '2021-01-25T19:52:52+02:00', T],
    ['ISO8601', '2021-01-25T17:52:52', T],
    ['ISO8601', '2021-01-25T17:52:52.5', T + 500],
    ['RFC1123Z', 'Mon, 25 Jan 2021 10:52:52 -0700', T],
    ['RFC1123', 'Mon, 25 Jan 2021 17:52:52 UTC', T],
    ['RFC1123', 'Mon, 25 Jan 2021 17:52:52 GMT', T],
    ['RFC822Z', '25 Jan 21 18:52 +0100', T - 52_000],
    ['RFC822', '25 Jan 21 17:52 UTC', T - 52_000],
    ['RFC850', 'Monday, 25-Jan-21 17:52:52 UTC', T],
    ['ANSIC', 'Mon Jan 25 17:52:52 2021', T],
    ['ANSIC', 'Fri Jan  1 00:00:00 2021', Date.parse('2021-01-01T00:00:00Z')],
    ['UnixDate', 'Mon Jan 25 17:52:52 UTC 2021', T],
    ['Unix', String(T / 1000), T],
  ];
  for (const [format, text, ms] of cases) {
    it(`reads ${format}: ${text}`, () => {
      expect(parsePrintTrackerDate(text)).toEqual({ ms, format });
    });
  }

  it('reads a zone abbreviation as UTC, as Go does on a UTC server', () => {
    expect(parsePrintTrackerDate('Mon, 25 Jan 2021 17:52:52 PST')?.ms).toBe(T);
  });

  it('rejects dates it cannot read', () => {
    for (const text of ['', '2021-01-25', 'yesterday', '2021-02-30T00:00:00Z', 'Mon, 25 Jan 2021 17:52:52', 'Foo Jan 25 17:52:52 2021', '2021-01-25T17:52:52 02:00']) {
      expect(parsePrintTrackerDate(text), text).toBeUndefined();
    }
  });
});
