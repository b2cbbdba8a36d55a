// Imports rows into an import feed: holds the feed as a collector would, commits chunk by chunk (each with its
// progress, so a crash resumes), then recomputes the feed's deposits with the collection engine's own rules.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { formatDay } from '../domain/calendar.ts';
import { DEFAULT_WINDOW_POLICY, type WindowPolicy } from '../domain/collection-window.ts';
import type { DeltaLimits } from '../domain/deltas.ts';
import { Conflict, InvalidInput } from '../domain/errors.ts';
import { collectCounterFeed, collectJobFeed, type FeedToCollect } from '../collection/collect-feed.ts';
import type { CollectionSettings } from '../collection/settings.ts';
import {
  LeaseLost, storeReadingChunk, storeUsageChunk,
  type ChunkTarget, type NumberedReading, type NumberedUsage, type StoredChunk,
} from './import-store.ts';
import { readRow, RowRefused, type ImportField, type ImportKind, type ImportedReading, type RowOptions, type RowProblem } from './reading-rows.ts';
import { storedCounterSource, storedUsageSource } from './stored-sources.ts';

export interface ImportSettings {
  policy: WindowPolicy;
  limits: DeltaLimits;
  leaseSeconds: number;
  /** rows committed per transaction */
  chunkRows: number;
}

export function importSettings(collection: CollectionSettings, chunkRows = 5000): ImportSettings {
  return {
    policy: { ...DEFAULT_WINDOW_POLICY, lookbackDays: collection.lookbackDays },
    limits: { maxPagesPerDay: collection.maxPagesPerDevicePerDay },
    leaseSeconds: collection.leaseSeconds,
    chunkRows,
  };
}

export interface ImportDeps {
  db: Database;
  clock: () => Date;
  settings: ImportSettings;
}

/** One input row: its number (1-based data row) and its values by field, as written. */
export interface SourceRow {
  row: number;
  values: Partial<Record<ImportField, string>>;
  /** bytes of the input read so far, for progress */
  bytes?: number;
}

export interface ChangedDay {
  date: string;
  pages_before: number;
  pages_after: number;
}

export interface ImportSummary {
  job_id: string;
  kind: ImportKind;
  rows: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  refused: number;
  /** the first 1,000 problems, each naming its row, column and rule */
  problems: RowProblem[];
  changed_days: ChangedDay[];
  /** rows skipped because an earlier, interrupted import of the same file had committed them */
  resumed_after: number;
}

export interface ImportFeed {
  id: string;
  account_id: string;
  type: string;
  collection_scope: 'all' | 'managed_only';
  activated_at: Date | null;
}

/**
 * The import feed's lease holder name for one job: the same lease a collector takes, so they never overlap.
 * A live holder blocks even the same job (a second PUT of a running upload); a crashed one's lease expires.
 */
const holderOf = (jobId: string) => `import:${jobId}`;

async function claimFeed(db: Queryable, feedId: string, holder: string, leaseSeconds: number): Promise<void> {
  const rows = await db.query<{ id: string }>(
    `UPDATE feeds SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
      WHERE id = $1 AND deleted_at IS NULL AND status = 'active'
        AND (lease_owner IS NULL OR lease_until < now())
      RETURNING id`,
    [feedId, holder, leaseSeconds],
  );
  if (rows.length === 0) {
    const [feed] = await db.query<{ status: string }>(`SELECT status FROM feeds WHERE id = $1`, [feedId]);
    if (feed?.status !== 'active') throw new Conflict('the feed is inactive: activate it before importing');
    throw new Conflict('another import of this feed is running: wait for it to finish, then send again (nothing was stored)');
  }
}

async function releaseFeed(db: Queryable, feedId: string, holder: string): Promise<void> {
  await db.query(`UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [feedId, holder]);
}

/** What an import feed has received so far: counters or usage (one feed holds one kind). */
async function storedKind(db: Queryable, feedId: string): Promise<'counters' | 'usage' | null> {
  const [row] = await db.query<{ counters: boolean; usage: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM import_readings WHERE feed_id = $1) AS counters, EXISTS (SELECT 1 FROM import_usage WHERE feed_id = $1) AS usage`,
    [feedId],
  );
  return row.counters ? 'counters' : row.usage ? 'usage' : null;
}

export interface JobRow {
  id: string;
  feed_id: string;
  status: 'waiting' | 'running' | 'succeeded' | 'failed';
  source: 'api' | 'upload' | 'cli';
  filename: string | null;
  options: Record<string, unknown>;
  bytes_total: string | null;
  bytes_done: string;
  rows_done: string;
  accepted: string;
  duplicates: string;
  conflicts: string;
  refused: string;
  problems: RowProblem[];
  changed_days: ChangedDay[];
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export async function createJob(
  db: Queryable, feed: ImportFeed, input: { source: JobRow['source']; filename?: string | null; sha256?: string | null; options?: object; bytesTotal?: number | null }, now: Date,
): Promise<string> {
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO import_jobs (id, feed_id, account_id, source, filename, sha256, options, bytes_total, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
    [id, feed.id, feed.account_id, input.source, input.filename ?? null, input.sha256 ?? null, JSON.stringify(input.options ?? {}), input.bytesTotal ?? null, now],
  );
  return id;
}

/** An earlier import of the same file (by sha256) that did not finish: importing the file again continues it. */
export async function resumableJob(db: Queryable, feedId: string, sha256: string): Promise<{ id: string; rows_done: number } | null> {
  const [row] = await db.query<{ id: string; rows_done: string }>(
    `SELECT id, rows_done::text AS rows_done FROM import_jobs WHERE feed_id = $1 AND sha256 = $2 AND status <> 'succeeded'
      ORDER BY created_at DESC LIMIT 1`,
    [feedId, sha256],
  );
  return row ? { id: row.id, rows_done: Number(row.rows_done) } : null;
}

export async function getJob(db: Queryable, feedId: string, jobId: string): Promise<JobRow | null> {
  const [row] = await db.query<JobRow>(
    `SELECT id, feed_id, status, source, filename, options, bytes_total::text AS bytes_total, bytes_done::text AS bytes_done,
        rows_done::text AS rows_done, accepted::text AS accepted, duplicates::text AS duplicates, conflicts::text AS conflicts,
        refused::text AS refused, problems, changed_days, error, created_at, finished_at
       FROM import_jobs WHERE id = $1 AND feed_id = $2`,
    [jobId, feedId],
  );
  return row ?? null;
}

async function depositsFrom(db: Queryable, feedId: string, from: string): Promise<Map<string, number>> {
  const rows = await db.query<{ day: string; pages: string }>(
    `SELECT day::text AS day, sum(pages)::text AS pages FROM deposits WHERE feed_id = $1 AND day >= $2::date GROUP BY day`, [feedId, from],
  );
  return new Map(rows.map((r) => [r.day, Number(r.pages)]));
}

/**
 * Recomputes the feed's deposits from its cursor with the collection engine's rules (counters: per-device
 * deltas, resets, gaps, jumps; usage: pages per day), chunk by chunk, each written by writeChunk.
 */
async function recompute(deps: ImportDeps, feedId: string, holder: string): Promise<ChangedDay[]> {
  const [feed] = await deps.db.query<FeedToCollect & { type: string }>(
    `SELECT id, account_id, external_id, collection_scope, activated_at, window_start, type FROM feeds WHERE id = $1`, [feedId],
  );
  const from = formatDay(feed.window_start ?? feed.activated_at ?? deps.clock());
  const before = await depositsFrom(deps.db, feedId, from);
  const collectDeps = {
    db: deps.db, now: deps.clock, policy: deps.settings.policy, limits: deps.settings.limits,
    claimToken: holder, leaseSeconds: deps.settings.leaseSeconds, lookupConcurrency: 4,
  };
  const kind = await storedKind(deps.db, feedId);
  const result = kind === 'usage'
    ? await collectJobFeed(collectDeps, storedUsageSource(deps.db, feedId), feed)
    : await collectCounterFeed(collectDeps, storedCounterSource(deps.db, feedId), feed);
  if (result.stopped) throw new LeaseLost(result.stopped.reason);
  const after = await depositsFrom(deps.db, feedId, from);
  const changed: ChangedDay[] = [];
  for (const day of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(day) ?? 0;
    const b = after.get(day) ?? 0;
    if (a !== b) changed.push({ date: day, pages_before: a, pages_after: b });
  }
  return changed;
}

export interface RunImportInput {
  feed: ImportFeed;
  jobId: string;
  kind: ImportKind;
  options: Omit<RowOptions, 'kind' | 'now'>;
  rows: AsyncIterable<SourceRow> | Iterable<SourceRow>;
  /** rows already committed by an interrupted run of this job */
  skipRows?: number;
  onProgress?: (p: { rows: number; bytes: number; accepted: number; refused: number }) => void;
}

/** Imports the rows as one job: every chunk all-or-nothing with its progress; then the deposits they change. */
export async function runImport(deps: ImportDeps, input: RunImportInput): Promise<ImportSummary> {
  const { feed, jobId, kind } = input;
  if (feed.type !== 'import') throw new Conflict(`feed ${feed.id} is a ${feed.type} feed: readings are imported into feeds of type import`);
  const have = await storedKind(deps.db, feed.id);
  const want = kind === 'counters' ? 'counters' : 'usage';
  if (have !== null && have !== want) {
    throw new Conflict(`this feed imports ${have === 'counters' ? 'lifetime counters' : 'usage figures'}; ${want === 'counters' ? 'counters' : 'usage figures'} go to a feed of their own`);
  }
  const holder = holderOf(jobId);
  await claimFeed(deps.db, feed.id, holder, deps.settings.leaseSeconds);
  const now = deps.clock();
  const target: ChunkTarget = {
    feedId: feed.id, accountId: feed.account_id, holder, jobId, leaseSeconds: deps.settings.leaseSeconds,
    activationDay: formatDay(feed.activated_at ?? now), verified: new Set(),
  };
  const rowOptions: RowOptions = { ...input.options, kind, now: now.getTime() };
  const totals = { rows: 0, accepted: 0, duplicates: 0, conflicts: 0, refused: 0 };
  const problems: RowProblem[] = [];
  const skip = input.skipRows ?? 0;
  try {
    await deps.db.query(`UPDATE import_jobs SET status = 'running', error = NULL WHERE id = $1`, [jobId]);
    let readings: NumberedReading[] = [];
    let usage: NumberedUsage[] = [];
    let refused: RowProblem[] = [];
    let lastRow = skip;
    let bytes = 0;
    let pending = 0;
    const flush = async () => {
      if (pending === 0) return;
      const progress = { rowsDone: lastRow, bytesDone: bytes, refused };
      const stored: StoredChunk = kind === 'counters'
        ? await storeReadingChunk(deps.db, target, readings, progress, now)
        : await storeUsageChunk(deps.db, target, usage, progress, now);
      totals.accepted += stored.accepted;
      totals.duplicates += stored.duplicates;
      totals.conflicts += stored.conflicts;
      totals.refused += refused.length + stored.problems.length - stored.conflicts;
      for (const p of [...refused, ...stored.problems]) if (problems.length < 1000) problems.push(p);
      readings = [];
      usage = [];
      refused = [];
      pending = 0;
      input.onProgress?.({ rows: totals.rows, bytes, accepted: totals.accepted, refused: totals.refused + totals.conflicts });
    };
    for await (const source of input.rows) {
      if (source.row <= skip) continue;
      totals.rows += 1;
      lastRow = source.row;
      bytes = source.bytes ?? bytes;
      pending += 1;
      try {
        const value = readRow(source.values, rowOptions);
        if (kind === 'counters') readings.push({ row: source.row, reading: value as ImportedReading });
        else usage.push({ row: source.row, usage: value as NumberedUsage['usage'] });
      } catch (error) {
        if (!(error instanceof RowRefused)) throw error;
        refused.push({ row: source.row, column: error.column, rule: error.message, value: error.value });
      }
      if (pending >= deps.settings.chunkRows) await flush();
    }
    await flush();
    const changed = await recompute(deps, feed.id, holder);
    const [job] = await deps.db.query<{ accepted: string; duplicates: string; conflicts: string; refused: string; rows_done: string }>(
      `UPDATE import_jobs SET status = 'succeeded', finished_at = $2, changed_days = $3::jsonb WHERE id = $1
        RETURNING accepted::text AS accepted, duplicates::text AS duplicates, conflicts::text AS conflicts, refused::text AS refused, rows_done::text AS rows_done`,
      [jobId, deps.clock(), JSON.stringify(changed)],
    );
    // A resumed job reports the whole file: what the interrupted run committed counts too.
    return {
      job_id: jobId, kind, rows: Math.max(Number(job.rows_done), totals.rows + skip), accepted: Number(job.accepted), duplicates: Number(job.duplicates),
      conflicts: Number(job.conflicts), refused: Number(job.refused), problems, changed_days: changed, resumed_after: skip,
    };
  } catch (error) {
    const message = error instanceof LeaseLost ? error.message
      : error instanceof InvalidInput || error instanceof Conflict ? error.message : 'the import stopped on an internal error; import the file again to continue';
    await deps.db.query(`UPDATE import_jobs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1`, [jobId, message, deps.clock()]).catch(() => {});
    if (error instanceof LeaseLost) throw new Conflict(`the import stopped: ${error.message}; rows committed so far are kept, import again to continue`);
    throw error;
  } finally {
    await releaseFeed(deps.db, feed.id, holder).catch(() => {});
  }
}

/** An import feed of the caller's account, or why readings cannot go to it. */
export function requireImportFeed(feed: ImportFeed): ImportFeed {
  if (feed.type !== 'import') throw new Conflict(`feed ${feed.id} is a ${feed.type} feed: readings are imported into feeds of type import`);
  return feed;
}
