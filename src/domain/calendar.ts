// The UTC calendar of the ledger: days, months, quarters, business days and when a month may close.
import { InvalidInput } from './errors.ts';

/** 'YYYY-MM' */
export type MonthKey = string;

const DAY_MS = 86_400_000;
const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_TEXT = /^(\d{4})-(\d{2})$/;
// ISO 8601 instant with a zone: 2021-03-08T14:52:33Z, 2021-03-08T14:52:33.120+02:00
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const pad2 = (n: number) => String(n).padStart(2, '0');
const pad4 = (n: number) => String(n).padStart(4, '0');

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate(); // month is 1-based: day 0 of the next
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * The days the ledger speaks of: nothing is dated before 1970, and no filter reaches past 2999 (the day
 * after 9999-12-31 is not a date PostgreSQL or a client can hold). Published as formatMinimum/Maximum.
 */
export const FIRST_LEDGER_DAY = '1970-01-01';
export const LAST_LEDGER_DAY = '2999-12-31';

/** parseDay, within FIRST_LEDGER_DAY..LAST_LEDGER_DAY (for list filters and ranges). */
export function parseLedgerDay(text: unknown, field = 'date'): Date {
  const date = parseDay(text, field);
  if (formatDay(date) < FIRST_LEDGER_DAY || formatDay(date) > LAST_LEDGER_DAY) {
    throw new InvalidInput(field, `must be a day from ${FIRST_LEDGER_DAY} to ${LAST_LEDGER_DAY}`);
  }
  return date;
}

/** A day to collect again from: a ledger day, not after today (a later one has nothing to re-read). */
export function parseRecollectDay(text: unknown, now: Date, field = 'since'): Date {
  const date = parseLedgerDay(text, field);
  if (formatDay(date) > formatDay(now)) throw new InvalidInput(field, 'must not be after today (UTC)');
  return date;
}

/** parseInstant, on a day within FIRST_LEDGER_DAY..LAST_LEDGER_DAY (feed activation and similar times). */
export function parseLedgerInstant(text: unknown, field = 'date'): Date {
  const date = parseInstant(text, field);
  const day = formatDay(date);
  if (Number.isNaN(date.getTime()) || day < FIRST_LEDGER_DAY || day > LAST_LEDGER_DAY) {
    throw new InvalidInput(field, `must be a time from ${FIRST_LEDGER_DAY} to ${LAST_LEDGER_DAY}`);
  }
  return date;
}

/** Strict 'YYYY-MM-DD' → midnight UTC. Rejects impossible dates such as 2021-02-30. */
export function parseDay(text: unknown, field = 'date'): Date {
  const match = typeof text === 'string' ? DAY_TEXT.exec(text) : null;
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  if (!match || !validDate(year, month, day)) {
    throw new InvalidInput(field, 'must be a calendar date in YYYY-MM-DD format');
  }
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return date;
}

/** 'YYYY-MM-DD' or an ISO 8601 instant with a zone ('…Z' or '…+02:00') → Date. */
export function parseInstant(text: unknown, field = 'date'): Date {
  if (typeof text === 'string' && DAY_TEXT.test(text)) return parseDay(text, field);
  const match = typeof text === 'string' ? TIMESTAMP_TEXT.exec(text) : null;
  if (match) {
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0));
    if (validDate(year, month, day) && hour < 24 && minute < 60 && second < 60) {
      const date = new Date(text as string);
      if (!Number.isNaN(date.getTime())) return date;
    }
  }
  throw new InvalidInput(field, 'must be a date (YYYY-MM-DD) or an ISO 8601 time such as 2021-03-08T14:52:33Z');
}

/** Date → 'YYYY-MM-DD' (UTC). */
export function formatDay(date: Date): string {
  return `${pad4(date.getUTCFullYear())}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** Date → '2021-03-08T14:52:33Z': UTC, whole seconds (milliseconds are dropped, not rounded). */
export function formatTimestamp(date: Date): string {
  return `${formatDay(date)}T${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}Z`;
}

/** Midnight UTC of the day `date` falls on. */
export function startOfDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Every day from `start` to `end`, both included, as 'YYYY-MM-DD'. Empty when end is before start. */
export function eachDay(start: Date | string, end: Date | string): string[] {
  const first = startOfDay(typeof start === 'string' ? parseDay(start, 'start_date') : start);
  const last = startOfDay(typeof end === 'string' ? parseDay(end, 'end_date') : end);
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) days.push(formatDay(day));
  return days;
}

// ---- months -----------------------------------------------------------------------------------

/** The 'YYYY-MM' month `date` falls in (UTC). */
export function monthKey(date: Date): MonthKey {
  return `${pad4(date.getUTCFullYear())}-${pad2(date.getUTCMonth() + 1)}`;
}

/** Strict 'YYYY-MM'. */
export function parseMonth(text: unknown, field = 'month'): MonthKey {
  const match = typeof text === 'string' ? MONTH_TEXT.exec(text) : null;
  if (!match || !validDate(Number(match[1]), Number(match[2]), 1)) {
    throw new InvalidInput(field, 'must be a month in YYYY-MM format');
  }
  return text as string;
}

/** First instant of the month. */
export function monthStart(month: MonthKey): Date {
  return parseDay(`${parseMonth(month)}-01`, 'month');
}

/** First instant of the following month: the exclusive end of `month`. */
export function monthEnd(month: MonthKey): Date {
  return monthStart(addMonths(month, 1));
}

/** Midnight of the month's last day. */
export function monthLastDay(month: MonthKey): Date {
  return addDays(monthEnd(month), -1);
}

/** The certificate date of a month close: '2021-02-28T23:59:59Z'. */
export function monthLastSecond(month: MonthKey): string {
  return formatTimestamp(new Date(monthEnd(month).getTime() - 1000));
}

export function addMonths(month: MonthKey, count: number): MonthKey {
  const start = monthStart(month);
  const index = start.getUTCFullYear() * 12 + start.getUTCMonth() + count;
  return `${pad4(Math.floor(index / 12))}-${pad2((index % 12) + 1)}`;
}

/** Months from the one containing `start` to the one containing `end`, both included, chronological. */
export function monthsBetween(start: Date | MonthKey, end: Date | MonthKey): MonthKey[] {
  const first = typeof start === 'string' ? parseMonth(start) : monthKey(start);
  const last = typeof end === 'string' ? parseMonth(end) : monthKey(end);
  const months: MonthKey[] = [];
  for (let month = first; month <= last; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** "February 2021": the period of a month-close certificate. */
export function monthLabel(month: MonthKey): string {
  const start = monthStart(month);
  return `${MONTH_NAMES[start.getUTCMonth()]} ${start.getUTCFullYear()}`;
}

/** First instant of the calendar quarter (Jan, Apr, Jul, Oct) containing `date`. */
export function quarterStart(date: Date): Date {
  const month = date.getUTCMonth() - (date.getUTCMonth() % 3);
  return monthStart(`${pad4(date.getUTCFullYear())}-${pad2(month + 1)}`);
}

/** First instant of the year containing `date`. */
export function yearStart(date: Date): Date {
  return monthStart(`${pad4(date.getUTCFullYear())}-01`);
}

// ---- business days and month close ------------------------------------------------------------

function isWeekday(day: Date): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * Business days (Mon–Fri, UTC) after the day of `from`, up to and including the day of `to`:
 * Friday → Monday is 1, Monday → Thursday is 3, same day is 0; negative when `to` is earlier.
 */
export function businessDaysBetween(from: Date, to: Date): number {
  const first = startOfDay(from);
  const last = startOfDay(to);
  if (last < first) return -businessDaysBetween(to, from);
  const days = Math.round((last.getTime() - first.getTime()) / DAY_MS);
  const weeks = Math.floor(days / 7);
  let count = weeks * 5;
  for (let day = addDays(first, weeks * 7 + 1); day <= last; day = addDays(day, 1)) {
    if (isWeekday(day)) count += 1;
  }
  return count;
}

/** Feed health: did the last reading arrive within the last `days` business days before `now`? */
export function withinBusinessDays(lastReading: Date, now: Date, days = 3): boolean {
  return businessDaysBetween(lastReading, now) <= days;
}

/** A month can close once it has ended and the grace period (whole days) for late collection has passed. */
export function isMonthClosable(month: MonthKey, now: Date, graceDays = 2): boolean {
  return now.getTime() >= addDays(monthEnd(month), graceDays).getTime();
}

/** The latest month that may close at `now`. */
export function lastClosableMonth(now: Date, graceDays = 2): MonthKey {
  let month = addMonths(monthKey(now), -1);
  while (!isMonthClosable(month, now, graceDays)) month = addMonths(month, -1);
  return month;
}
