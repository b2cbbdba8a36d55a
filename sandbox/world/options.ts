// The knobs that shape a synthetic world: size, start date, clock and the rates of each anomaly.

import type { VariantPatch } from '../variants.ts';

export interface WorldRates {
  /** Share of devices not managed (excluded by `excludeDisabled` and `scope=managed_only`). */
  unmanaged: number;
  /** Share of customers with child sites (1 to 3 sites each). */
  sites: number;
  /** Share of devices replaced once: the counter starts again near zero. */
  replaced: number;
  /** Chance, per install (collection agent) and 60-day block, of a 3-9 day stale window without readings. */
  staleAgent: number;
  /** Share of customers that stop reporting for good (no readings after a stop day). */
  stoppedCustomer: number;
  /** Share of readings that become visible some hours after their timestamp (`lateDelayHours`, default 2-72). */
  lateReading: number;
  /** Share of device-days with a second, earlier reading. */
  doubleRead: number;
  /** Share of device-days without a reading (device off or unreachable that day). */
  missedRead: number;
  /** Share of devices first read some weeks after the world starts. */
  lateDiscovery: number;
  /** Share of devices whose reads carry only the `default` counter format (no `life`). */
  noLifeFormat: number;
}

export interface LateDelay {
  min: number;
  max: number;
}

export const DEFAULT_LATE_DELAY: LateDelay = { min: 2, max: 72 };

export interface WorldOptions {
  seed?: string | number;
  /** Customers of the primary dealer (the one whose credentials are printed). */
  customers?: number;
  devicesPerCustomer?: number;
  /** Further dealers, each with their own key and customers, to prove tree isolation. */
  otherDealers?: number;
  otherDealerCustomers?: number;
  /** First day devices print, `YYYY-MM-DD` (UTC). Default: 1 January of the year before `now`. */
  start?: string;
  /** The clock: a fixed instant (Date, ISO text, epoch ms) or a function. Default: the real time. */
  now?: Date | string | number | (() => number);
  rates?: Partial<WorldRates>;
  /** How late a late reading arrives: uniformly from `min` to `max` hours after its timestamp (default 2 to 72). */
  lateDelayHours?: LateDelay;
  /** Printix tenants that exist before any POST (taken from the primary dealer's customers). */
  printixTenants?: number;
  /** Initial variants (see variants.ts); they can change at run time through `world.variants`. */
  variants?: VariantPatch;
}

export const DEFAULT_RATES: WorldRates = {
  unmanaged: 0.12,
  sites: 0.3,
  replaced: 0.04,
  staleAgent: 0.12,
  stoppedCustomer: 0.05,
  lateReading: 0.03,
  doubleRead: 0.05,
  missedRead: 0.02,
  lateDiscovery: 0.08,
  noLifeFormat: 0.1,
};

export interface ResolvedWorldOptions {
  seed: string;
  customers: number;
  devicesPerCustomer: number;
  otherDealers: number;
  otherDealerCustomers: number;
  start: string;
  rates: WorldRates;
  lateDelayHours: LateDelay;
  printixTenants: number;
}

export function clockFrom(now: WorldOptions['now']): () => number {
  if (now === undefined) return () => Date.now();
  if (typeof now === 'function') return now;
  const ms = now instanceof Date ? now.getTime() : typeof now === 'number' ? now : Date.parse(now);
  if (!Number.isFinite(ms)) throw new Error(`now: not a date: ${String(now)}`);
  return () => ms;
}

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}: must be an integer >= ${min}`);
  return value;
}

export function resolveOptions(opts: WorldOptions, nowMs: number): ResolvedWorldOptions {
  const rates: WorldRates = { ...DEFAULT_RATES, ...opts.rates };
  for (const [k, v] of Object.entries(rates)) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`rates.${k}: must be between 0 and 1`);
  }
  const start = opts.start ?? `${new Date(nowMs).getUTCFullYear() - 1}-01-01`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`))) {
    throw new Error(`start: must be YYYY-MM-DD, got ${start}`);
  }
  const customers = positiveInt('customers', opts.customers ?? 3, 1);
  const late = opts.lateDelayHours ?? DEFAULT_LATE_DELAY;
  if (!(Number.isFinite(late.min) && Number.isFinite(late.max) && late.min >= 0 && late.max > late.min && late.max <= 24 * 60)) {
    throw new Error('lateDelayHours: min and max must be hours with 0 <= min < max <= 1440');
  }
  return {
    seed: String(opts.seed ?? 7),
    customers,
    devicesPerCustomer: positiveInt('devicesPerCustomer', opts.devicesPerCustomer ?? 6, 1),
    otherDealers: positiveInt('otherDealers', opts.otherDealers ?? 1, 0),
    otherDealerCustomers: positiveInt('otherDealerCustomers', opts.otherDealerCustomers ?? 2, 1),
    start,
    rates,
    lateDelayHours: { min: late.min, max: late.max },
    printixTenants: Math.min(customers, positiveInt('printixTenants', opts.printixTenants ?? 10, 0)),
  };
}
