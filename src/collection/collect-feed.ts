// Collects one feed from its cursor to now: reads the upstream chunk by chunk, turns readings into daily
// pages (counters: per-device deltas; Pharos: print jobs) and commits each chunk with its cursor.
import type { Database, Queryable } from '../db/database.ts';
import { formatDay } from '../domain/calendar.ts';
import { collectionChunks, initialWindowStart, type CollectionChunk, type WindowPolicy } from '../domain/collection-window.ts';
import { deviceDeltas, type CounterCheckpoint, type DeltaLimits } from '../domain/deltas.ts';
import { findPaperSize } from '../domain/paper-sizes.ts';
import { toPlainString, decimal } from '../domain/decimal.ts';
import type { CounterSource, JobSource, TenantSource } from '../connectors/types.ts';
import { MeterReadSet, type MeterReading } from '../connectors/printtracker/meter-reads.ts';
import { forEachConcurrently } from '../connectors/http/limiter.ts';
import { UpstreamError } from '../connectors/http/upstream-client.ts';
import {
  LETTER_SIZE, writeChunk,
  type AnomalyRecord, type CollectedChunk, type ComputedDay, type DeviceUpdate, type PaperSizeText,
} from './feed-ledger.ts';

/** Distinct devices one feed's chunk may report: past it the feed fails, naming the bound. */
export const MAX_DEVICES_PER_FEED = 50_000;
const YIELD_EVERY_DEVICES = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface FeedToCollect {
  id: string;
  account_id: string;
  external_id: string;
  collection_scope: 'all' | 'managed_only';
  activated_at: Date | null;
  window_start: Date | null;
}

export interface CollectFeedDeps {
  db: Database;
  now: () => Date;
  policy: WindowPolicy;
  limits: DeltaLimits;
  /** the feed claim this collection holds (claims.ts): every write checks it is still the holder */
  claimToken: string;
  leaseSeconds: number;
  /** test hooks: after a chunk is read (before its commit), and after it committed (the cursor moved) */
  afterRead?: (chunk: CollectionChunk) => Promise<void> | void;
  afterCommit?: (chunk: CollectionChunk) => Promise<void> | void;
  /** prior-reading lookups in flight per feed */
  lookupConcurrency: number;
}

export interface FeedCollection {
  readings: number;
  devices: number;
  /** net change of the feed's deposited pages */
  pages: number;
  /** pages the readings of the window computed (re-read days included) */
  pagesRead: number;
  anomalies: number;
  carried: number;
  chunks: number;
  /** why collection stopped early, when it did: the claim was lost (collect again), or the feed or account stopped */
  stopped: { reason: string; claimLost: boolean } | null;
}

interface DeviceRow {
  device_id: string;
  entity_id: string | null;
  managed: boolean | null;
  initial_count: number | null;
  latest_count: number | null;
  life_count: number;
  first_read_at: Date | null;
  base_count: number | null;
  base_read_at: Date | null;
  base_life: number;
}

async function deviceRows(db: Queryable, feedId: string): Promise<Map<string, DeviceRow>> {
  const rows = await db.query<DeviceRow>(
    `SELECT device_id, entity_id, managed, initial_count, latest_count, life_count, first_read_at, base_count, base_read_at, base_life
       FROM feed_devices WHERE feed_id = $1`,
    [feedId],
  );
  return new Map(rows.map((r) => [r.device_id, r]));
}

const emptyResult = (): FeedCollection => ({ readings: 0, devices: 0, pages: 0, pagesRead: 0, anomalies: 0, carried: 0, chunks: 0, stopped: null });

/** Runs the chunks of [cursor, now], each collected by `read` and written with its cursor; stops when a write is refused. */
async function runChunks(
  deps: CollectFeedDeps,
  feed: FeedToCollect,
  read: (chunk: CollectionChunk, windowStart: Date) => Promise<Omit<CollectedChunk, 'feedId' | 'accountId' | 'claimToken' | 'windowStart' | 'from' | 'to' | 'final'>>,
): Promise<FeedCollection> {
  const result = emptyResult();
  let windowStart = feed.window_start ?? initialWindowStart(feed.activated_at ?? deps.now());
  const now = deps.now();
  if (windowStart.getTime() > now.getTime()) return result; // activated in the future: nothing yet
  for (const chunk of collectionChunks(windowStart, now, deps.policy)) {
    const collected = await read(chunk, windowStart);
    await deps.afterRead?.(chunk);
    const outcome = await writeChunk(deps.db, {
      ...collected, feedId: feed.id, accountId: feed.account_id, claimToken: deps.claimToken, windowStart,
      from: chunk.from, to: chunk.to, final: chunk.final,
    }, now, deps.policy, deps.leaseSeconds);
    if (!outcome.written) {
      result.stopped = { reason: outcome.reason, claimLost: outcome.claimLost };
      return result;
    }
    await deps.afterCommit?.(chunk);
    result.chunks += 1;
    result.readings += collected.readings;
    result.anomalies += collected.anomalies.length;
    result.pages += outcome.pagesChanged;
    result.pagesRead += outcome.pagesRead;
    result.carried += outcome.carried;
    result.devices = Math.max(result.devices, collected.devices.length);
    windowStart = outcome.nextWindowStart;
  }
  return result;
}

/** A device needs its earlier reading looked up when Canopy has no counter for it before the window. */
function needsPriorReading(row: DeviceRow | undefined, windowStart: Date): boolean {
  if (row === undefined) return true;
  if (row.base_read_at !== null) return false;
  return row.first_read_at !== null && row.first_read_at.getTime() < windowStart.getTime();
}

/** Print Tracker: per device, the lifetime counter's daily deltas from its checkpoint; pages per UTC day. */
export async function collectCounterFeed(deps: CollectFeedDeps, source: CounterSource, feed: FeedToCollect): Promise<FeedCollection> {
  const entities = await source.entityTree(feed.external_id);
  const managedOnly = feed.collection_scope === 'managed_only';
  let flags: Map<string, boolean> | null = null;
  let devicesTotal = 0;

  const result = await runChunks(deps, feed, async (chunk, windowStart) => {
    const set = new MeterReadSet();
    await source.meterReads(entities, chunk.from.getTime(), chunk.to.getTime(), managedOnly, set);
    const rows = await deviceRows(deps.db, feed.id);
    const byDevice = new Map<string, MeterReading[]>();
    let lastReadingAt: number | null = null;
    for (const read of set.reads()) {
      const list = byDevice.get(read.deviceId) ?? [];
      list.push(read);
      byDevice.set(read.deviceId, list);
      lastReadingAt = Math.max(lastReadingAt ?? 0, read.at);
    }
    if (byDevice.size > MAX_DEVICES_PER_FEED) {
      throw new UpstreamError('upstream_error', `entity ${feed.external_id} reports ${byDevice.size.toLocaleString('en-US')} devices, more than ${MAX_DEVICES_PER_FEED.toLocaleString('en-US')} (the bound on devices per feed)`, null, 'devices');
    }

    // Earlier readings of devices Canopy has no counter for: the baseline their first reading here counts from.
    const priors = new Map<string, CounterCheckpoint | null>();
    const lookups = [...byDevice.entries()].filter(([id]) => needsPriorReading(rows.get(id), windowStart));
    await forEachConcurrently(lookups, deps.lookupConcurrency, async ([deviceId, reads]) => {
      const entityId = rows.get(deviceId)?.entity_id ?? reads.find((r) => r.entityId)?.entityId ?? feed.external_id;
      const prior = await source.priorReading(entityId, deviceId, windowStart.getTime());
      priors.set(deviceId, prior === null ? null : { at: prior.at, count: prior.count, life: 0 });
    });
    if (lookups.some(([id]) => !rows.has(id)) && flags === null) flags = await source.managedFlags(feed.external_id);

    const computed = new Map<string, number>();
    const devices: DeviceUpdate[] = [];
    const anomalies: AnomalyRecord[] = [];
    let handled = 0;
    for (const [deviceId, reads] of byDevice) {
      // Long chunks are computed in slices, so /healthz and other requests are answered in between.
      if (++handled % YIELD_EVERY_DEVICES === 0) await yieldToEventLoop();
      const row = rows.get(deviceId);
      let base: CounterCheckpoint | null;
      if (priors.has(deviceId)) {
        const prior = priors.get(deviceId)!;
        // A known device re-based (collect --since): its life so far, less what lies after the new base.
        const life = row && prior && row.latest_count !== null && row.latest_count >= prior.count
          ? Math.max(0, row.life_count - (row.latest_count - prior.count)) : row?.life_count ?? 0;
        base = prior === null ? null : { ...prior, life };
      } else {
        base = row && row.base_read_at !== null && row.base_count !== null
          ? { at: row.base_read_at.getTime(), count: row.base_count, life: row.base_life } : null;
      }
      for (const read of reads) {
        if (read.problem) {
          anomalies.push({ deviceId, kind: read.problem.kind, day: formatDay(new Date(read.at)), at: read.at, detail: read.problem.detail, pages: null });
        }
      }
      const readable = reads.filter((r) => r.count !== null).map((r) => ({ at: r.at, count: r.count! }));
      const deltas = deviceDeltas(base, readable, deps.limits);
      for (const [day, pages] of deltas.pagesByDay) computed.set(day, (computed.get(day) ?? 0) + pages);
      for (const a of deltas.anomalies) anomalies.push({ deviceId, kind: a.kind, day: a.day, at: a.at, detail: a.detail, pages: a.pages });
      const first = row?.first_read_at?.getTime() ?? (priors.get(deviceId)?.at ?? deltas.first?.at ?? null);
      devices.push({
        deviceId,
        entityId: reads.find((r) => r.entityId)?.entityId ?? null,
        managed: (flags as Map<string, boolean> | null)?.get(deviceId) ?? (managedOnly ? true : null),
        initialCount: row?.initial_count ?? priors.get(deviceId)?.count ?? deltas.first?.count ?? null,
        firstReadAt: first,
        latest: deltas.latest,
        checkpointBefore: (boundary) => deltas.checkpointBefore(boundary),
      });
    }
    devicesTotal = Math.max(devicesTotal, new Set([...rows.keys(), ...byDevice.keys()]).size);
    return {
      computed: [...computed].map(([day, pages]): ComputedDay => ({ day, size: LETTER_SIZE, pages })),
      devices, anomalies, lastReadingAt, externalName: null, readings: set.size,
    };
  });
  result.devices = devicesTotal;
  return result;
}

/** A paper size name from an upstream → the exact metres stored on deposits (Letter when unknown). */
export function paperSizeText(name: string | null): PaperSizeText {
  const size = name === null ? undefined : findPaperSize(name);
  if (!size) return LETTER_SIZE;
  return { width: toPlainString(decimal(size.width)), length: toPlainString(decimal(size.length)) };
}

/** Pharos: print jobs give each day's pages per paper size exactly. */
export async function collectJobFeed(deps: CollectFeedDeps, source: JobSource, feed: FeedToCollect): Promise<FeedCollection> {
  let devices = 0;
  const result = await runChunks(deps, feed, async (chunk) => {
    const lastDay = formatDay(chunk.final ? chunk.to : new Date(chunk.to.getTime() - 1));
    const jobs = await source.dailyPages(formatDay(chunk.from), lastDay);
    devices = Math.max(devices, jobs.devices);
    return {
      computed: jobs.pages.map((p) => ({ day: p.day, size: paperSizeText(p.paperSize), pages: p.pages })),
      devices: [], anomalies: [], lastReadingAt: jobs.lastJobAt, externalName: null, readings: jobs.jobs,
    };
  });
  result.devices = devices;
  return result;
}

/** Printix: no pages; a feed is healthy while its tenant exists, and takes the tenant's name. */
export async function collectTenantFeed(deps: CollectFeedDeps, source: TenantSource, feed: FeedToCollect): Promise<FeedCollection> {
  const tenant = await source.tenant(feed.external_id);
  const now = deps.now();
  const health = tenant ? 'healthy' : 'unhealthy';
  await deps.db.query(
    `UPDATE feeds SET last_collected_at = $2, external_name = coalesce($3, external_name),
        last_error = $4,
        health_check_changed_at = CASE WHEN health_check <> $5 THEN $2 ELSE health_check_changed_at END,
        health_check = $5, health_check_checked_at = $2
      WHERE id = $1 AND lease_owner = $6`,
    [feed.id, now, tenant?.tenant_name ?? null, tenant ? null : `tenant ${feed.external_id} does not exist at Printix`, health, deps.claimToken],
  );
  return emptyResult();
}

