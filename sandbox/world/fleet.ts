// The world's structure: dealers, customer entities and their sites, devices and their lifecycles, all derived on demand.

import { DAY, HOUR, parseDay } from './calendar.ts';
import { DEALER_NAMES, MODELS, NAME_FIRST, NAME_SECOND, PLACES, SITE_NAMES, type Place, type PrinterModel } from './catalog.ts';
import { hash, hexFrom, hexPad, intBetween, pick, salt, seedToUint32, unit } from './hash.ts';
import { KIND, apiKeyFor, objectId, parseObjectId } from './ids.ts';
import type { ResolvedWorldOptions, WorldRates } from './options.ts';
import type { Variants } from '../variants.ts';

export const MAX_SITES = 3;
/** Stale agent windows are drawn per install and per block of this many days from the start. */
export const STALE_BLOCK_DAYS = 60;
/** Redundant installs of an entity get install ids above this offset (index + copy * offset). */
const INSTALL_COPY_OFFSET = 2 ** 28;

const S = {
  sites: salt('sites'), siteCount: salt('site-count'), slot: salt('device-slot'), model: salt('model'),
  volume: salt('volume'), managed: salt('managed'), replaced: salt('replaced'), replacedDay: salt('replaced-day'),
  discovery: salt('discovery'), life: salt('life'), initial: salt('initial'), readMinute: salt('read-minute'),
  serial: salt('serial'), net: salt('net'), name1: salt('name1'), name2: salt('name2'), place: salt('place'),
  stopped: salt('stopped'), stopDay: salt('stop-day'), stale: salt('stale'), share: salt('share'), toner: salt('toner'),
  siteName: salt('site-name'), noTotal: salt('no-total'), installs: salt('installs'),
};

/** Positions, within customer 0, of the devices that show each device anomaly whenever its rate is above 0. */
const SHOWCASE_POSITION = { replaced: 1, unmanaged: 2, lateDiscovery: 3, noLife: 4, noTotal: 5 } as const;

export interface Dealer {
  kind: 'dealer';
  index: number;
  id: string;
  name: string;
  apiKey: string;
}

export interface Customer {
  kind: 'customer';
  /** Global customer index (all dealers). */
  index: number;
  dealer: number;
  id: string;
  name: string;
  /** Lowercase letters, digits and dashes; unique in the world. */
  domain: string;
  place: Place;
  siteCount: number;
  /** First UTC day with no readings ever again, if the customer stops reporting. */
  stopDay: number | undefined;
  /** Size of the customer's pool of print users (Pharos jobs, Printix billing). */
  users: number;
}

export interface Site {
  kind: 'site';
  /** customer * 4 + slot (slot 1..3). */
  index: number;
  customer: number;
  slot: number;
  id: string;
  name: string;
}

export type Entity = Dealer | Customer | Site;

export interface Device {
  /** Global device index: customer * devicesPerCustomer + position. */
  index: number;
  id: string;
  customer: number;
  /** 0 = on the customer entity itself, 1..3 = on that site. */
  slot: number;
  entityId: string;
  installKey: string;
  model: PrinterModel;
  serialNumber: string;
  ipAddress: string;
  macAddress: string;
  managed: boolean;
  /** Typical weekday pages. */
  baseVolume: number;
  /** Share of impressions in colour (0 for mono devices). */
  colorShare: number;
  /** Share of the lifetime counter that the `default` format counts (prints without copies). */
  printShare: number;
  hasLifeFormat: boolean;
  /** Lifetime counter at the world's start. */
  initialCount: number;
  /** When the device was swapped for a new one whose counter starts at `newStartCount`. */
  replacedAt: number | undefined;
  newStartCount: number;
  /** First UTC day the collection agent reads the device. */
  firstReadDay: number;
  /** Minute of the UTC day of the agent's regular reading. */
  readMinute: number;
  /** Offset of local office time from UTC, in ms. */
  utcOffsetMs: number;
  tonerYield: number;
  tonerPhase: number;
}

export class Fleet {
  readonly opts: ResolvedWorldOptions;
  readonly seed: number;
  readonly rates: WorldRates;
  /** Live switches; device and install facts that depend on them are computed on each call, never cached. */
  readonly variants: Variants;
  readonly startDay: number;
  readonly startMs: number;
  readonly totalCustomers: number;
  readonly dealerCount: number;
  private readonly deviceCache = new Map<number, Device>();
  private readonly customerCache = new Map<number, Customer>();
  private readonly apiKeys = new Map<string, number>();

  constructor(opts: ResolvedWorldOptions, variants: Variants) {
    this.opts = opts;
    this.variants = variants;
    this.seed = seedToUint32(opts.seed);
    this.rates = opts.rates;
    const startDay = parseDay(opts.start);
    if (startDay === undefined) throw new Error(`start: not a date: ${opts.start}`);
    this.startDay = startDay;
    this.startMs = startDay * DAY;
    this.dealerCount = 1 + opts.otherDealers;
    this.totalCustomers = opts.customers + opts.otherDealers * opts.otherDealerCustomers;
    for (let d = 0; d < this.dealerCount; d++) this.apiKeys.set(apiKeyFor(this.seed, d), d);
  }

  // ---- dealers and customers -------------------------------------------------------------

  dealer(index: number): Dealer {
    const base = DEALER_NAMES[index % DEALER_NAMES.length];
    return {
      kind: 'dealer',
      index,
      id: objectId(this.seed, KIND.dealer, index),
      name: index < DEALER_NAMES.length ? base : `${base} ${Math.floor(index / DEALER_NAMES.length) + 1}`,
      apiKey: apiKeyFor(this.seed, index),
    };
  }

  dealerForApiKey(key: string): number | undefined {
    return this.apiKeys.get(key);
  }

  /** Global customer indices [from, to) of a dealer. */
  customerRange(dealer: number): [number, number] {
    const o = this.opts;
    if (dealer === 0) return [0, o.customers];
    const from = o.customers + (dealer - 1) * o.otherDealerCustomers;
    return [from, from + o.otherDealerCustomers];
  }

  dealerOf(customer: number): number {
    const o = this.opts;
    return customer < o.customers ? 0 : 1 + Math.floor((customer - o.customers) / o.otherDealerCustomers);
  }

  /** Anomalies are forced onto the first customers of the primary dealer so even a demo world shows each one. */
  private showcase(customer: number, position: number, which: keyof typeof SHOWCASE_POSITION): boolean {
    return customer === 0 && position === SHOWCASE_POSITION[which];
  }

  customer(index: number): Customer {
    const cached = this.customerCache.get(index);
    if (cached) return cached;
    const seed = this.seed;
    const r = this.rates;
    const first = pick(NAME_FIRST, unit(seed, S.name1, index));
    const second = pick(NAME_SECOND, unit(seed, S.name2, index));
    const name = `${first} ${second}`;
    const primary = index < this.opts.customers;
    let siteCount = 0;
    if (r.sites > 0 && primary && index === 0) siteCount = 2;
    else if (unit(seed, S.sites, index) < r.sites) siteCount = 1 + (hash(seed, S.siteCount, index) % MAX_SITES);
    let stopDay: number | undefined;
    if (r.stoppedCustomer > 0 && primary && index === 2) stopDay = this.startDay + 45;
    else if (index > 2 && unit(seed, S.stopped, index) < r.stoppedCustomer) {
      stopDay = this.startDay + 30 + Math.floor(unit(seed, S.stopDay, index) * 300);
    }
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const c: Customer = {
      kind: 'customer',
      index,
      dealer: this.dealerOf(index),
      id: objectId(seed, KIND.customer, index),
      name,
      domain: `${slug}-${index}`,
      place: pick(PLACES, unit(seed, S.place, index)),
      siteCount,
      stopDay,
      users: Math.min(200, 4 + this.opts.devicesPerCustomer * 2),
    };
    if (this.customerCache.size > 50_000) this.customerCache.clear();
    this.customerCache.set(index, c);
    return c;
  }

  site(customer: number, slot: number): Site {
    const c = this.customer(customer);
    const index = customer * (MAX_SITES + 1) + slot;
    const label = SITE_NAMES[(hash(this.seed, S.siteName, customer) + slot) % SITE_NAMES.length];
    return { kind: 'site', index, customer, slot, id: objectId(this.seed, KIND.site, index), name: `${c.name} - ${label}` };
  }

  /** Finds a dealer, customer or site by its 24-hex id. */
  entity(id: string): Entity | undefined {
    const parsed = parseObjectId(this.seed, id);
    if (!parsed) return undefined;
    const { kind, index } = parsed;
    if (kind === KIND.dealer) return index < this.dealerCount ? this.dealer(index) : undefined;
    if (kind === KIND.customer) return index < this.totalCustomers ? this.customer(index) : undefined;
    if (kind === KIND.site) {
      const customer = Math.floor(index / (MAX_SITES + 1));
      const slot = index % (MAX_SITES + 1);
      if (customer >= this.totalCustomers || slot === 0 || slot > this.customer(customer).siteCount) return undefined;
      return this.site(customer, slot);
    }
    return undefined;
  }

  dealerOfEntity(e: Entity): number {
    if (e.kind === 'dealer') return e.index;
    if (e.kind === 'customer') return e.dealer;
    return this.dealerOf(e.customer);
  }

  parentId(e: Entity): string | undefined {
    if (e.kind === 'dealer') return undefined;
    if (e.kind === 'customer') return objectId(this.seed, KIND.dealer, e.dealer);
    return objectId(this.seed, KIND.customer, e.customer);
  }

  /** Ancestor ids from the dealer down to the parent. */
  genealogy(e: Entity): string[] {
    if (e.kind === 'dealer') return [];
    if (e.kind === 'customer') return [objectId(this.seed, KIND.dealer, e.dealer)];
    const c = this.customer(e.customer);
    return [objectId(this.seed, KIND.dealer, c.dealer), c.id];
  }

  /** Direct children in order. */
  children(e: Entity): Entity[] {
    if (e.kind === 'site') return [];
    if (e.kind === 'customer') {
      const out: Entity[] = [];
      for (let s = 1; s <= e.siteCount; s++) out.push(this.site(e.index, s));
      return out;
    }
    const [from, to] = this.customerRange(e.index);
    const out: Entity[] = [];
    for (let g = from; g < to; g++) out.push(this.customer(g));
    return out;
  }

  /** The entity and all its descendants, pre-order (each customer followed by its sites). */
  *subtree(e: Entity): Generator<Entity> {
    yield e;
    if (e.kind === 'site') return;
    if (e.kind === 'customer') {
      for (let s = 1; s <= e.siteCount; s++) yield this.site(e.index, s);
      return;
    }
    const [from, to] = this.customerRange(e.index);
    for (let g = from; g < to; g++) yield* this.subtree(this.customer(g));
  }

  isWithin(e: Entity, dealer: number): boolean {
    return this.dealerOfEntity(e) === dealer;
  }

  // ---- devices ------------------------------------------------------------------------------

  deviceSlot(customer: number, position: number): number {
    const sites = this.customer(customer).siteCount;
    return sites === 0 ? 0 : hash(this.seed, S.slot, customer, position) % (sites + 1);
  }

  /** Global indices of the devices placed directly on an entity (none on a dealer). */
  *deviceIndicesOn(e: Entity): Generator<number> {
    if (e.kind === 'dealer') return;
    const customer = e.kind === 'customer' ? e.index : e.customer;
    const slot = e.kind === 'customer' ? 0 : e.slot;
    const n = this.opts.devicesPerCustomer;
    for (let p = 0; p < n; p++) if (this.deviceSlot(customer, p) === slot) yield customer * n + p;
  }

  /** Device indices on the entity and, with `includeChildren`, on its whole subtree, in subtree order. */
  *deviceIndicesUnder(e: Entity, includeChildren: boolean): Generator<number> {
    if (!includeChildren) {
      yield* this.deviceIndicesOn(e);
      return;
    }
    for (const x of this.subtree(e)) yield* this.deviceIndicesOn(x);
  }

  deviceById(id: string): Device | undefined {
    const parsed = parseObjectId(this.seed, id);
    if (!parsed || parsed.kind !== KIND.device) return undefined;
    if (parsed.index >= this.totalCustomers * this.opts.devicesPerCustomer) return undefined;
    return this.device(parsed.index);
  }

  /** Whether a device is managed, without building it (for filtering long listings). */
  isManaged(index: number): boolean {
    const n = this.opts.devicesPerCustomer;
    if (this.rates.unmanaged > 0 && this.showcase(Math.floor(index / n), index % n, 'unmanaged')) return false;
    return unit(this.seed, S.managed, index) >= this.rates.unmanaged;
  }

  /** The UTC day the agent first reads a device (it exists upstream from then), without building it. */
  firstReadDayOf(index: number): number {
    const n = this.opts.devicesPerCustomer;
    const r = this.rates;
    if (r.lateDiscovery > 0 && this.showcase(Math.floor(index / n), index % n, 'lateDiscovery')) return this.startDay + 10;
    if (unit(this.seed, S.discovery, index) < r.lateDiscovery) return this.startDay + intBetween(7, 120, unit(this.seed, S.discovery, index, 1));
    return this.startDay;
  }

  /**
   * Whether a device reports a `total` counter. Local (USB) devices report black and colour only; at the
   * `noTotalRate` variant a share of devices are local (device 5 of customer 0 whenever the rate is above 0).
   */
  hasTotal(index: number): boolean {
    const rate = this.variants.printtracker.noTotalRate;
    if (rate <= 0) return true;
    const n = this.opts.devicesPerCustomer;
    if (this.showcase(Math.floor(index / n), index % n, 'noTotal')) return false;
    return unit(this.seed, S.noTotal, index) >= rate;
  }

  /**
   * The installs (collection agents) of an entity, first the one devices name as `installKey`. At the
   * `redundantInstallsRate` variant a share of entities have 2 or 3, each reporting every device of the
   * entity (customer 0's own entity has 3 whenever the rate is above 0).
   */
  installKeys(customer: number, slot: number): string[] {
    const install = customer * (MAX_SITES + 1) + slot;
    const rate = this.variants.printtracker.redundantInstallsRate;
    let count = 1;
    if (rate > 0) {
      if (customer === 0 && slot === 0) count = 3;
      else if (unit(this.seed, S.installs, install) < rate) count = 2 + (hash(this.seed, S.installs, install, 1) % 2);
    }
    const keys: string[] = [];
    for (let k = 0; k < count; k++) keys.push(objectId(this.seed, KIND.install, install + k * INSTALL_COPY_OFFSET));
    return keys;
  }

  device(index: number): Device {
    const cached = this.deviceCache.get(index);
    if (cached) return cached;
    const seed = this.seed;
    const r = this.rates;
    const n = this.opts.devicesPerCustomer;
    const customer = Math.floor(index / n);
    const position = index % n;
    const c = this.customer(customer);
    const slot = this.deviceSlot(customer, position);
    const model = pick(MODELS, unit(seed, S.model, index));
    const [lo, hi] = model.volume;
    const baseVolume = Math.exp(Math.log(lo) + unit(seed, S.volume, index) * (Math.log(hi) - Math.log(lo)));
    const maxDaily = Math.ceil(baseVolume * 3.1);

    const managed = this.isManaged(index);
    const firstReadDay = this.firstReadDayOf(index);

    let replacedAt: number | undefined;
    const forcedReplace = r.replaced > 0 && this.showcase(customer, position, 'replaced');
    if (forcedReplace || unit(seed, S.replaced, index) < r.replaced) {
      const day = forcedReplace ? this.startDay + 20 : firstReadDay + intBetween(14, 400, unit(seed, S.replacedDay, index));
      replacedAt = day * DAY + Math.floor((9 + 8 * unit(seed, S.replacedDay, index, 1)) * HOUR);
    }

    const hasLifeFormat = !(
      (r.noLifeFormat > 0 && this.showcase(customer, position, 'noLife')) ||
      unit(seed, S.life, index) < r.noLifeFormat
    );
    const entityId = slot === 0 ? c.id : objectId(seed, KIND.site, customer * (MAX_SITES + 1) + slot);
    const serialDigits = hexFrom(seed, S.serial, 8, index).toUpperCase();
    const net = hash(seed, S.net, index);
    const d: Device = {
      index,
      id: objectId(seed, KIND.device, index),
      customer,
      slot,
      entityId,
      installKey: objectId(seed, KIND.install, customer * (MAX_SITES + 1) + slot),
      model,
      serialNumber: `${model.serialPrefix}${serialDigits}`.slice(0, 10),
      ipAddress: `10.${(customer >> 8) & 255}.${customer & 255}.${10 + (position % 240)}`,
      macAddress: `00:${hexPad(net >>> 24, 2)}:${hexPad((net >>> 16) & 255, 2)}:${hexPad((net >>> 8) & 255, 2)}:${hexPad(net & 255, 2)}:${hexPad(index & 255, 2)}`,
      managed,
      baseVolume,
      colorShare: model.color ? 0.1 + 0.4 * unit(seed, S.share, index) : 0,
      printShare: 0.85 + 0.13 * unit(seed, S.share, index, 1),
      hasLifeFormat,
      initialCount: 20_000 + Math.floor(unit(seed, S.initial, index) * 400_000) + 60 * maxDaily,
      replacedAt,
      newStartCount: hash(seed, S.initial, index, 1) % 51,
      firstReadDay,
      readMinute: hash(seed, S.readMinute, index) % 1440,
      utcOffsetMs: c.place.utcOffset * HOUR,
      tonerYield: 3000 + (hash(seed, S.toner, index) % 17_000),
      tonerPhase: hash(seed, S.toner, index, 1) % 1000,
    };
    if (this.deviceCache.size > 20_000) this.deviceCache.clear();
    this.deviceCache.set(index, d);
    return d;
  }

  /** Whether the collection agent of an install is stale (reads nothing) on a UTC day. */
  isStale(customer: number, slot: number, day: number): boolean {
    const rate = this.rates.staleAgent;
    if (rate <= 0) return false;
    const rel = day - this.startDay;
    if (rel < 0) return false;
    const block = Math.floor(rel / STALE_BLOCK_DAYS);
    const install = customer * (MAX_SITES + 1) + slot;
    const window = this.staleWindow(install, block, customer === 1 && slot === 0 && block === 0 && customer < this.opts.customers);
    if (!window) return false;
    const inBlock = rel - block * STALE_BLOCK_DAYS;
    return inBlock >= window[0] && inBlock < window[0] + window[1];
  }

  /** [offset in block, length] of an install's stale window in a block, if it has one. */
  staleWindow(install: number, block: number, forced = false): [number, number] | undefined {
    if (forced) return [15, 7];
    if (unit(this.seed, S.stale, install, block) >= this.rates.staleAgent) return undefined;
    return [hash(this.seed, S.stale, install, block, 1) % 50, 3 + (hash(this.seed, S.stale, install, block, 2) % 7)];
  }
}
