// Webhook endpoints of an account: URL (guarded like server URLs), events wanted, a secret shown once and rotated with overlap.
import crypto from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { InvalidInput, NotFound } from '../domain/errors.ts';
import { RefusedUpstream, checkUpstreamUrl } from '../connectors/http/address-guard.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import type { SecretBox } from '../integrations/secrets.ts';
import { EVENT_TYPES, type EventType } from '../outbound/event-types.ts';
import { newSigningSecret } from './signing.ts';

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_HOURS = 24;
export const MAX_ENDPOINTS_PER_ACCOUNT = 50;

export interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  events: EventType[];
  status: 'enabled' | 'disabled';
  failing_since: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id, account_id, url, description, events, status, failing_since, disabled_at, disabled_reason, previous_secret_expires_at, created_at`;

export interface EndpointDeps {
  db: Database;
  secrets: SecretBox;
  allowPrivate: boolean;
}

export interface EndpointInput {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

async function checkedUrl(raw: string, allowPrivate: boolean): Promise<string> {
  try {
    return (await checkUpstreamUrl(raw, allowPrivate, 'url')).toString();
  } catch (error) {
    if (error instanceof RefusedUpstream) throw new InvalidInput('url', error.message.replace(/^url /, ''));
    throw error;
  }
}

function checkedEvents(events: string[]): EventType[] {
  if (events.length === 0) throw new InvalidInput('events', `must name at least one of ${EVENT_TYPES.join(', ')}`);
  const unknown = events.find((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown !== undefined) throw new InvalidInput('events', `has "${unknown}"; events are ${EVENT_TYPES.join(', ')}`);
  return [...new Set(events)] as EventType[];
}

export async function listEndpoints(db: Queryable, account: AccountRef, page: PageRequest): Promise<EndpointRow[]> {
  const limit = limitClause(page, 2);
  return db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE account_id = $1 ORDER BY created_at DESC, id ${limit.sql}`, [account.id, ...limit.params]);
}

export async function getEndpoint(db: Queryable, account: AccountRef, id: string): Promise<EndpointRow> {
  const rows = await db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1 AND account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Webhook endpoint');
  return rows[0];
}

export async function createEndpoint(deps: EndpointDeps, account: AccountRef, input: EndpointInput, now: Date): Promise<EndpointRow & { secret: string }> {
  if (input.url === undefined) throw new InvalidInput('url', 'is required');
  if (input.events === undefined) throw new InvalidInput('events', 'is required');
  const url = await checkedUrl(input.url, deps.allowPrivate);
  const events = checkedEvents(input.events);
  const [{ n }] = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE account_id = $1`, [account.id]);
  if (n >= MAX_ENDPOINTS_PER_ACCOUNT) throw new InvalidInput('url', `cannot be added: an account has at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints`);
  const id = crypto.randomUUID();
  const secret = newSigningSecret();
  await deps.db.query(
    `INSERT INTO webhook_endpoints (id, account_id, account_path, url, description, events, secret_ciphertext, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, account.id, account.path, url, input.description?.trim() || null, events, deps.secrets.seal(secret, id), now],
  );
  return { ...(await getEndpoint(deps.db, account, id)), secret };
}

export async function updateEndpoint(deps: EndpointDeps, account: AccountRef, id: string, input: EndpointInput): Promise<EndpointRow> {
  const current = await getEndpoint(deps.db, account, id);
  const url = input.url === undefined ? current.url : await checkedUrl(input.url, deps.allowPrivate);
  const events = input.events === undefined ? current.events : checkedEvents(input.events);
  const description = input.description === undefined ? current.description : input.description?.trim() || null;
  // Enabling again starts the three-day failure count afresh.
  const enable = input.enabled === true && current.status === 'disabled';
  const disable = input.enabled === false && current.status === 'enabled';
  await deps.db.query(
    `UPDATE webhook_endpoints SET url = $3, events = $4, description = $5,
        status = CASE WHEN $6 THEN 'enabled' WHEN $7 THEN 'disabled' ELSE status END,
        failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
        disabled_at = CASE WHEN $6 THEN NULL WHEN $7 THEN now() ELSE disabled_at END,
        disabled_reason = CASE WHEN $6 THEN NULL WHEN $7 THEN 'disabled by a user' ELSE disabled_reason END
      WHERE id = $1 AND account_id = $2`,
    [id, account.id, url, events, description, enable, disable],
  );
  return getEndpoint(deps.db, account, id);
}

export async function deleteEndpoint(db: Queryable, account: AccountRef, id: string): Promise<void> {
  const rows = await db.query(`DELETE FROM webhook_endpoints WHERE id = $1 AND account_id = $2 RETURNING id`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Webhook endpoint');
}

/** A new secret, shown once; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateEndpointSecret(deps: EndpointDeps, account: AccountRef, id: string, now: Date): Promise<EndpointRow & { secret: string }> {
  await getEndpoint(deps.db, account, id);
  const secret = newSigningSecret();
  await deps.db.query(
    `UPDATE webhook_endpoints SET previous_secret_ciphertext = secret_ciphertext, previous_secret_expires_at = $3, secret_ciphertext = $4
      WHERE id = $1 AND account_id = $2`,
    [id, account.id, new Date(now.getTime() + ROTATION_OVERLAP_HOURS * 3_600_000), deps.secrets.seal(secret, id)],
  );
  return { ...(await getEndpoint(deps.db, account, id)), secret };
}

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export function signingSecrets(
  secrets: SecretBox,
  row: { id: string; secret_ciphertext: string; previous_secret_ciphertext: string | null; previous_secret_expires_at: Date | null },
  now: Date,
): string[] {
  const list = [secrets.open(row.secret_ciphertext, row.id)];
  if (row.previous_secret_ciphertext && row.previous_secret_expires_at && row.previous_secret_expires_at.getTime() > now.getTime()) {
    list.push(secrets.open(row.previous_secret_ciphertext, row.id));
  }
  return list;
}
