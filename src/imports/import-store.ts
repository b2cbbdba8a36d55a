// Commits one chunk of imported rows in one transaction: new readings (or usage figures), duplicates and
// conflicts told apart, other accounts' devices refused, the feed's cursor moved back to the earliest new day, progress.
import type { Database, Queryable } from '../db/database.ts';
import { formatDay } from '../domain/calendar.ts';
import { usageDepositDay, type ImportedReading, type ImportedUsage, type RowProblem } from './reading-rows.ts';

export interface NumberedReading { row: number; reading: ImportedReading }
export interface NumberedUsage { row: number; usage: ImportedUsage }

export interface ChunkTarget {
  feedId: string;
  accountId: string;
  /** the feed's lease holder: the chunk is refused unless it still holds the feed */
  holder: string;
  jobId: string;
  /** the feed's activation day: the cursor never moves before it */
  activationDay: string;
  leaseSeconds: number;
  /** devices this import already found on no other feed: checked once per import, not once per chunk */
  verified: Set<string>;
}

export interface ChunkProgress {
  /** the last row of the input this chunk covers (committed with it, for resuming) */
  rowsDone: number;
  bytesDone: number;
  /** problems of rows the chunk covers that were refused before reaching the store */
  refused: RowProblem[];
}

export interface StoredChunk {
  accepted: number;
  duplicates: number;
  conflicts: number;
  problems: RowProblem[];
}

export class LeaseLost extends Error {}

const FOREIGN = (what: string) =>
  `device ${what} is already counted on another feed: refused so its pages are never counted on two accounts (delete that feed first, or use another id)`;

/** Devices of these ids that another live feed already counts (collected or imported). */
async function foreignDevices(tx: Queryable, target: ChunkTarget, all: string[]): Promise<Set<string>> {
  const ids = all.filter((id) => !target.verified.has(id));
  const feedId = target.feedId;
  if (ids.length === 0) return new Set();
  const rows = await tx.query<{ device_id: string }>(
    `SELECT DISTINCT d.device_id FROM feed_devices d JOIN feeds f ON f.id = d.feed_id
      WHERE d.device_id = ANY($1::text[]) AND d.feed_id <> $2 AND f.deleted_at IS NULL
     UNION
     SELECT DISTINCT r.device_id FROM import_readings r JOIN feeds f ON f.id = r.feed_id
      WHERE r.device_id = ANY($1::text[]) AND r.feed_id <> $2 AND f.deleted_at IS NULL
     UNION
     SELECT DISTINCT u.device_id FROM import_usage u JOIN feeds f ON f.id = u.feed_id
      WHERE u.device_id = ANY($1::text[]) AND u.feed_id <> $2 AND f.deleted_at IS NULL`,
    [ids, feedId],
  );
  const foreign = new Set(rows.map((r) => r.device_id));
  for (const id of ids) if (!foreign.has(id)) target.verified.add(id);
  return foreign;
}

/** Locks the feed for the chunk and checks the holder still has it. */
async function holdFeed(tx: Queryable, target: ChunkTarget): Promise<{ window_start: Date | null }> {
  const [feed] = await tx.query<{ window_start: Date | null; lease_owner: string | null; status: string; deleted_at: Date | null }>(
    `SELECT window_start, lease_owner, status, deleted_at FROM feeds WHERE id = $1 FOR UPDATE`, [target.feedId],
  );
  if (!feed || feed.deleted_at !== null || feed.status !== 'active') throw new LeaseLost('the feed is no longer active');
  if (feed.lease_owner !== target.holder) throw new LeaseLost('another import or collection took the feed');
  return feed;
}

/**
 * Moves the cursor back to the earliest new day (never before the feed's activation) so the deposits from there
 * are recomputed, and sets each device's checkpoint to its last stored reading before the new cursor — what
 * Print Tracker's mostRecentPriorTo gives a re-based collection (life less what lies after it, as collectCounterFeed does).
 */
async function reopenFrom(tx: Queryable, target: ChunkTarget, current: Date | null, earliestDay: string | null, now: Date): Promise<void> {
  if (earliestDay !== null) {
    const start = new Date(`${earliestDay < target.activationDay ? target.activationDay : earliestDay}T00:00:00Z`);
    // A reading before the cursor (even one before the activation: a baseline) changes the checkpoints.
    if (current === null || Date.parse(`${earliestDay}T00:00:00Z`) < current.getTime()) {
      const next = current === null || start.getTime() < current.getTime() ? start : current;
      await tx.query(`UPDATE feeds SET window_start = $2 WHERE id = $1`, [target.feedId, next]);
      await tx.query(
        `UPDATE feed_devices d SET base_count = p.lifetime_total, base_read_at = p.read_at,
            base_life = greatest(0, d.life_count - greatest(0, coalesce(d.latest_count, p.lifetime_total) - p.lifetime_total))
           FROM (SELECT DISTINCT ON (device_id) device_id, read_at, lifetime_total FROM import_readings
                  WHERE feed_id = $1 AND read_at < $2 ORDER BY device_id, read_at DESC) p
          WHERE d.feed_id = $1 AND d.device_id = p.device_id`,
        [target.feedId, next],
      );
      await tx.query(
        `UPDATE feed_devices d SET base_count = NULL, base_read_at = NULL, base_life = 0
          WHERE d.feed_id = $1 AND NOT EXISTS (SELECT 1 FROM import_readings r WHERE r.feed_id = $1 AND r.device_id = d.device_id AND r.read_at < $2)`,
        [target.feedId, next],
      );
    }
    // For an import feed the sign of life is when readings arrive: health turns unhealthy when uploads stop.
    await tx.query(`UPDATE feeds SET last_reading_at = $2 WHERE id = $1`, [target.feedId, now]);
  }
  await tx.query(`UPDATE feeds SET lease_until = now() + make_interval(secs => $2) WHERE id = $1`, [target.feedId, target.leaseSeconds]);
}

async function recordProgress(tx: Queryable, target: ChunkTarget, progress: ChunkProgress, stored: StoredChunk): Promise<void> {
  const problems = [...progress.refused, ...stored.problems];
  await tx.query(
    `UPDATE import_jobs SET rows_done = $2, bytes_done = $3, accepted = accepted + $4, duplicates = duplicates + $5,
        conflicts = conflicts + $6, refused = refused + $7,
        problems = CASE WHEN jsonb_array_length(problems) >= 1000 THEN problems ELSE problems || $8::jsonb END
      WHERE id = $1`,
    [target.jobId, progress.rowsDone, progress.bytesDone, stored.accepted, stored.duplicates, stored.conflicts,
      problems.length - stored.conflicts, JSON.stringify(problems.slice(0, 1000))],
  );
}

/** Splits rows into those of devices another feed counts (refused) and the rest. */
function withoutForeign<T extends { row: number }>(rows: T[], device: (r: T) => string, foreign: Set<string>, problems: RowProblem[]): T[] {
  if (foreign.size === 0) return rows;
  return rows.filter((r) => {
    if (!foreign.has(device(r))) return true;
    problems.push({ row: r.row, column: 'device_id', rule: FOREIGN(device(r)), value: device(r) });
    return false;
  });
}

export async function storeReadingChunk(
  db: Database, target: ChunkTarget, rows: NumberedReading[], progress: ChunkProgress, now: Date,
): Promise<StoredChunk> {
  return db.transaction(async (tx) => {
    const feed = await holdFeed(tx, target);
    const out: StoredChunk = { accepted: 0, duplicates: 0, conflicts: 0, problems: [] };
    const foreign = await foreignDevices(tx, target, [...new Set(rows.map((r) => r.reading.deviceId))]);
    const candidates = withoutForeign(rows, (r) => r.reading.deviceId, foreign, out.problems);

    // Within the chunk first: the same reading twice is a duplicate, another counter at the same time a conflict.
    const firstOf = new Map<string, NumberedReading>();
    const later: NumberedReading[] = [];
    for (const c of candidates) {
      const key = `${c.reading.deviceId}\u0001${c.reading.at}`;
      if (firstOf.has(key)) later.push(c);
      else firstOf.set(key, c);
    }
    const conflict = (c: NumberedReading, lifetime: number, row: number | null) => {
      out.conflicts += 1;
      out.problems.push({
        row: c.row, column: 'lifetime_total', value: String(c.reading.lifetime),
        rule: `conflicts with ${row === null ? 'the stored reading' : `row ${row}`} of device ${c.reading.deviceId} at ${new Date(c.reading.at).toISOString()} (lifetime_total ${lifetime}): a reading is never replaced; the first one stays`,
      });
    };
    // Insert first (a new file's rows are nearly all new); what was there already is then told apart.
    const firsts = [...firstOf.values()];
    const r = firsts.map((f) => f.reading);
    const inserted = new Set((await tx.query<{ k: string }>(
      `INSERT INTO import_readings (feed_id, account_id, device_id, read_at, lifetime_total, black_total, color_total, managed)
       SELECT $1, $2, * FROM unnest($3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::bigint[], $8::boolean[])
       ON CONFLICT DO NOTHING
       RETURNING device_id || chr(1) || (extract(epoch FROM read_at) * 1000)::bigint::text AS k`,
      [target.feedId, target.accountId, r.map((x) => x.deviceId), r.map((x) => new Date(x.at).toISOString()), r.map((x) => x.lifetime),
        r.map((x) => x.black), r.map((x) => x.color), r.map((x) => x.managed)],
    )).map((row) => row.k));
    const fresh = firsts.filter((f) => inserted.has(`${f.reading.deviceId}\u0001${f.reading.at}`));
    const stale = firsts.filter((f) => !inserted.has(`${f.reading.deviceId}\u0001${f.reading.at}`));
    const stored = new Map<string, number>();
    if (stale.length > 0) {
      for (const e of await tx.query<{ k: string; lifetime_total: string }>(
        `SELECT r.device_id || chr(1) || (extract(epoch FROM r.read_at) * 1000)::bigint::text AS k, r.lifetime_total::text AS lifetime_total
           FROM import_readings r JOIN unnest($2::text[], $3::timestamptz[]) AS k(device_id, read_at)
             ON r.device_id = k.device_id AND r.read_at = k.read_at
          WHERE r.feed_id = $1`,
        [target.feedId, stale.map((c) => c.reading.deviceId), stale.map((c) => new Date(c.reading.at).toISOString())],
      )) stored.set(e.k, Number(e.lifetime_total));
    }
    for (const c of stale) {
      const lifetime = stored.get(`${c.reading.deviceId}\u0001${c.reading.at}`)!;
      if (lifetime === c.reading.lifetime) out.duplicates += 1;
      else conflict(c, lifetime, null);
    }
    for (const c of later) {
      const key = `${c.reading.deviceId}\u0001${c.reading.at}`;
      const first = firstOf.get(key)!;
      const lifetime = stored.get(key) ?? first.reading.lifetime;
      if (lifetime === c.reading.lifetime) out.duplicates += 1;
      else conflict(c, lifetime, stored.has(key) ? null : first.row);
    }
    out.accepted = fresh.length;
    const earliest = fresh.length === 0 ? null : formatDay(new Date(Math.min(...fresh.map((f) => f.reading.at))));
    await reopenFrom(tx, target, feed.window_start, earliest, now);
    await recordProgress(tx, target, progress, out);
    return out;
  });
}

export async function storeUsageChunk(
  db: Database, target: ChunkTarget, rows: NumberedUsage[], progress: ChunkProgress, now: Date,
): Promise<StoredChunk> {
  return db.transaction(async (tx) => {
    const feed = await holdFeed(tx, target);
    const out: StoredChunk = { accepted: 0, duplicates: 0, conflicts: 0, problems: [] };
    const devices = [...new Set(rows.map((r) => r.usage.deviceId))];
    const foreign = await foreignDevices(tx, target, devices);
    let candidates = withoutForeign(rows, (r) => r.usage.deviceId, foreign, out.problems);
    // A device's pages come per day or per month on a feed, never both: both would count them twice.
    const periods = new Map((await tx.query<{ device_id: string; period: 'day' | 'month' }>(
      `SELECT DISTINCT device_id, period FROM import_usage WHERE feed_id = $1 AND device_id = ANY($2::text[])`, [target.feedId, devices],
    )).map((r) => [r.device_id, r.period]));
    candidates = candidates.filter((c) => {
      const period = periods.get(c.usage.deviceId) ?? c.usage.period;
      periods.set(c.usage.deviceId, period);
      if (period === c.usage.period) return true;
      out.problems.push({
        row: c.row, column: c.usage.period === 'day' ? 'date' : 'month', value: c.usage.day,
        rule: `device ${c.usage.deviceId} has ${period === 'day' ? 'daily' : 'monthly'} usage on this feed already: mixing daily and monthly figures would count its pages twice`,
      });
      return false;
    });
    if (candidates.some((c) => usageDepositDay(c.usage) < target.activationDay)) {
      candidates = candidates.filter((c) => {
        if (usageDepositDay(c.usage) >= target.activationDay) return true;
        out.problems.push({ row: c.row, column: c.usage.period === 'day' ? 'date' : 'month', value: c.usage.day, rule: `is before the feed's activation (${target.activationDay}): not counted` });
        return false;
      });
    }

    const existing = new Map<string, { pages: number; row: number | null }>();
    if (candidates.length > 0) {
      for (const e of await tx.query<{ device_id: string; period: string; day: string; pages: string }>(
        `SELECT u.device_id, u.period, u.day::text AS day, u.pages::text AS pages
           FROM import_usage u JOIN unnest($2::text[], $3::text[], $4::date[]) AS k(device_id, period, day)
             ON u.device_id = k.device_id AND u.period = k.period AND u.day = k.day
          WHERE u.feed_id = $1`,
        [target.feedId, candidates.map((c) => c.usage.deviceId), candidates.map((c) => c.usage.period), candidates.map((c) => c.usage.day)],
      )) existing.set(`${e.device_id}\u0000${e.period}\u0000${e.day}`, { pages: Number(e.pages), row: null });
    }
    const fresh: NumberedUsage[] = [];
    for (const c of candidates) {
      const key = `${c.usage.deviceId}\u0000${c.usage.period}\u0000${c.usage.day}`;
      const seen = existing.get(key);
      if (seen === undefined) {
        existing.set(key, { pages: c.usage.pages, row: c.row });
        fresh.push(c);
      } else if (seen.pages === c.usage.pages) {
        out.duplicates += 1;
      } else {
        out.conflicts += 1;
        const when = c.usage.period === 'day' ? c.usage.day : c.usage.day.slice(0, 7);
        out.problems.push({
          row: c.row, column: 'pages', value: String(c.usage.pages),
          rule: `conflicts with ${seen.row === null ? 'the stored figure' : `row ${seen.row}`} of device ${c.usage.deviceId} for ${when} (${seen.pages} pages): a figure is never replaced; the first one stays`,
        });
      }
    }
    if (fresh.length > 0) {
      const u = fresh.map((f) => f.usage);
      await tx.query(
        `INSERT INTO import_usage (feed_id, account_id, device_id, period, day, pages, paper_size)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::date[], $6::bigint[], $7::text[]) ON CONFLICT DO NOTHING`,
        [target.feedId, target.accountId, u.map((x) => x.deviceId), u.map((x) => x.period), u.map((x) => x.day), u.map((x) => x.pages), u.map((x) => x.paperSize)],
      );
      out.accepted = fresh.length;
    }
    const earliest = fresh.length === 0 ? null : fresh.map((f) => usageDepositDay(f.usage)).reduce((a, b) => (a < b ? a : b));
    await reopenFrom(tx, target, feed.window_start, earliest, now);
    await recordProgress(tx, target, progress, out);
    return out;
  });
}
