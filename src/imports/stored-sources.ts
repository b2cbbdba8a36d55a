// An import feed's stored readings and usage, served to the collection engine as if an upstream had sent them.
import type { Queryable } from '../db/database.ts';
import type { CounterSource, JobSource } from '../connectors/types.ts';

/** Lifetime counters from import_readings: collectCounterFeed turns them into deposits like Print Tracker's. */
export function storedCounterSource(db: Queryable, feedId: string): CounterSource {
  return {
    kind: 'counters',
    async entityTree(entityId) {
      return [entityId];
    },
    async meterReads(_entities, from, to, managedOnly, into) {
      // Managed only: a device's latest managed flag decides (a device never flagged counts).
      const rows = await db.query<{ device_id: string; at: string; lifetime_total: string }>(
        `SELECT r.device_id, (extract(epoch FROM r.read_at) * 1000)::bigint::text AS at, r.lifetime_total::text AS lifetime_total
           FROM import_readings r
          WHERE r.feed_id = $1 AND r.read_at >= $2 AND r.read_at <= $3${managedOnly ? `
            AND coalesce((SELECT m.managed FROM import_readings m WHERE m.feed_id = r.feed_id AND m.device_id = r.device_id
                 AND m.managed IS NOT NULL ORDER BY m.read_at DESC LIMIT 1), true)` : ''}`,
        [feedId, new Date(from), new Date(to)],
      );
      for (const r of rows) {
        into.keep({ id: null, deviceId: r.device_id, entityId: null, at: Number(r.at), count: Number(r.lifetime_total), problem: null });
      }
    },
    async priorReading(_entity, deviceId, before) {
      const [row] = await db.query<{ at: string; count: string }>(
        `SELECT (extract(epoch FROM read_at) * 1000)::bigint::text AS at, lifetime_total::text AS count FROM import_readings
          WHERE feed_id = $1 AND device_id = $2 AND read_at < $3 ORDER BY read_at DESC LIMIT 1`,
        [feedId, deviceId, new Date(before)],
      );
      return row ? { at: Number(row.at), count: Number(row.count) } : null;
    },
    async managedFlags() {
      const rows = await db.query<{ device_id: string; managed: boolean }>(
        `SELECT DISTINCT ON (device_id) device_id, managed FROM import_readings
          WHERE feed_id = $1 AND managed IS NOT NULL ORDER BY device_id, read_at DESC`,
        [feedId],
      );
      return new Map(rows.map((r) => [r.device_id, r.managed]));
    },
  };
}

/** The day a stored usage figure deposits on, in SQL: its day, or its month's last day. */
export const USAGE_DEPOSIT_DAY = `CASE WHEN u.period = 'day' THEN u.day ELSE (u.day + interval '1 month' - interval '1 day')::date END`;

/** Pages per device per day or month from import_usage: collectJobFeed deposits them per day as Pharos jobs are. */
export function storedUsageSource(db: Queryable, feedId: string): JobSource {
  return {
    kind: 'jobs',
    async dailyPages(fromDay, toDay) {
      const rows = await db.query<{ day: string; paper_size: string | null; pages: string; devices: number; figures: number }>(
        `SELECT ${USAGE_DEPOSIT_DAY}::text AS day, u.paper_size, sum(u.pages)::text AS pages,
            count(DISTINCT u.device_id)::int AS devices, count(*)::int AS figures
           FROM import_usage u WHERE u.feed_id = $1 AND ${USAGE_DEPOSIT_DAY} BETWEEN $2::date AND $3::date
          GROUP BY 1, 2`,
        [feedId, fromDay, toDay],
      );
      return {
        pages: rows.map((r) => ({ day: r.day, paperSize: r.paper_size, pages: Number(r.pages) })),
        jobs: rows.reduce((n, r) => n + r.figures, 0),
        devices: rows.reduce((n, r) => Math.max(n, r.devices), 0),
        // The feed's sign of life is when figures arrived (feeds.last_reading_at), not the days they cover.
        lastJobAt: null,
      };
    },
    learntTraits: () => ({}),
  };
}
