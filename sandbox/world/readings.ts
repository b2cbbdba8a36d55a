// When the collection agent reads each device (schedule, stale agents, stops, late arrivals, double reads) and what the counters say.

import { DAY, HOUR, MINUTE, dayOf } from './calendar.ts';
import { hash, salt, unit } from './hash.ts';
import { readId } from './ids.ts';
import type { Device, Fleet } from './fleet.ts';
import { DEFAULT_LATE_DELAY, type LateDelay } from './options.ts';
import type { Printing } from './printing.ts';

const R = {
  missed: salt('missed'), jitter: salt('jitter'), double: salt('double'), late: salt('late'),
  garble: salt('garble'), garbleOther: salt('garble-other'), repeat: salt('repeat'),
};

/** How many ways a counter can be unreadable (see `garbledCounter` in printtracker/shapes.ts). */
export const GARBLE_FORMS = 7;

export interface Reading {
  device: Device;
  /** UTC day of `t`. */
  day: number;
  /** 0 = the regular reading, 1 = an extra reading the same day. */
  seq: number;
  /** Timestamp the reading carries. */
  t: number;
  /** When the upstream first shows it (later than `t` for late readings). */
  visibleAt: number;
}

export interface Counters {
  /** Lifetime total: what `life.total` shows (and `default.total` when `life` is absent). */
  life: number;
  lifeBlack: number;
  lifeColor: number;
  /** What `default.total` shows when `life` is present: prints only, no copies. */
  prints: number;
  printsBlack: number;
  printsColor: number;
}

export class Readings {
  private readonly fleet: Fleet;
  private readonly printing: Printing;
  private readonly seed: number;
  private readonly lateDelay: LateDelay;

  constructor(fleet: Fleet, printing: Printing, lateDelay: LateDelay = DEFAULT_LATE_DELAY) {
    this.fleet = fleet;
    this.printing = printing;
    this.seed = fleet.seed;
    this.lateDelay = lateDelay;
  }

  /** Whether the agent reads this device at all on a UTC day (before any clock filtering). */
  readsOn(device: Device, day: number): boolean {
    if (day < device.firstReadDay) return false;
    const c = this.fleet.customer(device.customer);
    if (c.stopDay !== undefined && day >= c.stopDay) return false;
    if (this.fleet.isStale(device.customer, device.slot, day)) return false;
    // The first day a device is seen always has its baseline reading.
    if (day > device.firstReadDay && unit(this.seed, R.missed, device.index, day) < this.fleet.rates.missedRead) return false;
    return true;
  }

  /**
   * How the lifetime counter of a reading is unreadable (0 .. GARBLE_FORMS - 1), or -1 when it is readable.
   * A property of the reading: every install's copy of it shows the same value.
   */
  lifetimeGarble(r: Reading): number {
    return this.garble(R.garble, r);
  }

  /** The same for a counter a collector does not use (`totalBlack`): the reading itself stays good. */
  otherGarble(r: Reading): number {
    return this.garble(R.garbleOther, r);
  }

  private garble(purpose: number, r: Reading): number {
    const rate = this.fleet.variants.printtracker.unreadableCounterRate;
    if (rate <= 0 || unit(this.seed, purpose, r.device.index, r.day, r.seq) >= rate) return -1;
    return hash(this.seed, purpose, r.device.index, r.day, r.seq + 2) % GARBLE_FORMS;
  }

  hasTotal(device: Device): boolean {
    return this.fleet.hasTotal(device.index);
  }

  /** Whether a correct collector can use a reading: its device reports a total and its lifetime counter is readable. */
  usable(r: Reading): boolean {
    return this.fleet.hasTotal(r.device.index) && this.lifetimeGarble(r) < 0;
  }

  /** Whether a reading is served twice with the same id in one `/meter` answer (`repeatedReadsRate`). */
  repeated(r: Reading): boolean {
    const rate = this.fleet.variants.printtracker.repeatedReadsRate;
    return rate > 0 && unit(this.seed, R.repeat, r.device.index, r.day, r.seq) < rate;
  }

  /** The readings carrying a timestamp on a UTC day, in time order, regardless of the clock. */
  onDay(device: Device, day: number): Reading[] {
    if (!this.readsOn(device, day)) return [];
    const s = this.seed;
    const i = device.index;
    const jitter = (hash(s, R.jitter, i, day) % 31) - 15;
    const minute = Math.min(1439, Math.max(0, device.readMinute + jitter));
    const t = day * DAY + minute * MINUTE + (hash(s, R.jitter, i, day, 1) % 60_000);
    const out: Reading[] = [{ device, day, seq: 0, t, visibleAt: this.visibleAt(device, day, 0, t) }];
    if (unit(s, R.double, i, day) < this.fleet.rates.doubleRead) {
      const shift = (60 + (hash(s, R.double, i, day, 1) % 300)) * MINUTE;
      let t2 = t - shift;
      if (t2 < day * DAY) t2 = Math.min(day * DAY + DAY - 1000, t + shift);
      const extra: Reading = { device, day, seq: 1, t: t2, visibleAt: 0 };
      extra.visibleAt = this.visibleAt(device, day, 1, t2);
      if (t2 < t) out.unshift(extra);
      else if (t2 > t) out.push(extra);
    }
    return out;
  }

  private visibleAt(device: Device, day: number, seq: number, t: number): number {
    if (unit(this.seed, R.late, device.index, day, seq) >= this.fleet.rates.lateReading) return t;
    const { min, max } = this.lateDelay;
    const spanMinutes = Math.max(1, Math.round((max - min) * 60));
    return t + min * HOUR + (hash(this.seed, R.late, device.index, day, seq + 7) % spanMinutes) * MINUTE;
  }

  /** Readings with timestamps in [from, to] that exist and are visible by `asOf`, in time order. */
  between(device: Device, from: number, to: number, asOf: number): Reading[] {
    const out: Reading[] = [];
    const last = Math.min(to, asOf);
    if (last < from) return out;
    for (let day = Math.max(dayOf(from), device.firstReadDay); day <= dayOf(last); day++) {
      for (const r of this.onDay(device, day)) {
        if (r.t >= from && r.t <= last && r.visibleAt <= asOf) out.push(r);
      }
    }
    return out;
  }

  /** The latest reading with a timestamp at or before `t` that is visible by `asOf` (and, if asked, usable). */
  latestAtOrBefore(device: Device, t: number, asOf: number, usableOnly = false): Reading | undefined {
    const limit = Math.min(t, asOf);
    for (let day = dayOf(limit); day >= device.firstReadDay; day--) {
      const rs = this.onDay(device, day);
      for (let k = rs.length - 1; k >= 0; k--) {
        if (rs[k].t <= limit && rs[k].visibleAt <= asOf && (!usableOnly || this.usable(rs[k]))) return rs[k];
      }
    }
    return undefined;
  }

  /** The device's lifetime counter at an instant: continuous, except that a replacement starts it again. */
  lifeCount(device: Device, t: number): number {
    const printed = this.printing.printedBy(device, t);
    if (device.replacedAt !== undefined && t >= device.replacedAt) {
      return device.newStartCount + printed - this.printing.printedBy(device, device.replacedAt);
    }
    return device.initialCount + printed;
  }

  counters(device: Device, t: number): Counters {
    const life = this.lifeCount(device, t);
    const lifeBlack = device.colorShare === 0 ? life : Math.floor(life * (1 - device.colorShare));
    const prints = Math.floor(life * device.printShare);
    const printsBlack = device.colorShare === 0 ? prints : Math.floor(prints * (1 - device.colorShare));
    return { life, lifeBlack, lifeColor: life - lifeBlack, prints, printsBlack, printsColor: prints - printsBlack };
  }

  /** The read id of a reading as install `copy` (0 = the device's own install) reports it. */
  readingId(r: Reading, copy = 0): string {
    return readId(this.seed, r.device.index, r.day, r.seq + 16 * copy);
  }

  /** Whether a replacement happened in (from, to]: a reading after it cannot be compared with one before. */
  replacedBetween(device: Device, from: number, to: number): boolean {
    return device.replacedAt !== undefined && device.replacedAt > from && device.replacedAt <= to;
  }
}
