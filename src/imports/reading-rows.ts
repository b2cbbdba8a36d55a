// Imported rows → typed readings or usage figures, or the rule a row breaks (row, column, value): pure, no I/O.
import { monthLastDay } from '../domain/calendar.ts';

export type ImportKind = 'counters' | 'usage_daily' | 'usage_monthly';
export type DateFormat = 'iso' | 'mdy' | 'dmy' | 'ymd';
export type ThousandsSeparator = ',' | '.' | ' ' | "'" | null;

/** The fields of an import row: counters (device_id, timestamp, lifetime_total) or usage (device_id, date|month, pages). */
export const COUNTER_FIELDS = ['device_id', 'timestamp', 'lifetime_total', 'managed', 'paper_size', 'black_total', 'color_total'] as const;
export const USAGE_DAILY_FIELDS = ['device_id', 'date', 'pages', 'paper_size'] as const;
export const USAGE_MONTHLY_FIELDS = ['device_id', 'month', 'pages', 'paper_size'] as const;
export type ImportField = (typeof COUNTER_FIELDS)[number] | (typeof USAGE_DAILY_FIELDS)[number] | (typeof USAGE_MONTHLY_FIELDS)[number];

export const FIELDS_OF: Record<ImportKind, readonly ImportField[]> = {
  counters: COUNTER_FIELDS, usage_daily: USAGE_DAILY_FIELDS, usage_monthly: USAGE_MONTHLY_FIELDS,
};
export const REQUIRED_OF: Record<ImportKind, readonly ImportField[]> = {
  counters: ['device_id', 'timestamp', 'lifetime_total'],
  usage_daily: ['device_id', 'date', 'pages'],
  usage_monthly: ['device_id', 'month', 'pages'],
};

export interface RowOptions {
  kind: ImportKind;
  /** IANA zone for times written without an offset */
  zone: string;
  dateFormat: DateFormat;
  thousands: ThousandsSeparator;
  /** readings after this are refused as future (epoch ms) */
  now: number;
}

/** One counter reading as stored: device, instant and counters only. */
export interface ImportedReading {
  deviceId: string;
  at: number;
  lifetime: number;
  black: number | null;
  color: number | null;
  managed: boolean | null;
}

/** One usage figure: pages of a device on a day, or in a month (keyed by the month's first day). */
export interface ImportedUsage {
  deviceId: string;
  period: 'day' | 'month';
  /** YYYY-MM-DD: the day, or the month's first day */
  day: string;
  pages: number;
  paperSize: string | null;
}

export interface RowProblem {
  /** 1-based data row (the header is row 0 of the data; API arrays count from 1) */
  row: number;
  column: string;
  rule: string;
  value: string | null;
}

export class RowRefused extends Error {
  readonly column: string;
  readonly value: string | null;
  constructor(column: string, rule: string, value: string | null) {
    super(rule);
    this.column = column;
    this.value = value;
  }
}

const MAX_COUNTER = 999_999_999_999_999;

function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}

/** A whole, non-negative counter; grouping separators only when the import declares them. */
export function parseCount(raw: string, column: string, thousands: ThousandsSeparator): number {
  const text = raw.trim();
  if (text === '') throw new RowRefused(column, 'is empty: a whole number is required', raw);
  if (/^[-−]/.test(text)) throw new RowRefused(column, `is negative (${shown(text)}): counters and pages are never below 0`, raw);
  let digits = text;
  if (thousands !== null) {
    const sep = thousands === '.' ? '\\.' : thousands;
    if (new RegExp(`^\\d{1,3}(${sep}\\d{3})+$`).test(text)) digits = text.split(thousands).join('');
  }
  if (!/^\d+$/.test(digits)) {
    if (/^\d{1,3}([,. '\u00a0]\d{3})+$/.test(text)) {
      throw new RowRefused(column, `has a thousands separator (${shown(text)}): write the number without it, or declare thousands_separator`, raw);
    }
    if (/^\d+[.,]\d+$/.test(text)) throw new RowRefused(column, `is not a whole number (${shown(text)}): a counter counts pages`, raw);
    throw new RowRefused(column, `is ${JSON.stringify(shown(text))}, not a number`, raw);
  }
  const n = Number(digits);
  if (!Number.isSafeInteger(n) || n > MAX_COUNTER) throw new RowRefused(column, `is too large (${shown(text)}): at most ${MAX_COUNTER}`, raw);
  return n;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Whether Node knows this IANA zone name. */
export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC (ms) at an instant. */
function zoneOffset(zone: string, at: number): number {
  if (zone === 'UTC') return 0;
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    zoneFormats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** A wall-clock time in a zone → epoch ms (the earlier instant when a clock change makes it ambiguous). */
export function wallTimeToInstant(zone: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const first = wall - zoneOffset(zone, wall);
  return wall - zoneOffset(zone, first);
}

const TIME = String.raw`(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp][Mm])?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?`;
const YMD = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`);
const XYZ = new RegExp(String.raw`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})${TIME}$`);

export interface ParsedDate {
  y: number;
  mo: number;
  d: number;
  /** null when the value has a date only */
  time: { h: number; mi: number; s: number; ms: number } | null;
  /** offset in minutes when the value carries one */
  offset: number | null;
}

/** The parts of a date or time as written, in the declared order; null when it is not one. */
export function dateParts(text: string, format: DateFormat): ParsedDate | null {
  const t = text.trim();
  let m = YMD.exec(t);
  let y: number, mo: number, d: number;
  if (m) {
    // A year-first value is unambiguous whatever day/month order is declared.
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    m = XYZ.exec(t);
    if (!m) return null;
    const [a, b] = [Number(m[1]), Number(m[2])];
    y = Number(m[3]);
    if (format === 'dmy') [d, mo] = [a, b];
    else [mo, d] = [a, b];
  }
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return null;
  let time: ParsedDate['time'] = null;
  if (m[4] !== undefined) {
    let h = Number(m[4]);
    const meridiem = m[8]?.toLowerCase();
    if (meridiem) {
      if (h < 1 || h > 12) return null;
      h = (h % 12) + (meridiem === 'pm' ? 12 : 0);
    }
    const mi = Number(m[5]);
    const s = m[6] === undefined ? 0 : Number(m[6]);
    if (h > 23 || mi > 59 || s > 59) return null;
    time = { h, mi, s, ms: m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000) };
  }
  let offset: number | null = null;
  const z = m[9];
  if (z !== undefined) {
    if (z === 'Z' || z === 'UTC' || z === 'GMT') offset = 0;
    else {
      const sign = z[0] === '-' ? -1 : 1;
      const digits = z.slice(1).replace(':', '');
      offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    }
  }
  return { y, mo, d, time, offset };
}

/**
 * A reading's instant: an offset written in the value wins, else the declared zone. A date without a time
 * is the counter at the end of that day as the dealer's tool saw it: noon in the declared zone keeps it on its day.
 */
export function parseTimestamp(raw: string, column: string, o: Pick<RowOptions, 'zone' | 'dateFormat' | 'now'>): number {
  const p = dateParts(raw, o.dateFormat);
  if (p === null) {
    throw new RowRefused(column, `is ${JSON.stringify(shown(raw.trim()))}, not a date and time in the ${formatName(o.dateFormat)} format`, raw);
  }
  const time = p.time ?? { h: 12, mi: 0, s: 0, ms: 0 };
  const at = p.offset !== null
    ? Date.UTC(p.y, p.mo - 1, p.d, time.h, time.mi, time.s, time.ms) - p.offset * 60_000
    : wallTimeToInstant(o.zone, p.y, p.mo, p.d, time.h, time.mi, time.s, time.ms);
  if (at > o.now + 5 * 60_000) throw new RowRefused(column, `is in the future (${new Date(at).toISOString()}): readings are counted when they happened`, raw);
  return at;
}

export function formatName(format: DateFormat): string {
  return { iso: 'ISO 8601 (2025-01-31T08:00:00Z)', ymd: 'YYYY-MM-DD', mdy: 'MM/DD/YYYY', dmy: 'DD/MM/YYYY' }[format];
}

/** A usage day: the date part only, in the declared day/month order. */
function parseUsageDay(raw: string, column: string, o: Pick<RowOptions, 'dateFormat' | 'now'>): string {
  const p = dateParts(raw, o.dateFormat);
  if (p === null) throw new RowRefused(column, `is ${JSON.stringify(shown(raw.trim()))}, not a date in the ${formatName(o.dateFormat)} format`, raw);
  const day = `${p.y}-${String(p.mo).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
  if (Date.parse(`${day}T00:00:00Z`) > o.now) throw new RowRefused(column, `is in the future (${day}): usage is counted when it happened`, raw);
  return day;
}

/** A usage month: YYYY-MM or MM/YYYY, and only a month that has ended (its figure is final). */
function parseUsageMonth(raw: string, column: string, now: number): string {
  const t = raw.trim();
  const m = /^(\d{4})[-/.](\d{1,2})$/.exec(t) ?? null;
  const n = m ? null : /^(\d{1,2})[-/.](\d{4})$/.exec(t);
  const [y, mo] = m ? [Number(m[1]), Number(m[2])] : n ? [Number(n[2]), Number(n[1])] : [0, 0];
  if (mo < 1 || mo > 12) throw new RowRefused(column, `is ${JSON.stringify(shown(t))}, not a month (YYYY-MM or MM/YYYY)`, raw);
  const month = `${y}-${String(mo).padStart(2, '0')}`;
  if (monthLastDay(month).getTime() + 86_400_000 > now) {
    throw new RowRefused(column, `is ${month}, a month that has not ended: send its figure once the month is over`, raw);
  }
  return `${month}-01`;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'managed']);
const FALSE = new Set(['false', 'no', 'n', '0', 'unmanaged']);

function parseManaged(raw: string, column: string): boolean | null {
  const t = raw.trim().toLowerCase();
  if (t === '') return null;
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw new RowRefused(column, `is ${JSON.stringify(shown(raw))}: managed must be true or false`, raw);
}

const DEVICE_ID = /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]{0,254}$/;

function parseDevice(raw: string, column: string): string {
  const t = raw.trim();
  if (t === '') throw new RowRefused(column, 'is empty: every row needs the device it was read from', raw);
  if (!DEVICE_ID.test(t)) throw new RowRefused(column, 'must be 1 to 255 printable characters', raw);
  return t;
}

const optional = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** Values by field name (strings as written, undefined when the column is absent) → a reading or usage figure. */
export function readRow(values: Partial<Record<ImportField, string>>, o: RowOptions): ImportedReading | ImportedUsage {
  for (const field of REQUIRED_OF[o.kind]) {
    if (values[field] === undefined) throw new RowRefused(field, 'is missing: this column is required', null);
  }
  const deviceId = parseDevice(values.device_id!, 'device_id');
  if (o.kind === 'counters') {
    return {
      deviceId,
      at: parseTimestamp(values.timestamp!, 'timestamp', o),
      lifetime: parseCount(values.lifetime_total!, 'lifetime_total', o.thousands),
      black: optional(values.black_total) ? parseCount(values.black_total, 'black_total', o.thousands) : null,
      color: optional(values.color_total) ? parseCount(values.color_total, 'color_total', o.thousands) : null,
      managed: values.managed === undefined ? null : parseManaged(values.managed, 'managed'),
    };
  }
  const paperSize = optional(values.paper_size) ? values.paper_size.trim().slice(0, 64) : null;
  const pages = parseCount(values.pages!, 'pages', o.thousands);
  if (o.kind === 'usage_daily') return { deviceId, period: 'day', day: parseUsageDay(values.date!, 'date', o), pages, paperSize };
  return { deviceId, period: 'month', day: parseUsageMonth(values.month!, 'month', o.now), pages, paperSize };
}

/** The day a usage figure is deposited on: its day, or its month's last day (carried on when that month is closed). */
export function usageDepositDay(u: Pick<ImportedUsage, 'period' | 'day'>): string {
  return u.period === 'day' ? u.day : monthLastDay(u.day.slice(0, 7)).toISOString().slice(0, 10);
}

/** The kind of import a set of column names describes, or null when it names neither shape. */
export function kindOfFields(fields: readonly string[]): ImportKind | null {
  const has = (f: string) => fields.includes(f);
  if (has('lifetime_total')) return 'counters';
  if (has('pages') && has('month')) return 'usage_monthly';
  if (has('pages')) return 'usage_daily';
  return null;
}
