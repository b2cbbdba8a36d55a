// UTC day arithmetic and the printing calendar (weekday weights, holidays, seasonal dips).

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Day number (days since 1970-01-01) of a UTC instant. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY);
}

/** Parses a strict `YYYY-MM-DD` into a day number, or undefined. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return ms / DAY;
}

/** Parses a strict `YYYY-MM` into [first day, last day] numbers, or undefined. */
export function parseMonth(text: string): [number, number] | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  const first = Date.UTC(Number(m[1]), month - 1, 1) / DAY;
  const next = Date.UTC(Number(m[1]), month, 1) / DAY;
  return [first, next - 1];
}

export function isoDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function isoMonth(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 7);
}

/** ISO 8601 UTC with seconds and no fraction: `2021-03-08T14:52:33Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** ISO 8601 UTC with milliseconds, as Print Tracker prints timestamps. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function nthWeekdayOfMonth(year: number, month: number, wd: number, n: number): number {
  const first = Date.UTC(year, month, 1) / DAY;
  const offset = (wd - weekday(first) + 7) % 7;
  return first + offset + 7 * (n - 1);
}

function lastWeekdayOfMonth(year: number, month: number, wd: number): number {
  const last = Date.UTC(year, month + 1, 0) / DAY;
  return last - ((weekday(last) - wd + 7) % 7);
}

const factorCache = new Map<number, number>();

/**
 * Share of a normal weekday's volume printed on a local calendar day: weekends nearly idle,
 * public holidays quiet, the last week of December and August subdued.
 */
export function dayFactor(day: number): number {
  const cached = factorCache.get(day);
  if (cached !== undefined) return cached;
  const date = new Date(day * DAY);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const dom = date.getUTCDate();
  const wd = weekday(day);
  let f = [0.04, 1.0, 1.05, 1.05, 1.0, 0.85, 0.08][wd];
  const fixedHoliday =
    (month === 0 && dom === 1) || (month === 6 && dom === 4) || (month === 11 && (dom === 25 || dom === 26));
  const movingHoliday =
    day === nthWeekdayOfMonth(year, 10, 4, 4) || // Thanksgiving
    day === nthWeekdayOfMonth(year, 0, 1, 3) || // Martin Luther King Jr. Day
    day === lastWeekdayOfMonth(year, 4, 1) || // Memorial Day
    day === nthWeekdayOfMonth(year, 8, 1, 1); // Labor Day
  if (fixedHoliday || movingHoliday) f = 0.03;
  else if (month === 11 && dom >= 22) f *= 0.35;
  else if (month === 7) f *= 0.8;
  if (factorCache.size > 20_000) factorCache.clear();
  factorCache.set(day, f);
  return f;
}

/** Hourly shares of a day's printing in local time (office hours), and their running total. */
const HOURLY = [0, 0, 0, 0, 0, 0, 0.3, 1.5, 4, 6, 6.5, 5.5, 4, 5, 6, 5.5, 4.5, 3, 1.2, 0.6, 0.4, 0.3, 0.2, 0];
const HOURLY_TOTAL = HOURLY.reduce((a, b) => a + b, 0);
const CUMULATIVE: number[] = [0];
for (const w of HOURLY) CUMULATIVE.push(CUMULATIVE[CUMULATIVE.length - 1] + w / HOURLY_TOTAL);

/** Share of a local day's pages printed by `msIntoDay` (0..DAY); monotone, 0 at midnight, 1 at the end. */
export function shareOfDayBy(msIntoDay: number): number {
  if (msIntoDay <= 0) return 0;
  if (msIntoDay >= DAY) return 1;
  const h = Math.floor(msIntoDay / HOUR);
  return CUMULATIVE[h] + ((msIntoDay - h * HOUR) / HOUR) * (HOURLY[h] / HOURLY_TOTAL);
}
