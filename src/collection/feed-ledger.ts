// Writes one collected chunk of a feed in one DB transaction: its deposits (replacing days, carrying closed
// days' revisions into the first open day), device counters, anomalies, the cursor and the feed's health.
import crypto from 'node:crypto';
import { addMonthlyPages } from '../accounts/figures.ts';
import type { Database, Queryable } from '../db/database.ts';
import { addMonths, eachDay, formatDay, monthKey, monthStart, withinBusinessDays, type MonthKey } from '../domain/calendar.ts';
import { nextWindowStart, type WindowPolicy } from '../domain/collection-window.ts';
import type { CounterCheckpoint } from '../domain/deltas.ts';
import { MAX_PAGES, standardPagesOf } from '../domain/paper.ts';
import { FEED_DAY_CEILING, applyFeedDayCeiling, withinDepositBound } from '../domain/feed-day-ceiling.ts';
import { decimal } from '../domain/decimal.ts';
import { isMonthClosedForWrite, lockLedgerAccount } from '../ledger/ledger-guards.ts';
import { recordDepositEvent, recordFeedHealth } from '../outbound/record-events.ts';

export const LETTER_SIZE = { width: '0.2159', length: '0.2794' } as const;

export interface PaperSizeText {
  /** exact metres as text, as stored */
  width: string;
  length: string;
}

/** Pages of one day on one paper size, computed from the upstream for the chunk. */
export interface ComputedDay {
  day: string;
  size: PaperSizeText;
  pages: number;
}

export interface DeviceUpdate {
  deviceId: string;
  entityId: string | null;
  managed: boolean | null;
  initialCount: number | null;
  firstReadAt: number | null;
  latest: CounterCheckpoint | null;
  /** the device's state just before a day boundary: where the next run starts from */
  checkpointBefore(boundary: number): CounterCheckpoint | null;
}

export interface AnomalyRecord {
  deviceId: string;
  kind: string;
  day: string;
  at: number;
  detail: string;
  pages: number | null;
}

export interface CollectedChunk {
  feedId: string;
  accountId: string;
  /** the feed claim's token (claims.ts takeFeed): a chunk is written only while its lane still holds the feed */
  claimToken: string;
  /** the cursor this chunk was collected from: the write is refused if another collector moved it */
  windowStart: Date;
  from: Date;
  to: Date;
  final: boolean;
  computed: ComputedDay[];
  devices: DeviceUpdate[];
  anomalies: AnomalyRecord[];
  /** newest reading (or job) in the chunk, readable or not: the feed's sign of life */
  lastReadingAt: number | null;
  externalName: string | null;
  readings: number;
}

export type ChunkOutcome =
  | { written: true; nextWindowStart: Date; pagesChanged: number; pagesRead: number; carried: number; health: string }
  /** claimLost: another lane holds the feed now, or its cursor was moved (a restart): collect it again later */
  | { written: false; reason: string; claimLost: boolean };

const sizeKey = (s: PaperSizeText) => `${s.width}x${s.length}`;
const sizeOfKey = (key: string): PaperSizeText => {
  const [width, length] = key.slice(11).split('x');
  return { width, length };
};

interface ExistingDeposit {
  id: string;
  day: string;
  width: string;
  length: string;
  pages: number;
  standard_pages: number;
  carried_pages: number;
}

async function closedMonths(tx: Queryable, first: MonthKey, last: MonthKey): Promise<Set<MonthKey>> {
  const closed = new Set<MonthKey>();
  for (let month = first; month <= last; month = addMonths(month, 1)) {
    if (await isMonthClosedForWrite(tx, month)) closed.add(month);
  }
  return closed;
}

function standardPagesFor(pages: number, size: PaperSizeText): number {
  return standardPagesOf({ quantity: pages, width: decimal(size.width), length: decimal(size.length), density: 75 });
}

/** The feed's health after a successful collection: pending before any data, else the 3-business-day rule. */
export function healthAfterCollection(lastReadingAt: Date | null, now: Date): 'pending' | 'healthy' | 'unhealthy' {
  if (lastReadingAt === null) return 'pending';
  return withinBusinessDays(lastReadingAt, now, 3) ? 'healthy' : 'unhealthy';
}

export async function writeChunk(db: Database, chunk: CollectedChunk, now: Date, policy: WindowPolicy, leaseSeconds: number): Promise<ChunkOutcome> {
  return db.transaction(async (tx) => {
    // The account row lock that month close takes too: a close either sees these deposits or refuses them.
    const account = await lockLedgerAccount(tx, chunk.accountId);
    if (account.status !== 'active') return { written: false, reason: 'account is inactive', claimLost: false };
    const [feed] = await tx.query<{ window_start: Date | null; status: string; deleted_at: Date | null; lease_owner: string | null; last_reading_at: Date | null; health_check: string }>(
      `SELECT window_start, status, deleted_at, lease_owner, last_reading_at, health_check FROM feeds WHERE id = $1 FOR UPDATE`,
      [chunk.feedId],
    );
    if (!feed || feed.deleted_at !== null || feed.status !== 'active') return { written: false, reason: 'feed is no longer active', claimLost: false };
    if (feed.lease_owner !== chunk.claimToken) return { written: false, reason: 'another collector holds the feed', claimLost: true };
    if (feed.window_start?.getTime() !== chunk.windowStart.getTime()) return { written: false, reason: 'the feed was collected meanwhile', claimLost: true };

    const firstDay = formatDay(chunk.from);
    const lastDay = formatDay(chunk.final ? chunk.to : new Date(chunk.to.getTime() - 1));
    // Months this chunk writes into hold the shared month lock (isMonthClosedForWrite) until commit.
    const closed = await closedMonths(tx, monthKey(chunk.from), lastDay.slice(0, 7));
    // The first open month from the chunk's on: where revisions of closed days are carried.
    let firstOpen = monthKey(chunk.from);
    if (closed.has(firstOpen)) {
      const later = new Set((await tx.query<{ month: string }>(
        `SELECT to_char(month, 'YYYY-MM') AS month FROM closed_months WHERE month >= $1::date`, [`${firstOpen}-01`],
      )).map((r) => r.month));
      while (later.has(firstOpen) && firstOpen < monthKey(now)) firstOpen = addMonths(firstOpen, 1);
      if (firstOpen > lastDay.slice(0, 7) && (await isMonthClosedForWrite(tx, firstOpen))) firstOpen = addMonths(firstOpen, 1);
    }
    const firstOpenDay = formatDay(monthStart(firstOpen));
    const carryOutside = firstOpenDay > lastDay;

    const existing = new Map<string, ExistingDeposit>();
    for (const row of await tx.query<ExistingDeposit>(
      `SELECT id, day::text AS day, width::text AS width, length::text AS length, pages, standard_pages, carried_pages
         FROM deposits WHERE feed_id = $1 AND ((day >= $2::date AND day <= $3::date) OR day = $4::date) FOR UPDATE`,
      [chunk.feedId, firstDay, lastDay, firstOpenDay],
    )) existing.set(`${row.day}\u0000${sizeKey(row)}`, row);

    const computed = new Map<string, ComputedDay>();
    let pagesRead = 0;
    for (const c of chunk.computed) {
      if (c.day < firstDay || c.day > lastDay) continue;
      pagesRead += c.pages;
      const key = `${c.day}\u0000${sizeKey(c.size)}`;
      const entry = computed.get(key) ?? { day: c.day, size: c.size, pages: 0 };
      entry.pages += c.pages;
      computed.set(key, entry);
    }
    // Whatever the upstream says, a feed's day stays under its ceiling: the excess is held back and shown.
    const entries = [...computed.values()];
    const ceiling = applyFeedDayCeiling(entries.map((c) => ({ day: c.day, pages: c.pages, standardPages: (p: number) => standardPagesFor(p, c.size) })));
    entries.forEach((c, i) => { c.pages = ceiling.kept[i]; });
    for (const [day, pages] of ceiling.held) {
      chunk.anomalies.push({
        deviceId: '*', kind: 'feed_day_ceiling', day, at: Date.parse(`${day}T00:00:00Z`), pages,
        detail: `the feed's devices add up to more than ${FEED_DAY_CEILING.toLocaleString('en-US')} pages on ${day} (the ceiling of one feed's day): ${pages.toLocaleString('en-US')} pages held back, not deposited`,
      });
    }

    // A closed day is locked: the difference between what it holds (less what was carried into it, plus what it
    // already carried out) and what it should hold goes, once, into the first open day; the cursor then leaves
    // the closed month, and a later revision of the same day (an import of more late readings) carries only what is new.
    const carriedOut = closed.size === 0 ? new Map<string, number>() : new Map((await tx.query<{ day: string; width: string; length: string; pages: number }>(
      `SELECT day::text AS day, width::text AS width, length::text AS length, pages FROM closed_day_carries
        WHERE feed_id = $1 AND day >= $2::date AND day <= $3::date`,
      [chunk.feedId, firstDay, lastDay],
    )).map((r) => [`${r.day}\u0000${sizeKey(r)}`, Number(r.pages)]));
    const carry = new Map<string, { size: PaperSizeText; pages: number }>();
    for (const key of new Set([...computed.keys(), ...existing.keys(), ...carriedOut.keys()])) {
      const day = key.slice(0, 10);
      if (!closed.has(day.slice(0, 7)) || day > lastDay) continue;
      const was = existing.get(key);
      const size = computed.get(key)?.size ?? (was ? { width: was.width, length: was.length } : sizeOfKey(key));
      const diff = (computed.get(key)?.pages ?? 0) - (was ? was.pages - was.carried_pages : 0) - (carriedOut.get(key) ?? 0);
      if (diff === 0) continue;
      const entry = carry.get(sizeKey(size)) ?? { size, pages: 0 };
      entry.pages += diff;
      carry.set(sizeKey(size), entry);
      await tx.query(
        `INSERT INTO closed_day_carries (feed_id, account_id, day, width, length, pages) VALUES ($1, $2, $3::date, $4::numeric, $5::numeric, $6)
         ON CONFLICT (feed_id, day, width, length) DO UPDATE SET pages = closed_day_carries.pages + EXCLUDED.pages`,
        [chunk.feedId, chunk.accountId, day, size.width, size.length, diff],
      );
    }
    let carried = 0;
    for (const { pages } of carry.values()) carried += pages;

    let pagesChanged = 0;
    const monthDeltas = new Map<string, number>();
    /** Writes one (day, size): its computed pages (or, outside the chunk, what it already holds) plus what it carries. */
    const settleDay = async (day: string, key: string, outside: boolean) => {
      const was = existing.get(key);
      const now_ = computed.get(key);
      const size = now_?.size ?? (was ? { width: was.width, length: was.length } : carry.get(key.slice(11))!.size);
      let carriedPages = (was?.carried_pages ?? 0) + (day === firstOpenDay ? carry.get(sizeKey(size))?.pages ?? 0 : 0);
      if (carriedPages < 0) {
        chunk.anomalies.push({
          deviceId: '*', kind: 'negative_revision', day, at: Date.parse(`${day}T00:00:00Z`), pages: -carriedPages,
          detail: `a revision of a closed month removed ${-carriedPages} pages more than the open month held; not taken back`,
        });
        carriedPages = 0;
      }
      const own = outside ? (was ? was.pages - was.carried_pages : 0) : now_?.pages ?? 0;
      const bounded = withinDepositBound(own + carriedPages);
      if (bounded.held > 0) {
        chunk.anomalies.push({
          deviceId: '*', kind: 'deposit_bound', day, at: Date.parse(`${day}T00:00:00Z`), pages: bounded.held,
          detail: `pages carried from closed months would take the deposit of ${day} past ${MAX_PAGES.toLocaleString('en-US')} pages (the bound on one deposit): ${bounded.held.toLocaleString('en-US')} pages held back, not deposited`,
        });
        carriedPages -= bounded.held;
      }
      const pages = bounded.pages;
      if (was ? was.pages === pages && was.carried_pages === carriedPages : pages === 0) return;
      const std = pages === 0 ? 0 : standardPagesFor(pages, size);
      if (pages === 0) {
        if (was) await recordDepositEvent(tx, 'deposit.deleted', was.id);
        if (was) await tx.query(`DELETE FROM deposits WHERE id = $1`, [was.id]);
      } else if (was) {
        await tx.query(`UPDATE deposits SET pages = $2, standard_pages = $3, carried_pages = $4 WHERE id = $1`, [was.id, pages, std, carriedPages]);
        await recordDepositEvent(tx, 'deposit.updated', was.id);
      } else {
        const id = crypto.randomUUID();
        await tx.query(
          `INSERT INTO deposits (id, account_id, feed_id, date, day, pages, width, length, density, standard_pages, carried_pages, created_at)
           VALUES ($1, $2, $3, $4, $5::date, $6, $7::numeric, $8::numeric, 75, $9, $10, $11)`,
          [id, chunk.accountId, chunk.feedId, new Date(`${day}T00:00:00Z`), day, pages, size.width, size.length, std, carriedPages, now],
        );
        await recordDepositEvent(tx, 'deposit.created', id);
      }
      const delta = std - (was?.standard_pages ?? 0);
      pagesChanged += pages - (was?.pages ?? 0);
      monthDeltas.set(day.slice(0, 7), (monthDeltas.get(day.slice(0, 7)) ?? 0) + delta);
    };
    for (const day of eachDay(firstDay, lastDay)) {
      if (closed.has(day.slice(0, 7))) continue;
      const keys = new Set([...computed.keys(), ...existing.keys()].filter((k) => k.startsWith(`${day}\u0000`)));
      if (day === firstOpenDay) for (const size of carry.keys()) keys.add(`${day}\u0000${size}`);
      for (const key of keys) await settleDay(day, key, false);
    }
    // A carry into a day past this chunk (a backfill through closed months): added to what that day holds.
    if (carryOutside) for (const size of carry.keys()) await settleDay(firstOpenDay, `${firstOpenDay}\u0000${size}`, true);
    for (const [month, delta] of monthDeltas) await addMonthlyPages(tx, account.path, `${month}-01`, delta);

    const lastReadingAt = Math.max(feed.last_reading_at?.getTime() ?? 0, chunk.lastReadingAt ?? 0) || null;
    const next = nextWindowStart({
      current: chunk.windowStart, chunkEnd: chunk.to, final: chunk.final, now,
      lastReadingAt: lastReadingAt === null ? null : new Date(lastReadingAt),
      firstOpenDay: new Date(`${firstOpenDay}T00:00:00Z`), policy,
    });

    if (chunk.devices.length > 0) await writeDevices(tx, chunk, next.getTime());
    if (chunk.anomalies.length > 0) await writeAnomalies(tx, chunk, now);

    const health = healthAfterCollection(lastReadingAt === null ? null : new Date(lastReadingAt), now);
    await tx.query(
      `UPDATE feeds SET window_start = $2, last_collected_at = $3, last_reading_at = $4, last_error = NULL,
          external_name = coalesce($5, external_name),
          health_check_changed_at = CASE WHEN health_check <> $6 THEN $3 ELSE health_check_changed_at END,
          health_check = $6, health_check_checked_at = $3,
          lease_until = now() + make_interval(secs => $7)
        WHERE id = $1`,
      [chunk.feedId, next, now, lastReadingAt === null ? null : new Date(lastReadingAt), chunk.externalName, health, leaseSeconds],
    );
    if (feed.health_check !== health) await recordFeedHealth(tx, chunk.feedId, feed.health_check);
    return { written: true, nextWindowStart: next, pagesChanged, pagesRead, carried, health };
  });
}

async function writeDevices(tx: Queryable, chunk: CollectedChunk, next: number): Promise<void> {
  const rows = chunk.devices.map((d) => {
    const base = d.checkpointBefore(next);
    return [
      d.deviceId, d.entityId, d.managed, d.initialCount, d.latest?.count ?? null, d.latest?.life ?? 0,
      d.firstReadAt === null ? null : new Date(d.firstReadAt).toISOString(),
      d.latest === null ? null : new Date(d.latest.at).toISOString(),
      base?.count ?? null, base === null ? null : new Date(base.at).toISOString(), base?.life ?? 0,
    ];
  });
  const column = (i: number) => rows.map((r) => r[i]);
  await tx.query(
    `INSERT INTO feed_devices (feed_id, account_id, device_id, entity_id, managed, initial_count, latest_count, life_count,
        first_read_at, latest_read_at, base_count, base_read_at, base_life)
     SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::boolean[], $6::bigint[], $7::bigint[], $8::bigint[],
        $9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::timestamptz[], $13::bigint[])
     ON CONFLICT (feed_id, device_id) DO UPDATE SET
        entity_id = coalesce(EXCLUDED.entity_id, feed_devices.entity_id),
        managed = coalesce(EXCLUDED.managed, feed_devices.managed),
        initial_count = coalesce(feed_devices.initial_count, EXCLUDED.initial_count),
        first_read_at = coalesce(feed_devices.first_read_at, EXCLUDED.first_read_at),
        latest_count = coalesce(EXCLUDED.latest_count, feed_devices.latest_count),
        latest_read_at = coalesce(EXCLUDED.latest_read_at, feed_devices.latest_read_at),
        life_count = EXCLUDED.life_count,
        base_count = EXCLUDED.base_count, base_read_at = EXCLUDED.base_read_at, base_life = EXCLUDED.base_life`,
    [chunk.feedId, chunk.accountId, ...Array.from({ length: 11 }, (_, i) => column(i))],
  );
}

async function writeAnomalies(tx: Queryable, chunk: CollectedChunk, now: Date): Promise<void> {
  // One row per (device, kind, reading): a chunk may meet the same one twice (duplicate reads).
  const list = [...new Map(chunk.anomalies.map((a) => [`${a.deviceId}\u0000${a.kind}\u0000${a.at}`, a])).values()];
  await tx.query(
    `INSERT INTO collection_anomalies (id, feed_id, account_id, device_id, kind, day, read_at, detail, pages, created_at)
     SELECT id, $1, $2, device_id, kind, day, read_at, detail, pages, $3
       FROM unnest($4::uuid[], $5::text[], $6::text[], $7::date[], $8::timestamptz[], $9::text[], $10::bigint[])
         AS a(id, device_id, kind, day, read_at, detail, pages)
     ON CONFLICT (feed_id, device_id, kind, read_at) DO UPDATE SET detail = EXCLUDED.detail, pages = EXCLUDED.pages`,
    [
      chunk.feedId, chunk.accountId, now,
      list.map(() => crypto.randomUUID()), list.map((a) => a.deviceId), list.map((a) => a.kind), list.map((a) => a.day),
      list.map((a) => new Date(a.at).toISOString()), list.map((a) => a.detail), list.map((a) => a.pages),
    ],
  );
}
