// What devices really print: daily volumes per local day and the cumulative pages by any instant, with cached prefix sums.

import { DAY, dayFactor, shareOfDayBy } from './calendar.ts';
import { hash, normal, salt, unit } from './hash.ts';
import type { Device } from './fleet.ts';

const VOL = salt('daily-volume');
const CACHE_DEVICES = 4096;

interface Prefix {
  /** Local day of index 0. */
  firstDay: number;
  /** sums[k] = pages printed on local days firstDay .. firstDay + k - 1. */
  sums: Float64Array;
  filled: number;
  /** Local cumulative at the world's start instant, subtracted so the world starts at zero. */
  atStart: number;
}

export class Printing {
  private readonly seed: number;
  private readonly startMs: number;
  private readonly prefixes = new Map<number, Prefix>();

  constructor(seed: number, startMs: number) {
    this.seed = seed;
    this.startMs = startMs;
  }

  /** Pages a device prints on a local calendar day (weekday pattern, holidays, day-to-day noise, idle days). */
  dailyVolume(device: Device, localDay: number): number {
    const s = this.seed;
    const i = device.index;
    if (unit(s, VOL, i, localDay, 0) < 0.03) return 0;
    const noise = Math.exp(0.35 * normal(unit(s, VOL, i, localDay, 1), unit(s, VOL, i, localDay, 2)));
    const expected = device.baseVolume * dayFactor(localDay) * noise;
    const whole = Math.floor(expected);
    return whole + (unit(s, VOL, i, localDay, 3) < expected - whole ? 1 : 0);
  }

  private prefix(device: Device, localDay: number): Prefix {
    let p = this.prefixes.get(device.index);
    if (!p) {
      const firstDay = Math.floor((this.startMs + device.utcOffsetMs) / DAY);
      p = { firstDay, sums: new Float64Array(64), filled: 1, atStart: 0 };
      p.atStart = this.localCumulativeWith(p, device, this.startMs + device.utcOffsetMs);
      // A bounded cache: when full, start again (cheaper than keeping recency on every lookup).
      if (this.prefixes.size >= CACHE_DEVICES) this.prefixes.clear();
      this.prefixes.set(device.index, p);
    }
    const need = localDay - p.firstDay + 1;
    if (need > p.filled) {
      if (need > p.sums.length) {
        const grown = new Float64Array(Math.max(need, p.sums.length * 2));
        grown.set(p.sums.subarray(0, p.filled));
        p.sums = grown;
      }
      for (let k = p.filled; k < need; k++) p.sums[k] = p.sums[k - 1] + this.dailyVolume(device, p.firstDay + k - 1);
      p.filled = need;
    }
    return p;
  }

  private localCumulativeWith(p: Prefix, device: Device, localMs: number): number {
    const day = Math.floor(localMs / DAY);
    if (day < p.firstDay) return 0;
    const k = day - p.firstDay;
    // sums[k + 1] - sums[k] is that day's volume once the prefix covers it; saves recomputing the day.
    const volume = k + 1 < p.filled ? p.sums[k + 1] - p.sums[k] : this.dailyVolume(device, day);
    return p.sums[k] + Math.floor(volume * shareOfDayBy(localMs - day * DAY));
  }

  /** Pages the device printed from the world's start up to the UTC instant `t`. */
  printedBy(device: Device, t: number): number {
    if (t <= this.startMs) return 0;
    const localMs = t + device.utcOffsetMs;
    const p = this.prefix(device, Math.floor(localMs / DAY) + 1);
    return this.localCumulativeWith(p, device, localMs) - p.atStart;
  }

  /** Pages printed in [from, to). */
  printedBetween(device: Device, from: number, to: number): number {
    return to <= from ? 0 : this.printedBy(device, to) - this.printedBy(device, from);
  }

  /**
   * The earliest second at which the device had printed `pages` since `from` (for placing print jobs on the
   * same curve as the counters). Searches [from, to].
   */
  instantOfPage(device: Device, from: number, to: number, pages: number): number {
    const base = this.printedBy(device, from);
    let lo = Math.floor(from / 1000);
    let hi = Math.ceil(to / 1000);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.printedBy(device, mid * 1000) - base >= pages) hi = mid;
      else lo = mid + 1;
    }
    return lo * 1000;
  }

  /** The toner level (percent) implied by the pages printed, refilled every `tonerYield` pages. */
  tonerLevel(device: Device, lifetimePages: number, color: number): number {
    const yieldPages = color === 0 ? device.tonerYield : Math.round(device.tonerYield * 0.8);
    const used = (lifetimePages + device.tonerPhase * (color + 1) * 7 + (hash(this.seed, VOL, device.index, color) % yieldPages)) % yieldPages;
    return Math.max(1, 100 - Math.floor((used / yieldPages) * 100));
  }
}
