import { describe, expect, it } from 'vitest';
import { formatPrintTrackerTime, parsePrintTrackerTime } from './dates.ts';

const utc = (iso: string) => Date.parse(iso);

describe('Print Tracker dates', () => {
  it.each([
    ['2021-01-25T17:52:52.417Z', '2021-01-25T17:52:52.417Z'],
    ['2021-01-25T19:52:52+02:00', '2021-01-25T17:52:52.000Z'],
    ['2021-01-25T17:52:52', '2021-01-25T17:52:52.000Z'],
    ['Mon, 25 Jan 2021 17:52:52 -0700', '2021-01-26T00:52:52.000Z'],
    ['Mon, 25 Jan 2021 17:52:52 MST', '2021-01-25T17:52:52.000Z'],
    ['25 Jan 21 17:52 -0700', '2021-01-26T00:52:00.000Z'],
    ['25 Jan 21 17:52 MST', '2021-01-25T17:52:00.000Z'],
    ['Monday, 25-Jan-21 17:52:52 MST', '2021-01-25T17:52:52.000Z'],
    ['Mon Jan 25 17:52:52 2021', '2021-01-25T17:52:52.000Z'],
    ['Mon Jan  5 17:52:52 2021', '2021-01-05T17:52:52.000Z'],
    ['Mon Jan 25 17:52:52 MST 2021', '2021-01-25T17:52:52.000Z'],
    ['1611597172', '2021-01-25T17:52:52.000Z'],
  ])('reads %s', (text, expected) => {
    expect(parsePrintTrackerTime(text)).toBe(utc(expected));
  });

  it.each(['2021-01-25', 'yesterday', '2021-02-31T10:00:00Z', '', 'Mon, 25 Foo 2021 17:52:52 MST', null])('refuses %s', (text) => {
    expect(parsePrintTrackerTime(text)).toBeNull();
  });

  it('sends RFC3339 in UTC with Z', () => {
    expect(formatPrintTrackerTime(utc('2021-01-25T17:52:52.417Z'))).toBe('2021-01-25T17:52:52.417Z');
  });
});
