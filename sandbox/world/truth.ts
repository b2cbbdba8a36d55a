// Ground truth per UTC day: what devices really printed, and what a correct collector must deposit from the readings.

import { DAY, dayOf, isoDay } from './calendar.ts';
import type { Device } from './fleet.ts';
import type { Jobs } from './jobs.ts';
import type { Printing } from './printing.ts';
import type { Readings } from './readings.ts';

export interface TruthRow {
  date: string;
  /** What a collector following DESIGN.md must deposit that day. */
  pages: number;
  /** What the devices really printed that day. */
  printed: number;
}

export interface DayTotals {
  pages: Float64Array;
  printed: Float64Array;
}

export function emptyTotals(days: number): DayTotals {
  return { pages: new Float64Array(days), printed: new Float64Array(days) };
}

/**
 * Adds one device's Print Tracker truth for days [fromDay, fromDay + days) as of `asOf` (readings not yet
 * visible do not count) to `into`. Deposits follow DESIGN.md: the last reading of a day against the
 * previous day's last reading; the first reading is a baseline; a replacement in between makes the new
 * reading a baseline; days without readings deposit nothing and the next reading carries their pages.
 * A device without a `total` counter deposits nothing (only `printed` counts it); a reading whose
 * lifetime counter is unreadable is skipped as if absent.
 */
export function addMeterTruth(
  into: DayTotals, readings: Readings, printing: Printing, device: Device,
  fromDay: number, days: number, asOf: number, now: number,
): void {
  // Without a total a correct collector never deposits for the device: counting stops at `printed`.
  const deposits = readings.hasTotal(device);
  let prev = deposits ? readings.latestAtOrBefore(device, fromDay * DAY - 1, asOf, true) : undefined;
  let prevPrinted = prev ? printing.printedBy(device, prev.t) : 0;
  for (let k = 0; k < days; k++) {
    const day = fromDay + k;
    const dayStart = day * DAY;
    if (dayStart > now) break;
    into.printed[k] += printing.printedBetween(device, dayStart, Math.min(dayStart + DAY, now));
    if (!deposits || day < device.firstReadDay || dayStart > asOf) continue;
    const rs = readings.onDay(device, day);
    let last = undefined;
    for (const r of rs) if (r.t <= asOf && r.visibleAt <= asOf && readings.usable(r)) last = r;
    if (!last) continue;
    const lastPrinted = printing.printedBy(device, last.t);
    if (prev && !readings.replacedBetween(device, prev.t, last.t)) into.pages[k] += lastPrinted - prevPrinted;
    prev = last;
    prevPrinted = lastPrinted;
  }
}

/** Adds one device's Pharos truth: print jobs are exact, so pages = printed = pages of jobs finished by now. */
export function addJobTruth(into: DayTotals, jobs: Jobs, printing: Printing, device: Device, fromDay: number, days: number, now: number): void {
  const today = dayOf(now);
  for (let k = 0; k < days; k++) {
    const day = fromDay + k;
    if (day > today) break;
    let pages = 0;
    if (day < today) pages = printing.printedBetween(device, day * DAY, day * DAY + DAY);
    else for (const j of jobs.onDay(device, day)) if (j.t <= now) pages += j.pages;
    into.pages[k] += pages;
    into.printed[k] += pages;
  }
}

export function truthRows(totals: DayTotals, fromDay: number): TruthRow[] {
  const rows: TruthRow[] = [];
  for (let k = 0; k < totals.pages.length; k++) {
    rows.push({ date: isoDay(fromDay + k), pages: totals.pages[k], printed: totals.printed[k] });
  }
  return rows;
}
