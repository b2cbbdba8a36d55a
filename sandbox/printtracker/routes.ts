// Print Tracker API routes (base /v1, `x-api-key`): entities, devices, meters, current meters, truth.

import { dayOf } from '../world/calendar.ts';
import type { Device, Entity } from '../world/fleet.ts';
import { hash, salt, shuffledBy } from '../world/hash.ts';
import type { Reading } from '../world/readings.ts';
import type { World } from '../world/world.ts';
import { errorReply } from '../http/errors.ts';
import { json, route, type Reply, type RequestContext, type Route } from '../http/router.ts';
import { ACCEPTED_FORMATS, parsePrintTrackerDate } from './dates.ts';
import { deviceBody, entityBody, meterReadBody, zeroMeterRead } from './shapes.ts';
import { exportCsv, exportQuery } from '../world/export.ts';

export interface PrintTrackerOptions {
  /** Longest `start`..`end` span `/meter` accepts, in days (0 = no limit). */
  meterMaxRangeDays: number;
}

export const errorBody = (status: number, message: string) => ({ status, error: message });

/** An error reply in the style the `printtracker.errorBody` variant asks for. */
export const printTrackerError = (world: World) => (status: number, message: string, headers?: Record<string, string>): Reply =>
  errorReply(world.variants.printtracker.errorBody, status, errorBody(status, message), message, headers);

/** One read as served: a reading as one of its entity's installs reports it. */
interface Served {
  r: Reading;
  copy: number;
}

const ORDER = salt('printtracker-order');

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const bad = (message: string) => new HttpError(400, message);

function flag(ctx: RequestContext, name: string): boolean {
  const v = ctx.query.get(name);
  if (v === null || v === '') return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw bad(`${name}: must be true or false`);
}

function positiveInt(ctx: RequestContext, name: string, fallback: number, max?: number): number {
  const v = ctx.query.get(name);
  if (v === null || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw bad(`${name}: must be a positive integer`);
  const n = Number(v);
  if (max !== undefined && n > max) throw bad(`${name}: maximum is ${max}`);
  return n;
}

function instant(ctx: RequestContext, name: string): number {
  const v = ctx.query.get(name);
  if (v === null || v === '') throw bad(`${name}: required`);
  const parsed = parsePrintTrackerDate(v);
  if (!parsed) throw bad(`${name}: not a date; use ${ACCEPTED_FORMATS}`);
  return parsed.ms;
}

function startEnd(ctx: RequestContext): [number, number] {
  const start = instant(ctx, 'start');
  const end = instant(ctx, 'end');
  if (end < start) throw bad('end: must not be before start');
  return [start, end];
}

export function printTrackerRoutes(world: World, opts: PrintTrackerOptions): Route[] {
  const f = world.fleet;
  const v = () => world.variants.printtracker;
  const fail = printTrackerError(world);

  const dealerFor = (ctx: RequestContext): number => {
    const key = ctx.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') throw new HttpError(401, 'missing x-api-key header');
    const dealer = f.dealerForApiKey(key);
    if (dealer === undefined || ctx.faults.wrongCredentials) throw new HttpError(401, 'invalid API key');
    return dealer;
  };

  const entityFor = (ctx: RequestContext): Entity => {
    const dealer = dealerFor(ctx);
    const e = f.entity(ctx.params.id);
    // Entities outside the key's dealer tree do not exist for the caller.
    if (!e || !f.isWithin(e, dealer)) throw new HttpError(404, `entity not found: ${ctx.params.id}`);
    return e;
  };

  /** Devices exist in Print Tracker from the day the agent discovers them. */
  const discovered = (d: Device) => d.firstReadDay <= dayOf(world.now());

  const deviceFor = (ctx: RequestContext, e: Entity): Device => {
    const d = f.deviceById(ctx.params.deviceId);
    if (!d || d.entityId !== e.id || !discovered(d)) throw new HttpError(404, `device not found at entity ${e.id}: ${ctx.params.deviceId}`);
    return d;
  };

  /** Indices of listed devices, filtered without building them (deep pages of a dealer stay cheap). */
  const deviceIndices = function* (e: Entity, includeChildren: boolean, managedOnly: boolean): Generator<number> {
    const today = dayOf(world.now());
    for (const i of f.deviceIndicesUnder(e, includeChildren)) {
      if (f.firstReadDayOf(i) <= today && (!managedOnly || f.isManaged(i))) yield i;
    }
  };

  const devicesOf = function* (e: Entity, includeChildren: boolean, managedOnly: boolean): Generator<Device> {
    for (const i of deviceIndices(e, includeChildren, managedOnly)) yield f.device(i);
  };

  const handle = (fn: (ctx: RequestContext) => Reply) => (ctx: RequestContext): Reply => {
    try {
      return fn(ctx);
    } catch (e) {
      if (e instanceof HttpError) return fail(e.status, e.message);
      throw e;
    }
  };

  const page = <T>(items: Iterable<T>, pageNo: number, limit: number): T[] => {
    const out: T[] = [];
    const skip = (pageNo - 1) * limit;
    let k = 0;
    for (const x of items) {
      if (k++ < skip) continue;
      out.push(x);
      if (out.length >= limit) break;
    }
    return out;
  };

  /** Every install of the device's entity reports the reading; some readings are served twice (same id). */
  const served = (reads: readonly Reading[], repeats: boolean): Served[] => {
    const out: Served[] = [];
    for (const r of reads) {
      const copies = v().redundantInstallsRate > 0 ? f.installKeys(r.device.customer, r.device.slot).length : 1;
      for (let copy = 0; copy < copies; copy++) out.push({ r, copy });
      if (repeats && world.readings.repeated(r)) out.push({ r, copy: 0 });
    }
    return out;
  };

  const byTime = (a: Served, b: Served) =>
    a.r.t - b.r.t || (a.r.device.id < b.r.device.id ? -1 : a.r.device.id > b.r.device.id ? 1 : 0) || a.copy - b.copy;

  /** Chronological, or (shuffle variant) an order keyed by read id and occurrence, so repeats land apart. */
  const ordered = (items: Served[]): Served[] => {
    if (!v().shuffle) return items.sort(byTime);
    const seen = new Map<string, number>();
    return shuffledBy(items, f.seed, (x) => {
      const id = world.readings.readingId(x.r, x.copy);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return `${id}:${n}`;
    });
  };

  /** The shuffle variant reorders paged listings within each page, so pages still partition the listing. */
  const withinPage = <T>(items: T[], key: (x: T) => number): T[] => (v().shuffle ? shuffledBy(items, f.seed, (x) => String(key(x))) : items);

  const body = (x: Served) => meterReadBody(world, x.r, x.copy);

  return [
    route('GET', '/v1/entity/:id', handle((ctx) => {
      const e = entityFor(ctx);
      return json(200, entityBody(world, e, flag(ctx, 'includeChildren')));
    })),

    route('GET', '/v1/entity/:id/device', handle((ctx) => {
      const e = entityFor(ctx);
      const includeChildren = flag(ctx, 'includeChildren');
      const excludeDisabled = flag(ctx, 'excludeDisabled');
      const limit = positiveInt(ctx, 'limit', 100);
      const pageNo = positiveInt(ctx, 'page', 1);
      const indices = withinPage(page(deviceIndices(e, includeChildren, excludeDisabled), pageNo, limit), (i) => hash(f.seed, ORDER, i));
      return json(200, indices.map((i) => deviceBody(world, f.device(i))));
    })),

    route('GET', '/v1/entity/:id/meter', handle((ctx) => {
      const e = entityFor(ctx);
      const [start, end] = startEnd(ctx);
      if (opts.meterMaxRangeDays > 0 && end - start > opts.meterMaxRangeDays * 86_400_000) {
        throw bad(`end: at most ${opts.meterMaxRangeDays} days after start`);
      }
      const excludeDisabled = flag(ctx, 'excludeDisabled');
      const now = world.now();
      const reads: Reading[] = [];
      // That entity only (no paging), unless the variant serves its descendants' devices too.
      for (const d of devicesOf(e, v().meterIncludesChildren, excludeDisabled)) reads.push(...world.readings.between(d, start, end, now));
      return json(200, ordered(served(reads, true)).map(body));
    })),

    route('GET', '/v1/entity/:id/currentMeter', handle((ctx) => {
      const e = entityFor(ctx);
      const includeChildren = flag(ctx, 'includeChildren');
      const excludeDisabled = flag(ctx, 'excludeDisabled');
      const limit = positiveInt(ctx, 'limit', 100, 1000);
      const pageNo = positiveInt(ctx, 'page', 1);
      const now = world.now();
      // The latest read per device and install.
      const current = function* (): Generator<Served> {
        for (const d of devicesOf(e, includeChildren, excludeDisabled)) {
          const r = world.readings.latestAtOrBefore(d, now, now);
          if (r) yield* served([r], false);
        }
      };
      const items = withinPage(page(current(), pageNo, limit), (x) => hash(f.seed, ORDER, x.r.device.index, x.copy));
      return json(200, items.map(body));
    })),

    route('GET', '/v1/entity/:id/device/:deviceId/meter', handle((ctx) => {
      const e = entityFor(ctx);
      const d = deviceFor(ctx, e);
      const [start, end] = startEnd(ctx);
      const limit = positiveInt(ctx, 'limit', 100);
      const pageNo = positiveInt(ctx, 'page', 1);
      const reads = ordered(served(world.readings.between(d, start, end, world.now()), true));
      return json(200, page(reads, pageNo, limit).map(body));
    })),

    route('GET', '/v1/entity/:id/device/:deviceId/meter/mostRecentPriorTo', handle((ctx) => {
      const e = entityFor(ctx);
      const d = deviceFor(ctx, e);
      const date = instant(ctx, 'date');
      const now = world.now();
      const r = world.readings.latestAtOrBefore(d, date, now);
      const style = v().mostRecentPriorTo;
      if (style === 'array') return json(200, r ? [meterReadBody(world, r)] : []);
      if (r) return json(200, meterReadBody(world, r));
      if (style === 'object-or-404') throw new HttpError(404, `no meter read for device ${d.id} at or before ${new Date(date).toISOString()}`);
      if (style === 'object-or-empty-array') return json(200, []);
      if (style === 'object-or-null') return json(200, null);
      return json(200, zeroMeterRead());
    })),
  ];
}

/** `/__sandbox/truth` and `/__sandbox/facts` on the Print Tracker port (no credentials needed). */
export function printTrackerControlRoutes(world: World): Route[] {
  const f = world.fleet;
  return [
    route('GET', '/__sandbox/truth', (ctx) => {
      const id = ctx.query.get('entity') ?? '';
      const e = f.entity(id);
      if (!e) return json(404, { error: `entity: no such entity: ${id}` });
      const scope = ctx.query.get('scope') ?? 'all';
      if (scope !== 'all' && scope !== 'managed_only') return json(400, { error: 'scope: must be all or managed_only' });
      const asOfText = ctx.query.get('asOf');
      const asOf = asOfText ? Date.parse(asOfText) : undefined;
      if (asOf !== undefined && Number.isNaN(asOf)) return json(400, { error: 'asOf: must be an ISO 8601 instant' });
      try {
        return json(200, world.meterTruth(e, { start: ctx.query.get('start') ?? '', end: ctx.query.get('end') ?? '', scope, asOf }));
      } catch (err) {
        if (err instanceof RangeError) return json(400, { error: err.message });
        throw err;
      }
    }),
    route('GET', '/__sandbox/export', (ctx) => {
      const id = ctx.query.get('entity') ?? '';
      const e = f.entity(id);
      if (!e) return json(404, { error: `entity: no such entity: ${id}` });
      try {
        return { status: 200, text: exportCsv(world, e, exportQuery((name) => ctx.query.get(name), world.now())) };
      } catch (err) {
        if (err instanceof RangeError) return json(400, { error: err.message });
        throw err;
      }
    }),
    route('GET', '/__sandbox/facts', (ctx) => {
      const id = ctx.query.get('entity') ?? '';
      const e = f.entity(id);
      if (!e || e.kind !== 'customer') return json(404, { error: `entity: no such customer entity: ${id}` });
      return json(200, world.facts(e.index));
    }),
  ];
}
