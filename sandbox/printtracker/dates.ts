// Parses the date formats Print Tracker accepts for `start`, `end` and `date` (Go layouts named in the API reference).

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS_SHORT = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAYS_LONG = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export type DateFormat =
  | 'RFC3339' | 'ISO8601' | 'RFC1123Z' | 'RFC1123' | 'RFC822Z' | 'RFC822' | 'RFC850' | 'ANSIC' | 'UnixDate' | 'Unix';

function month(name: string): number | undefined {
  const i = MONTHS.indexOf(name.toLowerCase());
  return i < 0 ? undefined : i;
}

function year2(yy: string): number {
  const n = Number(yy);
  return n >= 69 ? 1900 + n : 2000 + n;
}

/** `-0700` -> minutes east of UTC. */
function numericZone(z: string): number {
  const sign = z[0] === '-' ? -1 : 1;
  return sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
}

/**
 * Like Go's time.Parse on a server running in UTC, a zone abbreviation (MST, PST, CET...) carries no offset:
 * only numeric offsets move the instant. Use RFC3339 or a numeric zone to say what you mean.
 */
function abbreviationZone(z: string): number | undefined {
  return /^[A-Z]{3,5}$/.test(z) ? 0 : undefined;
}

function build(y: number, mo: number | undefined, d: number, h: number, mi: number, s: number, ms: number, zoneMin: number | undefined): number | undefined {
  if (mo === undefined || zoneMin === undefined) return undefined;
  if (d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo, d, h, mi, s, ms);
  if (new Date(t).getUTCDate() !== d) return undefined; // 31 Feb and the like
  return t - zoneMin * 60_000;
}

function fraction(f: string | undefined): number {
  return f ? Math.floor(Number(`0.${f}`) * 1000) : 0;
}

const weekdayShort = (w: string) => DAYS_SHORT.includes(w.toLowerCase());
const weekdayLong = (w: string) => DAYS_LONG.includes(w.toLowerCase());

interface Layout {
  format: DateFormat;
  re: RegExp;
  parse(m: RegExpExecArray): number | undefined;
}

const LAYOUTS: Layout[] = [
  {
    // 2006-01-02T15:04:05Z07:00, with optional fraction
    format: 'RFC3339',
    re: /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/,
    parse: (m) => build(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], fraction(m[7]), m[8] === 'Z' ? 0 : numericZone(m[8].replace(':', ''))),
  },
  {
    // 2006-01-02T15:04:05 (no zone: UTC)
    format: 'ISO8601',
    re: /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/,
    parse: (m) => build(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], fraction(m[7]), 0),
  },
  {
    // Mon, 02 Jan 2006 15:04:05 -0700
    format: 'RFC1123Z',
    re: /^([A-Za-z]{3}), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/,
    parse: (m) => (weekdayShort(m[1]) ? build(+m[4], month(m[3]), +m[2], +m[5], +m[6], +m[7], 0, numericZone(m[8])) : undefined),
  },
  {
    // Mon, 02 Jan 2006 15:04:05 MST
    format: 'RFC1123',
    re: /^([A-Za-z]{3}), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([A-Z]{3,5})$/,
    parse: (m) => (weekdayShort(m[1]) ? build(+m[4], month(m[3]), +m[2], +m[5], +m[6], +m[7], 0, abbreviationZone(m[8])) : undefined),
  },
  {
    // 02 Jan 06 15:04 -0700
    format: 'RFC822Z',
    re: /^(\d{2}) ([A-Za-z]{3}) (\d{2}) (\d{2}):(\d{2}) ([+-]\d{4})$/,
    parse: (m) => build(year2(m[3]), month(m[2]), +m[1], +m[4], +m[5], 0, 0, numericZone(m[6])),
  },
  {
    // 02 Jan 06 15:04 MST
    format: 'RFC822',
    re: /^(\d{2}) ([A-Za-z]{3}) (\d{2}) (\d{2}):(\d{2}) ([A-Z]{3,5})$/,
    parse: (m) => build(year2(m[3]), month(m[2]), +m[1], +m[4], +m[5], 0, 0, abbreviationZone(m[6])),
  },
  {
    // Monday, 02-Jan-06 15:04:05 MST  (the reference calls it "RFC8250")
    format: 'RFC850',
    re: /^([A-Za-z]+), (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([A-Z]{3,5})$/,
    parse: (m) => (weekdayLong(m[1]) ? build(year2(m[4]), month(m[3]), +m[2], +m[5], +m[6], +m[7], 0, abbreviationZone(m[8])) : undefined),
  },
  {
    // Mon Jan _2 15:04:05 2006
    format: 'ANSIC',
    re: /^([A-Za-z]{3}) ([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/,
    parse: (m) => (weekdayShort(m[1]) ? build(+m[7], month(m[2]), +m[3], +m[4], +m[5], +m[6], 0, 0) : undefined),
  },
  {
    // Mon Jan _2 15:04:05 MST 2006
    format: 'UnixDate',
    re: /^([A-Za-z]{3}) ([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([A-Z]{3,5}) (\d{4})$/,
    parse: (m) => (weekdayShort(m[1]) ? build(+m[8], month(m[2]), +m[3], +m[4], +m[5], +m[6], 0, abbreviationZone(m[7])) : undefined),
  },
  {
    // Unix epoch seconds, optionally with a fraction
    format: 'Unix',
    re: /^(\d{1,12})(?:\.(\d{1,9}))?$/,
    parse: (m) => Number(m[1]) * 1000 + fraction(m[2]),
  },
];

/** The instant (UTC ms) a Print Tracker date parameter names, and which layout matched; undefined if none. */
export function parsePrintTrackerDate(text: string): { ms: number; format: DateFormat } | undefined {
  const trimmed = text.trim();
  for (const layout of LAYOUTS) {
    const m = layout.re.exec(trimmed);
    if (!m) continue;
    const ms = layout.parse(m);
    if (ms !== undefined && Number.isFinite(ms)) return { ms, format: layout.format };
  }
  return undefined;
}

export const ACCEPTED_FORMATS =
  'RFC3339 (2021-01-25T17:52:52.417Z), ISO8601 without zone (2021-01-25T17:52:52), RFC1123Z, RFC1123, RFC822Z, RFC822, RFC850, ANSIC, UnixDate or Unix seconds';
