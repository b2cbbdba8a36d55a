// The synthetic world as one object: fleet structure, printing, readings, jobs, the clock and ground truth.

import { DAY, dayOf, parseDay } from './calendar.ts';
import { Fleet, type Device, type Entity } from './fleet.ts';
import { pharosKey, parsePharosKey } from './ids.ts';
import { Jobs } from './jobs.ts';
import { clockFrom, resolveOptions, type ResolvedWorldOptions, type WorldOptions } from './options.ts';
import { Printing } from './printing.ts';
import { Readings } from './readings.ts';
import { addJobTruth, addMeterTruth, emptyTotals, truthRows, type TruthRow } from './truth.ts';
import { Variants } from '../variants.ts';

export type TruthScope = 'all' | 'managed_only';

export interface TruthQuery {
  start: string;
  end: string;
  scope?: TruthScope;
  /** Count only readings visible by this instant (default: now). */
  asOf?: number;
}

export class World {
  readonly options: ResolvedWorldOptions;
  readonly fleet: Fleet;
  readonly printing: Printing;
  readonly readings: Readings;
  readonly jobs: Jobs;
  /** The live switches for readings the sources leave open (shared by every simulator and the truth). */
  readonly variants: Variants;
  private clock: () => number;

  constructor(opts: WorldOptions = {}) {
    this.clock = clockFrom(opts.now);
    this.options = resolveOptions(opts, this.clock());
    this.variants = new Variants(opts.variants ?? {});
    this.fleet = new Fleet(this.options, this.variants);
    this.printing = new Printing(this.fleet.seed, this.fleet.startMs);
    this.readings = new Readings(this.fleet, this.printing, this.options.lateDelayHours);
    this.jobs = new Jobs(this.fleet, this.printing);
  }

  /** The world's current instant (UTC ms). Nothing exists after it. */
  now(): number {
    return this.clock();
  }

  /** Replaces the clock: a fixed instant or a function. */
  setNow(now: Date | string | number | (() => number)): void {
    this.clock = clockFrom(now);
  }

  get seed(): number {
    return this.fleet.seed;
  }

  primaryDealer() {
    return this.fleet.dealer(0);
  }

  /** Global indices of the primary dealer's customers. */
  primaryCustomerIndices(): number[] {
    const [from, to] = this.fleet.customerRange(0);
    return Array.from({ length: to - from }, (_, k) => from + k);
  }

  pharosKey(customer: number): string {
    return pharosKey(this.fleet.seed, customer);
  }

  /** The Pharos tenant (a primary-dealer customer index) an authorization key opens. */
  pharosTenant(key: string): number | undefined {
    const c = parsePharosKey(this.fleet.seed, key);
    return c !== undefined && c < this.options.customers ? c : undefined;
  }

  devicesUnder(e: Entity, scope: TruthScope): Device[] {
    const out: Device[] = [];
    for (const i of this.fleet.deviceIndicesUnder(e, true)) {
      const d = this.fleet.device(i);
      if (scope === 'all' || d.managed) out.push(d);
    }
    return out;
  }

  private range(q: TruthQuery): [number, number] {
    const from = parseDay(q.start);
    const to = parseDay(q.end);
    if (from === undefined) throw new RangeError('start: must be YYYY-MM-DD');
    if (to === undefined) throw new RangeError('end: must be YYYY-MM-DD');
    if (to < from) throw new RangeError('end: must not be before start');
    if (to - from > 3660) throw new RangeError('end: at most 3660 days after start');
    return [from, to - from + 1];
  }

  /** Print Tracker truth for an entity's subtree (see README, "Truth"). */
  meterTruth(e: Entity, q: TruthQuery): TruthRow[] {
    const [from, days] = this.range(q);
    const now = this.now();
    const asOf = Math.min(q.asOf ?? now, now);
    const totals = emptyTotals(days);
    for (const d of this.devicesUnder(e, q.scope ?? 'all')) {
      addMeterTruth(totals, this.readings, this.printing, d, from, days, asOf, now);
    }
    return truthRows(totals, from);
  }

  /** Pharos truth for a tenant (a customer and its sites): print jobs make pages equal printed. */
  jobTruth(customer: number, q: TruthQuery): TruthRow[] {
    const [from, days] = this.range(q);
    const now = this.now();
    const totals = emptyTotals(days);
    for (const d of this.devicesUnder(this.fleet.customer(customer), q.scope ?? 'all')) {
      addJobTruth(totals, this.jobs, this.printing, d, from, days, now);
    }
    return truthRows(totals, from);
  }

  /** Served reads (visible by `now`) whose lifetime counter is unreadable: their id (as the device's own install reports it) and timestamp. */
  private unreadableReads(d: Device, now: number): { id: string; timestamp: string }[] {
    const out: { id: string; timestamp: string }[] = [];
    if (this.variants.printtracker.unreadableCounterRate <= 0 || !this.fleet.hasTotal(d.index)) return out;
    for (const r of this.readings.between(d, d.firstReadDay * DAY, now, now)) {
      if (this.readings.lifetimeGarble(r) >= 0) out.push({ id: this.readings.readingId(r), timestamp: new Date(r.t).toISOString() });
    }
    return out;
  }

  /** Facts a test may want to check a collector against: anomalies of one customer's devices. */
  facts(customer: number) {
    const c = this.fleet.customer(customer);
    const now = this.now();
    const devices = this.devicesUnder(c, 'all').map((d) => ({
      id: d.id,
      entityId: d.entityId,
      serialNumber: d.serialNumber,
      managed: d.managed,
      hasLifeFormat: d.hasLifeFormat,
      hasTotal: this.fleet.hasTotal(d.index),
      installKeys: this.fleet.installKeys(d.customer, d.slot),
      firstReadDay: new Date(d.firstReadDay * DAY).toISOString().slice(0, 10),
      replacedAt: d.replacedAt !== undefined && d.replacedAt <= now ? new Date(d.replacedAt).toISOString() : null,
      unreadableReads: this.unreadableReads(d, now),
    }));
    const staleDays: string[] = [];
    for (const e of this.fleet.subtree(c)) {
      const slot = e.kind === 'site' ? e.slot : 0;
      for (let day = this.fleet.startDay; day <= dayOf(now); day++) {
        if (this.fleet.isStale(customer, slot, day)) staleDays.push(`${e.id} ${new Date(day * DAY).toISOString().slice(0, 10)}`);
      }
    }
    return {
      id: c.id,
      name: c.name,
      stoppedReportingOn: c.stopDay !== undefined ? new Date(c.stopDay * DAY).toISOString().slice(0, 10) : null,
      staleDays,
      devices,
    };
  }
}
