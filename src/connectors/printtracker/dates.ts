// Print Tracker's date formats (the Go layouts its reference lists), read into instants; Canopy sends RFC3339 with Z.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAY = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2})(?::(\\d{2})(\\.\\d+)?)?';
const ZONE = '(?:(Z|[+-]\\d{2}:?\\d{2})|([A-Z]{2,5}))';

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string | undefined;
  offset: string | undefined;
}

function twoDigitYear(yy: number): number {
  // Go's rule for "06": 69–99 are 1900s, 00–68 are 2000s.
  return yy >= 69 ? 1900 + yy : 2000 + yy;
}

const monthIndex = (name: string) => MONTHS.indexOf(name.toLowerCase()) + 1;

const LAYOUTS: Array<{ re: RegExp; parts(m: RegExpExecArray): Parts }> = [
  // RFC3339 and ISO8601 without a zone (read as UTC): 2021-01-25T17:52:52.417Z, 2021-01-25T17:52:52
  {
    re: new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})[T ]${TIME}${ZONE}?$`, 'i'),
    parts: (m) => ({ year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +(m[6] ?? 0), fraction: m[7], offset: m[8] }),
  },
  // RFC1123Z / RFC1123: Mon, 25 Jan 2021 17:52:52 -0700 / MST
  {
    re: new RegExp(`^${WEEKDAY},\\s+(\\d{1,2})\\s+${MONTH}\\s+(\\d{4})\\s+${TIME}\\s+${ZONE}$`, 'i'),
    parts: (m) => ({ year: +m[3], month: monthIndex(m[2]), day: +m[1], hour: +m[4], minute: +m[5], second: +(m[6] ?? 0), fraction: m[7], offset: m[8] }),
  },
  // RFC822Z / RFC822: 25 Jan 21 17:52 -0700 / MST
  {
    re: new RegExp(`^(\\d{1,2})\\s+${MONTH}\\s+(\\d{2})\\s+${TIME}\\s+${ZONE}$`, 'i'),
    parts: (m) => ({ year: twoDigitYear(+m[3]), month: monthIndex(m[2]), day: +m[1], hour: +m[4], minute: +m[5], second: +(m[6] ?? 0), fraction: m[7], offset: m[8] }),
  },
  // RFC850: Monday, 25-Jan-21 17:52:52 MST
  {
    re: new RegExp(`^${WEEKDAY},\\s+(\\d{1,2})-${MONTH}-(\\d{2})\\s+${TIME}\\s+${ZONE}$`, 'i'),
    parts: (m) => ({ year: twoDigitYear(+m[3]), month: monthIndex(m[2]), day: +m[1], hour: +m[4], minute: +m[5], second: +(m[6] ?? 0), fraction: m[7], offset: m[8] }),
  },
  // ANSIC / UnixDate: Mon Jan 25 17:52:52 2021 / Mon Jan 25 17:52:52 MST 2021
  {
    re: new RegExp(`^${WEEKDAY}\\s+${MONTH}\\s+(\\d{1,2})\\s+${TIME}(?:\\s+${ZONE})?\\s+(\\d{4})$`, 'i'),
    parts: (m) => ({ year: +m[9], month: monthIndex(m[1]), day: +m[2], hour: +m[3], minute: +m[4], second: +(m[5] ?? 0), fraction: m[6], offset: m[7] }),
  },
];

function offsetMinutes(offset: string | undefined): number {
  if (!offset || /^z$/i.test(offset)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]);
}

/**
 * An upstream timestamp → epoch milliseconds, or null when it is in none of the listed formats.
 * As Go does on a UTC server, a zone abbreviation (MST) carries no offset; numeric offsets move the instant.
 */
export function parsePrintTrackerTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  for (const layout of LAYOUTS) {
    const m = layout.re.exec(text);
    if (!m) continue;
    const p = layout.parts(m);
    if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31 || p.hour > 23 || p.minute > 59 || p.second > 60) return null;
    const ms = p.fraction ? Math.floor(Number(`0${p.fraction}`) * 1000) : 0;
    const utc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, ms);
    const check = new Date(Date.UTC(p.year, p.month - 1, p.day));
    if (check.getUTCDate() !== p.day) return null; // 31 February
    return utc - offsetMinutes(p.offset) * 60_000;
  }
  return null;
}

/** The form Canopy sends: RFC3339 in UTC with milliseconds and Z. */
export function formatPrintTrackerTime(ms: number): string {
  return new Date(ms).toISOString();
}
