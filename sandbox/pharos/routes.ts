// Pharos Cloud report API routes (`Authorization: bearer <key>`, one key per customer tenant) and its truth.

import { dayOf, parseDay, parseMonth } from '../world/calendar.ts';
import type { Device } from '../world/fleet.ts';
import type { Job } from '../world/jobs.ts';
import type { World } from '../world/world.ts';
import { json, route, type Reply, type RequestContext, type Route } from '../http/router.ts';
import { jobRow, meterRow, monthlyRows, statusRow, tonerRows } from './rows.ts';

/** ASP.NET Web API style error body. */
export const errorBody = (_status: number, message: string) => ({ Message: message });

const MAX_RANGE_DAYS = 3660;

export function pharosRoutes(world: World): Route[] {
  const f = world.fleet;

  const tenantFor = (ctx: RequestContext): number | Reply => {
    const header = ctx.headers.authorization;
    const m = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
    const tenant = m ? world.pharosTenant(m[1]) : undefined;
    if (tenant === undefined || ctx.faults.wrongCredentials) {
      return json(401, errorBody(401, 'Authorization has been denied for this request.'), { 'www-authenticate': 'Bearer' });
    }
    return tenant;
  };

  const devices = (tenant: number): Device[] =>
    world.devicesUnder(f.customer(tenant), 'all').filter((d) => d.firstReadDay <= dayOf(world.now()));

  const jobsBetween = function* (tenant: number, fromDay: number, toDay: number): Generator<Job> {
    const now = world.now();
    const last = Math.min(toDay, dayOf(now));
    const all = world.devicesUnder(f.customer(tenant), 'all');
    for (let day = fromDay; day <= last; day++) {
      const daily: Job[] = [];
      for (const d of all) for (const j of world.jobs.onDay(d, day)) if (j.t <= now) daily.push(j);
      daily.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
      yield* daily;
    }
  };

  const authed = (fn: (ctx: RequestContext, tenant: number) => Reply) => (ctx: RequestContext): Reply => {
    const t = tenantFor(ctx);
    return typeof t === 'number' ? fn(ctx, t) : t;
  };

  return [
    route('GET', '/ReportApi/Reports/Meters', authed((_ctx, tenant) => {
      const now = world.now();
      const rows = [];
      for (const d of devices(tenant)) {
        const r = world.readings.latestAtOrBefore(d, now, now);
        if (r) rows.push(meterRow(world, r));
      }
      return json(200, rows);
    })),

    route('GET', '/ReportApi/Reports/Status', authed((_ctx, tenant) => {
      const now = world.now();
      return json(200, devices(tenant).map((d) => statusRow(world, d, world.readings.latestAtOrBefore(d, now, now))));
    })),

    route('GET', '/ReportApi/Reports/Toner', authed((_ctx, tenant) => {
      const now = world.now();
      const rows = [];
      for (const d of devices(tenant)) {
        const r = world.readings.latestAtOrBefore(d, now, now);
        if (r) rows.push(...tonerRows(world, r));
      }
      return json(200, rows);
    })),

    route('GET', '/ReportApi/Reports/PrintJobs/:from/:to', authed((ctx, tenant) => {
      const from = parseDay(ctx.params.from);
      const to = parseDay(ctx.params.to);
      if (from === undefined) return json(400, errorBody(400, `from: '${ctx.params.from}' is not a date (YYYY-MM-DD)`));
      if (to === undefined) return json(400, errorBody(400, `to: '${ctx.params.to}' is not a date (YYYY-MM-DD)`));
      if (to < from) return json(400, errorBody(400, 'to: must not be before from'));
      if (to - from > MAX_RANGE_DAYS) return json(400, errorBody(400, `to: at most ${MAX_RANGE_DAYS} days after from`));
      return json(200, [...jobsBetween(tenant, from, to)].map((j) => jobRow(world, j)));
    })),

    route('GET', '/ReportApi/Reports/MonthlyPrintJobs/:from/:to', authed((ctx, tenant) => {
      const from = parseMonth(ctx.params.from);
      const to = parseMonth(ctx.params.to);
      if (!from) return json(400, errorBody(400, `from: '${ctx.params.from}' is not a month (YYYY-MM)`));
      if (!to) return json(400, errorBody(400, `to: '${ctx.params.to}' is not a month (YYYY-MM)`));
      if (to[1] < from[0]) return json(400, errorBody(400, 'to: must not be before from'));
      if (to[1] - from[0] > MAX_RANGE_DAYS) return json(400, errorBody(400, `to: at most ${MAX_RANGE_DAYS} days after from`));
      return json(200, monthlyRows(world, jobsBetween(tenant, from[0], to[1])));
    })),
  ];
}

/** `/__sandbox/truth?tenant=<authorization key>` on the Pharos port. */
export function pharosControlRoutes(world: World): Route[] {
  return [
    route('GET', '/__sandbox/truth', (ctx) => {
      const key = ctx.query.get('tenant') ?? '';
      const tenant = world.pharosTenant(key);
      if (tenant === undefined) return json(404, { error: 'tenant: give the tenant authorization key' });
      const scope = ctx.query.get('scope') ?? 'all';
      if (scope !== 'all' && scope !== 'managed_only') return json(400, { error: 'scope: must be all or managed_only' });
      try {
        return json(200, world.jobTruth(tenant, { start: ctx.query.get('start') ?? '', end: ctx.query.get('end') ?? '', scope }));
      } catch (err) {
        if (err instanceof RangeError) return json(400, { error: err.message });
        throw err;
      }
    }),
  ];
}
