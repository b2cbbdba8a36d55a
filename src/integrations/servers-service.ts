// Upstream servers a dealer registers: credentials sealed at rest, URLs checked, connection tests and entity lists.
import crypto from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { Conflict, InvalidInput, NotFound, UpstreamUnavailable } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import { RefusedUpstream, checkUpstreamUrl } from '../connectors/http/address-guard.ts';
import { UpstreamError, type UpstreamFailure } from '../connectors/http/upstream-client.ts';
import { PRINTIX_DEFAULT_AUTH_URL, PRINTIX_DEFAULT_URL } from '../connectors/printix/connector.ts';
import { PRINTTRACKER_DEFAULT_URL } from '../connectors/printtracker/connector.ts';
import { SERVER_TYPES, type Connector, type ServerAccess, type ServerType, type UpstreamEntity } from '../connectors/types.ts';
import { SecretUnreadable, type SecretBox } from './secrets.ts';

export interface ServerRow {
  id: string;
  account_id: string;
  type: ServerType;
  url: string;
  label: string | null;
  username: string | null;
  contact: string | null;
  partner_id: string | null;
  auth_url: string | null;
  health_check: 'pending' | 'healthy' | 'unhealthy';
  health_check_checked_at: Date | null;
  health_check_changed_at: Date | null;
  health_check_message: string | null;
  traits: Record<string, unknown>;
  created_at: Date;
}

export const SERVER_COLUMNS = `id, account_id, type, url, label, username, contact, partner_id, auth_url, health_check,
  health_check_checked_at, health_check_changed_at, health_check_message, traits, created_at`;

/** What a dealer sends to register or change a server; undefined = not given. */
export interface ServerInput {
  type?: string;
  label?: string | null;
  url?: string | null;
  username?: string | null;
  password?: string;
  contact?: string | null;
  partner_id?: string | null;
  auth_url?: string | null;
}

export interface IntegrationDeps {
  secrets: SecretBox;
  allowPrivateUpstreams: boolean;
  /** opens a connector for server access (the collection engine's options) */
  connect: (access: ServerAccess) => Connector;
}

const DEFAULT_URLS: Partial<Record<ServerType, string>> = { printtracker: PRINTTRACKER_DEFAULT_URL, printix: PRINTIX_DEFAULT_URL };

function requireType(value: unknown): ServerType {
  if (typeof value === 'string' && (SERVER_TYPES as readonly string[]).includes(value)) return value as ServerType;
  throw new InvalidInput('type', `must be one of the supported server types: ${SERVER_TYPES.join(', ')}`);
}

/** The fields a type needs, checked together: what a save or a test would send upstream. */
async function validated(type: ServerType, merged: Required<Omit<ServerInput, 'type'>>, allowPrivate: boolean) {
  const url = merged.url ?? DEFAULT_URLS[type] ?? null;
  if (url === null) throw new InvalidInput('url', `is required for ${type} servers (the Pharos Cloud address of the tenant)`);
  let origin: URL;
  try {
    origin = await checkUpstreamUrl(url, allowPrivate, 'url');
  } catch (error) {
    if (error instanceof RefusedUpstream) throw new InvalidInput('url', error.message.replace(/^url /, ''));
    throw error;
  }
  const label = merged.label?.trim() || null;
  // A Pharos server's username is only a label for its tenant: the dealer's label serves when none is given.
  const username = merged.username?.trim() || (type === 'pharos' ? label : null);
  if (type === 'printtracker' && (username === null || !/^[0-9a-f]{24}$/i.test(username))) {
    throw new InvalidInput('username', 'must be your Print Tracker dealer (parent) entity ID: 24 hexadecimal characters');
  }
  if (type === 'printtracker' && !isUuid(merged.password)) {
    throw new InvalidInput('password', 'must be your Print Tracker API key: a UUID');
  }
  if (type === 'printix' && username === null) throw new InvalidInput('username', 'must be the Printix OAuth client id');
  if (type === 'printix' && (merged.partner_id === null || merged.partner_id.trim() === '')) {
    throw new InvalidInput('partner_id', 'is required for Printix servers (the partner the client credentials belong to)');
  }
  if (type !== 'printix' && merged.partner_id) throw new InvalidInput('partner_id', 'is only for Printix servers');
  if (type !== 'printix' && merged.auth_url) throw new InvalidInput('auth_url', 'is only for Printix servers');
  let authUrl: string | null = null;
  if (type === 'printix') {
    authUrl = merged.auth_url ?? PRINTIX_DEFAULT_AUTH_URL;
    try {
      await checkUpstreamUrl(authUrl, allowPrivate, 'auth_url');
    } catch (error) {
      if (error instanceof RefusedUpstream) throw new InvalidInput('auth_url', error.message.replace(/^auth_url /, ''));
      throw error;
    }
  }
  if (merged.password === '') throw new InvalidInput('password', 'must not be empty');
  return {
    url: origin.href.replace(/\/$/, ''), label, username, password: merged.password, contact: merged.contact?.trim() || null,
    partner_id: type === 'printix' ? merged.partner_id!.trim() : null, auth_url: authUrl,
  };
}

export async function listServers(db: Queryable, account: AccountRef, page: PageRequest): Promise<ServerRow[]> {
  const limit = limitClause(page, 2);
  return db.query<ServerRow>(
    `SELECT ${SERVER_COLUMNS} FROM servers WHERE account_id = $1 ORDER BY created_at DESC, id ${limit.sql}`,
    [account.id, ...limit.params],
  );
}

export async function getServer(db: Queryable, account: AccountRef, id: string): Promise<ServerRow> {
  const rows = await db.query<ServerRow>(`SELECT ${SERVER_COLUMNS} FROM servers WHERE id = $1 AND account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Server');
  return rows[0];
}

/** The server with its password, for connecting. */
export async function serverAccess(db: Queryable, secrets: SecretBox, id: string): Promise<{ row: ServerRow; access: ServerAccess }> {
  const rows = await db.query<ServerRow & { password_ciphertext: string }>(
    `SELECT ${SERVER_COLUMNS}, password_ciphertext FROM servers WHERE id = $1`, [id],
  );
  if (rows.length === 0) throw new NotFound('Server');
  const { password_ciphertext, ...row } = rows[0];
  try {
    return { row, access: accessOf(row, secrets.open(password_ciphertext, row.id)) };
  } catch (error) {
    if (error instanceof SecretUnreadable) throw new Conflict(`${error.message}; save the server's password again`);
    throw error;
  }
}

function accessOf(row: Pick<ServerRow, 'id' | 'type' | 'url' | 'username' | 'partner_id' | 'auth_url' | 'traits'>, password: string): ServerAccess {
  return {
    id: row.id, type: row.type, url: row.url, username: row.username, password,
    partnerId: row.partner_id, authUrl: row.auth_url, traits: row.traits ?? {},
  };
}

/** A new server's fields, checked (create, or test before saving). */
async function validatedNew(input: ServerInput, allowPrivate: boolean) {
  const type = requireType(input.type);
  if (input.password === undefined) throw new InvalidInput('password', 'is required');
  const fields = await validated(type, {
    label: input.label ?? null, url: input.url ?? null, username: input.username ?? null, password: input.password, contact: input.contact ?? null,
    partner_id: input.partner_id ?? null, auth_url: input.auth_url ?? null,
  }, allowPrivate);
  return { type, fields };
}

export async function createServer(db: Queryable, deps: IntegrationDeps, account: AccountRef, input: ServerInput, now: Date): Promise<ServerRow> {
  const { type, fields } = await validatedNew(input, deps.allowPrivateUpstreams);
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO servers (id, account_id, type, url, username, contact, password_ciphertext, partner_id, auth_url, created_at, label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [id, account.id, type, fields.url, fields.username, fields.contact, deps.secrets.seal(fields.password, id), fields.partner_id, fields.auth_url, now, fields.label],
  );
  return getServer(db, account, id);
}

/** Changes what was given; new credentials or address make the server `pending` until checked again. */
export async function updateServer(db: Queryable, deps: IntegrationDeps, account: AccountRef, id: string, input: ServerInput): Promise<ServerRow> {
  const current = await getServer(db, account, id);
  const { access } = await serverAccess(db, deps.secrets, id).catch(() => ({ access: null }));
  const type = input.type === undefined ? current.type : requireType(input.type);
  if (type !== current.type) {
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feeds WHERE server_id = $1 AND deleted_at IS NULL`, [id]);
    if (n > 0) throw new Conflict(`type cannot change while ${n} feed(s) use this server`);
  }
  if (input.password === undefined && access === null) throw new InvalidInput('password', 'is required: the stored one cannot be decrypted');
  const pick = <K extends keyof ServerInput>(key: K, stored: ServerInput[K]) => (input[key] === undefined ? stored : input[key]);
  const fields = await validated(type, {
    label: pick('label', current.label) ?? null,
    url: pick('url', current.url) ?? null,
    username: pick('username', current.username) ?? null,
    password: input.password ?? access!.password,
    contact: pick('contact', current.contact) ?? null,
    partner_id: pick('partner_id', current.partner_id) ?? null,
    auth_url: type === 'printix' ? pick('auth_url', current.auth_url) ?? null : input.auth_url ?? null,
  }, deps.allowPrivateUpstreams);
  const reach = fields.url !== current.url || fields.username !== current.username || input.password !== undefined
    || fields.partner_id !== current.partner_id || fields.auth_url !== current.auth_url || type !== current.type;
  await db.query(
    `UPDATE servers SET type = $2, url = $3, username = $4, contact = $5, password_ciphertext = $6, partner_id = $7, auth_url = $8, label = $10,
        health_check = CASE WHEN $9 THEN 'pending' ELSE health_check END,
        health_check_message = CASE WHEN $9 THEN NULL ELSE health_check_message END,
        traits = CASE WHEN $9 THEN '{}'::jsonb ELSE traits END
      WHERE id = $1`,
    [id, type, fields.url, fields.username, fields.contact, deps.secrets.seal(fields.password, id), fields.partner_id, fields.auth_url, reach, fields.label],
  );
  return getServer(db, account, id);
}

export async function deleteServer(db: Queryable, account: AccountRef, id: string): Promise<void> {
  await getServer(db, account, id);
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feeds WHERE server_id = $1 AND deleted_at IS NULL`, [id]);
  if (n > 0) throw new Conflict(`server is used by ${n} feed(s): delete them first`);
  // Deleted feeds keep their history (deposits name them); their rows go with the server.
  await db.query(`DELETE FROM feeds WHERE server_id = $1 AND deleted_at IS NOT NULL`, [id]);
  await db.query(`DELETE FROM servers WHERE id = $1`, [id]);
}

export type TestResult = UpstreamFailure | 'ok';

export interface ConnectionTest {
  ok: boolean;
  result: TestResult;
  message: string;
  checked_at: Date;
}

const RESULT_WORDS: Record<TestResult, string> = {
  ok: 'connected and authenticated',
  wrong_credentials: 'the server refused the credentials',
  unreachable: 'the server could not be reached',
  timed_out: 'the server did not answer in time',
  refused_address: 'the address is not one Canopy fetches',
  upstream_error: 'the server answered with an error',
};

/** Connects with the credentials and says what happened; stores nothing. */
export async function testConnection(connector: Connector, now: () => Date): Promise<ConnectionTest> {
  try {
    await connector.check();
    return { ok: true, result: 'ok', message: RESULT_WORDS.ok, checked_at: now() };
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return { ok: false, result: error.failure, message: `${RESULT_WORDS[error.failure]}: ${error.message}`, checked_at: now() };
  } finally {
    await connector.close();
  }
}

/** Tests a server as a dealer is about to save it (nothing stored). */
export async function testUnsavedServer(deps: IntegrationDeps, input: ServerInput, now: () => Date): Promise<ConnectionTest> {
  const { type, fields } = await validatedNew(input, deps.allowPrivateUpstreams);
  const access = accessOf({ id: `unsaved-${crypto.randomUUID()}`, type, url: fields.url, username: fields.username, partner_id: fields.partner_id, auth_url: fields.auth_url, traits: {} }, fields.password);
  return testConnection(deps.connect(access), now);
}

export async function testStoredServer(db: Queryable, deps: IntegrationDeps, account: AccountRef, id: string, now: () => Date): Promise<ConnectionTest> {
  await getServer(db, account, id);
  const { access } = await serverAccess(db, deps.secrets, id);
  return testConnection(deps.connect(access), now);
}

/** Runs one piece of work on a stored server's connector, then closes it; an upstream failure is a 502 saying what happened. */
export async function withServerConnector<T>(db: Queryable, deps: IntegrationDeps, serverId: string, work: (connector: Connector) => Promise<T>): Promise<T> {
  const { access } = await serverAccess(db, deps.secrets, serverId);
  const connector = deps.connect(access);
  try {
    return await work(connector);
  } catch (error) {
    if (error instanceof UpstreamError) throw new UpstreamUnavailable(`${RESULT_WORDS[error.failure]}: ${error.message}`);
    throw error;
  } finally {
    await connector.close();
  }
}

/** The upstream customers (entities, tenants) a feed of this server can map to. */
export async function listEntities(db: Queryable, deps: IntegrationDeps, account: AccountRef, id: string): Promise<UpstreamEntity[]> {
  await getServer(db, account, id);
  const entities = await withServerConnector(db, deps, id, (connector) => connector.entities());
  return entities.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * The upstream's name for an entity, so a feed created without `external_name` still shows one; null when
 * the server cannot say now (the feed is made all the same and keeps its id).
 */
export async function entityName(db: Queryable, deps: IntegrationDeps, serverId: string, externalId: string): Promise<string | null> {
  try {
    const entities = await withServerConnector(db, deps, serverId, (connector) => connector.entities());
    return entities.find((e) => e.id === externalId)?.name ?? null;
  } catch (error) {
    if (error instanceof UpstreamUnavailable || error instanceof Conflict || error instanceof NotFound) return null;
    throw error;
  }
}
