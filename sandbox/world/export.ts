// CSV exports of a customer's fleet, as a dealer's data-collection tool writes them: meter readings, or
// usage per device per day or per month, in a chosen date format, delimiter and time offset.

import { DAY, dayOf, isoDay, parseDay } from './calendar.ts';
import type { Device, Entity } from './fleet.ts';
import { addMeterTruth, emptyTotals } from './truth.ts';
import type { World } from './world.ts';

export type ExportShape = 'counters' | 'usage_daily' | 'usage_monthly';
/** iso: 2025-01-31T08:02:11Z; local: 2025-01-31 10:02:11 at the offset; mdy: 01/31/2025 10:02 AM; dmy: 31.01.2025 10:02:11 */
export type ExportDates = 'iso' | 'local' | 'mdy' | 'dmy';

export interface ExportQuery {
  shape: ExportShape;
  start: string;
  end: string;
  dates: ExportDates;
  delimiter: string;
  /** whole hours east of UTC the local times are written in (dates local/mdy/dmy) */
  offsetHours: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function formatTime(ms: number, q: ExportQuery): string {
  if (q.dates === 'iso') return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const d = new Date(ms + q.offsetHours * 3_600_000);
  const [y, mo, day, h, mi, s] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  if (q.dates === 'local') return `${y}-${pad(mo)}-${pad(day)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
  if (q.dates === 'mdy') return `${pad(mo)}/${pad(day)}/${y} ${pad(((h + 11) % 12) + 1)}:${pad(mi)}:${pad(s)} ${h < 12 ? 'AM' : 'PM'}`;
  return `${pad(day)}.${pad(mo)}.${y} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

function formatDate(day: number, q: ExportQuery): string {
  const iso = isoDay(day);
  const [y, mo, d] = iso.split('-');
  if (q.dates === 'mdy') return `${mo}/${d}/${y}`;
  if (q.dates === 'dmy') return `${d}.${mo}.${y}`;
  return iso;
}

function cell(value: string, delimiter: string): string {
  return value.includes(delimiter) || value.includes('"') ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Where a device stands, as a tool lists it (non-ASCII on purpose: exports come in several encodings). */
const location = (d: Device) => (d.slot === 0 ? 'Empfang – Büro' : `Étage ${d.slot}`);

/** The export as CSV text. Counters: every readable reading visible by now; usage: what a correct collector deposits per device. */
export function exportCsv(world: World, e: Entity, q: ExportQuery): string {
  const from = parseDay(q.start);
  const to = parseDay(q.end);
  if (from === undefined) throw new RangeError('start: must be YYYY-MM-DD');
  if (to === undefined || to < from) throw new RangeError('end: must be YYYY-MM-DD, not before start');
  const now = world.now();
  const devices = world.devicesUnder(e, 'all').filter((d) => world.readings.hasTotal(d));
  const line = (cells: string[]) => cells.map((c) => cell(c, q.delimiter)).join(q.delimiter);
  const out: string[] = [];
  if (q.shape === 'counters') {
    out.push(line(['Device ID', 'Serial Number', 'Model', 'Location', 'Read At', 'Lifetime Total', 'Black Total', 'Color Total']));
    for (const d of devices) {
      for (const r of world.readings.between(d, from * DAY, to * DAY + DAY - 1, now)) {
        if (!world.readings.usable(r)) continue;
        const c = world.readings.counters(d, r.t);
        out.push(line([d.id, d.serialNumber, `${d.model.make} ${d.model.model}`, location(d), formatTime(r.t, q), String(c.life), String(c.lifeBlack), String(c.lifeColor)]));
      }
    }
  } else {
    const days = to - from + 1;
    const monthly = q.shape === 'usage_monthly';
    out.push(line(monthly ? ['Device', 'Month', 'Pages'] : ['Device', 'Date', 'Pages', 'Location']));
    for (const d of devices) {
      const totals = emptyTotals(days);
      addMeterTruth(totals, world.readings, world.printing, d, from, days, now, now);
      const months = new Map<string, number>();
      for (let k = 0; k < days; k++) {
        const pages = totals.pages[k];
        if (pages <= 0) continue;
        if (monthly) months.set(isoDay(from + k).slice(0, 7), (months.get(isoDay(from + k).slice(0, 7)) ?? 0) + pages);
        else out.push(line([d.id, formatDate(from + k, q), String(pages), location(d)]));
      }
      for (const [month, pages] of months) {
        const [y, mo] = month.split('-');
        out.push(line([d.id, q.dates === 'iso' || q.dates === 'local' ? month : `${mo}/${y}`, String(pages)]));
      }
    }
  }
  return `${out.join('\r\n')}\r\n`;
}

export function exportQuery(get: (name: string) => string | null, now: number): ExportQuery {
  const shape = (get('shape') ?? 'counters') as ExportShape;
  if (!['counters', 'usage_daily', 'usage_monthly'].includes(shape)) throw new RangeError('shape: must be counters, usage_daily or usage_monthly');
  const dates = (get('dates') ?? 'iso') as ExportDates;
  if (!['iso', 'local', 'mdy', 'dmy'].includes(dates)) throw new RangeError('dates: must be iso, local, mdy or dmy');
  const delimiter = { comma: ',', semicolon: ';', tab: '\t' }[get('delimiter') ?? 'comma'];
  if (delimiter === undefined) throw new RangeError('delimiter: must be comma, semicolon or tab');
  const offsetHours = Number(get('offset_hours') ?? '0');
  if (!Number.isInteger(offsetHours) || Math.abs(offsetHours) > 14) throw new RangeError('offset_hours: must be a whole number from -14 to 14');
  return { shape, dates, delimiter, offsetHours, start: get('start') ?? '', end: get('end') ?? isoDay(dayOf(now)) };
}
