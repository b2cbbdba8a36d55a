// Pharos Cloud report API routes (`Authorization: bearer <key>`, one key per customer tenant) and its truth.

import { dayOf, parseDay, parseMonth } from '../world/calendar.ts';
import type { Device } from '../world/fleet.ts';
import { shuffledBy } from '../world/hash.ts';
import type { Job } from '../world/jobs.ts';
import type { World } from '../world/world.ts';
import { errorReply } from '../http/errors.ts';
import { json, route, type Reply, type RequestContext, type Route } from '../http/router.ts';
import { jobRow, meterRow, monthlyRows, statusRow, tonerRows, userSummaryRows } from './rows.ts';

/** ASP.NET Web API style error body. */
export const errorBody = (_status: number, message: string) => ({ Message: message });

/** An error reply in the style the `pharos.errorBody` variant asks for. */
export const pharosError = (world: World) => (status: number, message: string, headers?: Record<string, string>): Reply =>
  errorReply(world.variants.pharos.errorBody, status, errorBody(status, message), message, headers);

const MAX_RANGE_DAYS = 3660;

export function pharosRoutes(world: World): Route[] {
  const f = world.fleet;
  const v = () => world.variants.pharos;
  const fail = pharosError(world);
  /** Rows in their natural order, or (shuffle variant) in a seeded order of their keys. */
  const ordered = <T>(rows: T[], key: (row: T) => string): T[] => (v().shuffle ? shuffledBy(rows, f.seed, key) : rows);

  const tenantFor = (ctx: RequestContext): number | Reply => {
    const header = ctx.headers.authorization;
    const m = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
    const tenant = m ? world.pharosTenant(m[1]) : undefined;
    if (tenant === undefined || ctx.faults.wrongCredentials) {
      return fail(401, 'Authorization has been denied for this request.', { 'www-authenticate': 'Bearer' });
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
      return json(200, ordered(rows, (r) => r.DeviceId));
    })),

    route('GET', '/ReportApi/Reports/Status', authed((_ctx, tenant) => {
      const now = world.now();
      const rows = devices(tenant).map((d) => statusRow(world, d, world.readings.latestAtOrBefore(d, now, now)));
      return json(200, ordered(rows, (r) => r.DeviceId));
    })),

    route('GET', '/ReportApi/Reports/Toner', authed((_ctx, tenant) => {
      const now = world.now();
      const rows = [];
      for (const d of devices(tenant)) {
        const r = world.readings.latestAtOrBefore(d, now, now);
        if (r) rows.push(...tonerRows(world, r));
      }
      return json(200, ordered(rows, (r) => `${r.DeviceId} ${r.Color}`));
    })),

    route('GET', '/ReportApi/Reports/PrintJobs/:from/:to', authed((ctx, tenant) => {
      const from = parseDay(ctx.params.from);
      const to = parseDay(ctx.params.to);
      if (from === undefined) return fail(400, `from: '${ctx.params.from}' is not a date (YYYY-MM-DD)`);
      if (to === undefined) return fail(400, `to: '${ctx.params.to}' is not a date (YYYY-MM-DD)`);
      if (to < from) return fail(400, 'to: must not be before from');
      if (to - from > MAX_RANGE_DAYS) return fail(400, `to: at most ${MAX_RANGE_DAYS} days after from`);
      // The exclusive variant reads `to` as the first day not included (`D/D` is then empty).
      const last = v().printJobsEnd === 'inclusive' ? to : to - 1;
      const jobs = jobsBetween(tenant, from, last);
      if (v().printJobsRows === 'users') return json(200, ordered(userSummaryRows(world, jobs), (r) => r.UserName));
      return json(200, ordered([...jobs].map((j) => jobRow(world, j)), (r) => r.JobId));
    })),

    route('GET', '/ReportApi/Reports/MonthlyPrintJobs/:from/:to', authed((ctx, tenant) => {
      const from = parseMonth(ctx.params.from);
      const to = parseMonth(ctx.params.to);
      if (!from) return fail(400, `from: '${ctx.params.from}' is not a month (YYYY-MM)`);
      if (!to) return fail(400, `to: '${ctx.params.to}' is not a month (YYYY-MM)`);
      if (to[1] < from[0]) return fail(400, 'to: must not be before from');
      if (to[1] - from[0] > MAX_RANGE_DAYS) return fail(400, `to: at most ${MAX_RANGE_DAYS} days after from`);
      return json(200, ordered(monthlyRows(world, jobsBetween(tenant, from[0], to[1])), (r) => `${r.Month} ${r.UserName}`));
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
