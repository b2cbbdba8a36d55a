// Feeds: one customer account mapped to one upstream entity of a dealer's server, with its state and health.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { addDays, monthKey, monthStart, parseLedgerInstant, startOfDay } from '../domain/calendar.ts';
import { initialWindowStart } from '../domain/collection-window.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import type { AccountRef, Principal } from '../keys/api-keys.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { ServerType } from '../connectors/types.ts';
import { breakFeedClaim } from '../collection/claims.ts';

export type FeedHealth = 'pending' | 'healthy' | 'unhealthy' | 'offline';

export type FeedType = ServerType | 'import';

export interface FeedRow {
  id: string;
  account_id: string;
  /** null for import feeds: their readings come from the dealer */
  server_id: string | null;
  type: FeedType;
  external_id: string;
  external_name: string | null;
  collection_scope: 'all' | 'managed_only';
  status: 'active' | 'inactive';
  activated_at: Date | null;
  deactivated_at: Date | null;
  health_check: FeedHealth;
  health_check_checked_at: Date | null;
  health_check_changed_at: Date | null;
  window_start: Date | null;
  last_collected_at: Date | null;
  last_reading_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

export const FEED_COLUMNS = `f.id, f.account_id, f.server_id, f.type, f.external_id, f.external_name, f.collection_scope, f.status,
  f.activated_at, f.deactivated_at, f.health_check, f.health_check_checked_at, f.health_check_changed_at, f.window_start,
  f.last_collected_at, f.last_reading_at, f.last_error, f.created_at`;

/** Finds the upstream's name of an entity, asked only once the server is known to be the caller's to use. */
export type EntityNamer = (serverId: string, externalId: string) => Promise<string | null>;

export interface FeedInput {
  server_id?: string;
  external_id?: string;
  external_name?: string | null;
  type?: string;
  collection_scope?: 'all' | 'managed_only';
  activated_at?: string | null;
}

/** Reverse-chronological by activated_at, as the reference lists feeds; with descendants, every feed below the account too. */
export async function listFeeds(db: Queryable, account: AccountRef, page: PageRequest, includeDescendants = false): Promise<FeedRow[]> {
  const limit = limitClause(page, 4);
  return db.query<FeedRow>(
    `SELECT ${FEED_COLUMNS} FROM feeds f JOIN accounts a ON a.id = f.account_id
      WHERE f.deleted_at IS NULL AND (f.account_id = $1 OR ($2 AND a.path LIKE $3))
      ORDER BY f.activated_at DESC NULLS LAST, f.created_at DESC, f.id ${limit.sql}`,
    [account.id, includeDescendants, `${account.path}%`, ...limit.params],
  );
}

export async function getFeed(db: Queryable, account: AccountRef, id: string): Promise<FeedRow> {
  const rows = await db.query<FeedRow>(
    `SELECT ${FEED_COLUMNS} FROM feeds f WHERE f.id = $1 AND f.account_id = $2 AND f.deleted_at IS NULL`, [id, account.id],
  );
  if (rows.length === 0) throw new NotFound('Feed');
  return rows[0];
}

/** Every live feed on a server the scope account owns, for the dealer's integrations page. */
export async function listServerFeeds(db: Queryable, serverId: string, page: PageRequest): Promise<FeedRow[]> {
  const limit = limitClause(page, 2);
  return db.query<FeedRow>(
    `SELECT ${FEED_COLUMNS} FROM feeds f WHERE f.server_id = $1 AND f.deleted_at IS NULL
      ORDER BY f.activated_at DESC NULLS LAST, f.created_at DESC, f.id ${limit.sql}`,
    [serverId, ...limit.params],
  );
}

/**
 * A server a feed of `account` may use: owned by the account or one of its ancestors, and visible to the
 * caller (inside the key's subtree). Any other server is reported absent.
 */
async function usableServer(db: Queryable, principal: Principal, account: AccountRef, serverId: string) {
  const rows = await db.query<{ id: string; type: ServerType }>(
    `SELECT s.id, s.type FROM servers s JOIN accounts o ON o.id = s.account_id
      WHERE s.id = $1 AND $2 LIKE o.path || '%' AND o.path LIKE $3`,
    [serverId, account.path, `${principal.account.path}%`],
  );
  if (rows.length === 0) throw new NotFound('Server');
  return rows[0];
}

function activationOf(value: string | null | undefined, now: Date): Date {
  if (value === undefined || value === null) return monthStart(monthKey(now));
  return parseLedgerInstant(value, 'activated_at');
}

function requireExternalId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidInput('external_id', 'is required: the upstream entity to collect (see GET /servers/:id/entities)');
  return value.trim();
}

/**
 * Where a feed's collection starts: its activation day, but after the last day a deleted feed of the same
 * upstream entity deposited, so re-creating a feed never deposits those days twice.
 */
async function collectionStart(db: Queryable, serverId: string, externalId: string, activatedAt: Date): Promise<Date> {
  const [covered] = await db.query<{ last: string | null }>(
    `SELECT max(d.day)::text AS last FROM deposits d JOIN feeds f ON f.id = d.feed_id
      WHERE f.server_id = $1 AND f.external_id = $2 AND f.deleted_at IS NOT NULL`,
    [serverId, externalId],
  );
  const start = initialWindowStart(activatedAt);
  if (!covered?.last) return start;
  const after = addDays(startOfDay(new Date(`${covered.last}T00:00:00Z`)), 1);
  return after > start ? after : start;
}

/** An import feed: no server; readings arrive by API, upload or CLI and go through collection's rules. */
async function createImportFeed(db: Database, account: AccountRef, input: FeedInput, now: Date): Promise<FeedRow> {
  if (input.server_id !== undefined) throw new InvalidInput('server_id', 'must be left out for an import feed: its readings come from you, not from a server');
  const activatedAt = activationOf(input.activated_at, now);
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO feeds (id, account_id, server_id, type, external_id, external_name, collection_scope, status, activated_at, window_start, created_at)
     VALUES ($1, $2, NULL, 'import', $3, $4, $5, 'active', $6, $7, $8)`,
    [id, account.id, input.external_id?.trim() || 'import', input.external_name?.trim() || null, input.collection_scope ?? 'all', activatedAt,
      initialWindowStart(activatedAt), now],
  );
  return getFeed(db, account, id);
}

export async function createFeed(
  db: Database, principal: Principal, account: AccountRef, input: FeedInput, now: Date, nameOf?: EntityNamer,
): Promise<FeedRow> {
  if (input.type === 'import') return createImportFeed(db, account, input, now);
  if (input.server_id === undefined) throw new InvalidInput('server_id', 'is required (or type: import, for readings you send yourself)');
  const externalId = requireExternalId(input.external_id);
  const server = await usableServer(db, principal, account, input.server_id);
  if (input.type !== undefined && input.type !== server.type) {
    throw new InvalidInput('type', `must be ${server.type}, the type of server ${server.id} (or left out)`);
  }
  const activatedAt = activationOf(input.activated_at, now);
  const externalName = input.external_name?.trim() || (input.external_name === undefined ? await nameOf?.(server.id, externalId) : null) || null;
  const id = crypto.randomUUID();
  const windowStart = await collectionStart(db, server.id, externalId, activatedAt);
  try {
    await db.query(
      `INSERT INTO feeds (id, account_id, server_id, type, external_id, external_name, collection_scope, status, activated_at,
          window_start, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10)`,
      [id, account.id, server.id, server.type, externalId, externalName, input.collection_scope ?? 'all', activatedAt, windowStart, now],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new Conflict(`external_id ${externalId} already has a feed on this server`);
    throw error;
  }
  return getFeed(db, account, id);
}

/** Forgets what collection learnt (device counters, cursor): the next run starts again from `start`. */
async function restartCollection(tx: Queryable, feedId: string, start: Date): Promise<void> {
  await tx.query(`DELETE FROM feed_devices WHERE feed_id = $1`, [feedId]);
  await tx.query(`UPDATE feeds SET window_start = $2, health_check = 'pending', last_error = NULL WHERE id = $1`, [feedId, start]);
  await breakFeedClaim(tx, feedId);
}

/** Changes what was given. A new entity, server, scope or activation restarts collection from the activation day. */
export async function updateFeed(
  db: Database, principal: Principal, account: AccountRef, id: string, input: FeedInput, nameOf?: EntityNamer,
): Promise<{ feed: FeedRow; restarted: boolean }> {
  const current = await getFeed(db, account, id);
  if (current.server_id === null) return updateImportFeed(db, account, current, input);
  const serverId = input.server_id ?? current.server_id;
  const server = serverId === current.server_id ? { id: serverId, type: current.type } : await usableServer(db, principal, account, serverId);
  if (server.type !== current.type) throw new InvalidInput('server_id', `must be a ${current.type} server, like the feed's type`);
  if (input.type !== undefined && input.type !== current.type) throw new InvalidInput('type', `cannot change (${current.type}); create a new feed`);
  const externalId = input.external_id === undefined ? current.external_id : requireExternalId(input.external_id);
  const scope = input.collection_scope ?? current.collection_scope;
  const entityChanged = externalId !== current.external_id || serverId !== current.server_id;
  const externalName = input.external_name !== undefined ? input.external_name?.trim() || null
    : entityChanged ? (await nameOf?.(serverId, externalId)) ?? null : current.external_name;
  const activatedAt = input.activated_at === undefined ? current.activated_at : activationOf(input.activated_at, new Date());
  const restarted = serverId !== current.server_id || externalId !== current.external_id || scope !== current.collection_scope
    || (activatedAt?.getTime() ?? null) !== (current.activated_at?.getTime() ?? null);
  await db.transaction(async (tx) => {
    try {
      await tx.query(
        `UPDATE feeds SET server_id = $2, external_id = $3, external_name = $4, collection_scope = $5, activated_at = $6 WHERE id = $1`,
        [id, serverId, externalId, externalName, scope, activatedAt],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new Conflict(`external_id ${externalId} already has a feed on this server`);
      throw error;
    }
    if (restarted && activatedAt) await restartCollection(tx, id, await collectionStart(tx, serverId, externalId, activatedAt));
  });
  return { feed: await getFeed(db, account, id), restarted };
}

/** An import feed keeps its readings: a new scope or activation recomputes its deposits on the next import. */
async function updateImportFeed(db: Database, account: AccountRef, current: FeedRow, input: FeedInput): Promise<{ feed: FeedRow; restarted: boolean }> {
  if (input.server_id !== undefined) throw new InvalidInput('server_id', 'cannot be set on an import feed; create a feed of the server instead');
  if (input.type !== undefined && input.type !== 'import') throw new InvalidInput('type', 'cannot change (import); create a new feed');
  const scope = input.collection_scope ?? current.collection_scope;
  const activatedAt = input.activated_at === undefined ? current.activated_at : activationOf(input.activated_at, new Date());
  const restarted = scope !== current.collection_scope || (activatedAt?.getTime() ?? null) !== (current.activated_at?.getTime() ?? null);
  await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE feeds SET external_id = $2, external_name = $3, collection_scope = $4, activated_at = $5 WHERE id = $1`,
      [current.id, input.external_id?.trim() || current.external_id, input.external_name === undefined ? current.external_name : input.external_name?.trim() || null, scope, activatedAt],
    );
    if (restarted && activatedAt) await restartCollection(tx, current.id, initialWindowStart(activatedAt));
  });
  return { feed: await getFeed(db, account, current.id), restarted };
}

export async function activateFeed(db: Database, account: AccountRef, id: string, activatedAt: string | null | undefined, now: Date): Promise<FeedRow> {
  const current = await getFeed(db, account, id);
  const at = activatedAt === undefined || activatedAt === null ? now : parseLedgerInstant(activatedAt, 'activated_at');
  await db.transaction(async (tx) => {
    await tx.query(`UPDATE feeds SET status = 'active', activated_at = $2 WHERE id = $1`, [id, at]);
    const start = current.server_id === null ? initialWindowStart(at) : await collectionStart(tx, current.server_id, current.external_id, at);
    await restartCollection(tx, id, start);
  });
  return getFeed(db, account, id);
}

export async function deactivateFeed(db: Queryable, account: AccountRef, id: string, now: Date): Promise<FeedRow> {
  await getFeed(db, account, id);
  await db.query(`UPDATE feeds SET status = 'inactive', deactivated_at = $2 WHERE id = $1`, [id, now]);
  await breakFeedClaim(db, id);
  return getFeed(db, account, id);
}

/** Stops the feed for good. Its deposits stay in the ledger (they were printed); its device counters go. */
export async function deleteFeed(db: Database, account: AccountRef, id: string, now: Date): Promise<void> {
  await getFeed(db, account, id);
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM feed_devices WHERE feed_id = $1`, [id]);
    await tx.query(
      `UPDATE feeds SET deleted_at = $2, status = 'inactive', deactivated_at = coalesce(deactivated_at, $2) WHERE id = $1`,
      [id, now],
    );
    await breakFeedClaim(tx, id);
  });
}

export interface DeviceRow {
  device_id: string;
  managed: boolean | null;
  initial_count: number | null;
  latest_count: number | null;
  life_count: number;
  first_read_at: Date | null;
  latest_read_at: Date | null;
  anomalies: number;
}

export async function listDevices(db: Queryable, account: AccountRef, feedId: string, page: PageRequest): Promise<DeviceRow[]> {
  await getFeed(db, account, feedId);
  const limit = limitClause(page, 2);
  return db.query<DeviceRow>(
    `SELECT d.device_id, d.managed, d.initial_count, d.latest_count, d.life_count, d.first_read_at, d.latest_read_at,
        (SELECT count(*)::int FROM collection_anomalies a WHERE a.feed_id = d.feed_id AND a.device_id = d.device_id) AS anomalies
       FROM feed_devices d WHERE d.feed_id = $1 ORDER BY d.device_id ${limit.sql}`,
    [feedId, ...limit.params],
  );
}

export interface AnomalyRow {
  id: string;
  feed_id: string;
  device_id: string;
  kind: string;
  day: string;
  read_at: Date;
  detail: string;
  pages: number | null;
  created_at: Date;
}

export async function listAnomalies(db: Queryable, account: AccountRef, feedId: string, page: PageRequest): Promise<AnomalyRow[]> {
  await getFeed(db, account, feedId);
  const limit = limitClause(page, 2);
  return db.query<AnomalyRow>(
    `SELECT id, feed_id, device_id, kind, day::text AS day, read_at, detail, pages, created_at FROM collection_anomalies
      WHERE feed_id = $1 ORDER BY read_at DESC, id ${limit.sql}`,
    [feedId, ...limit.params],
  );
}
