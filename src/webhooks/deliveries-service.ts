// An endpoint's delivery log (status, response code, duration, attempts) and resending any event.
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { getEndpoint } from './endpoints-service.ts';

export interface AttemptRow {
  attempted_at: Date;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivering' | 'succeeded' | 'failed';
  attempts: number;
  response_status: number | null;
  duration_ms: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  log: AttemptRow[];
}

const SELECT_DELIVERY = `SELECT d.id, d.endpoint_id, d.event_id, ev.type AS event_type, d.status, d.attempts, d.response_status, d.duration_ms,
    d.last_error, d.last_attempt_at, CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.delivered_at, d.created_at,
    coalesce((SELECT jsonb_agg(jsonb_build_object('attempted_at', a.attempted_at, 'response_status', a.response_status,
        'duration_ms', a.duration_ms, 'error', a.error) ORDER BY a.attempted_at) FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS log
  FROM webhook_deliveries d JOIN outbound_events ev ON ev.id = d.event_id`;

/** Newest first. */
export async function listDeliveries(db: Queryable, account: AccountRef, endpointId: string, page: PageRequest): Promise<DeliveryRow[]> {
  await getEndpoint(db, account, endpointId);
  const limit = limitClause(page, 2);
  return db.query<DeliveryRow>(`${SELECT_DELIVERY} WHERE d.endpoint_id = $1 ORDER BY d.created_at DESC, d.id ${limit.sql}`, [endpointId, ...limit.params]);
}

export async function getDelivery(db: Queryable, account: AccountRef, id: string): Promise<DeliveryRow> {
  const rows = await db.query<DeliveryRow>(`${SELECT_DELIVERY} WHERE d.id = $1 AND d.account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Webhook delivery');
  return rows[0];
}

/** Sends the event again, with the same webhook-id, as soon as the outbound job runs; a new three-day period starts. */
export async function resendDelivery(db: Queryable, account: AccountRef, id: string, now: Date): Promise<DeliveryRow> {
  const rows = await db.query(
    `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, period_started_at = $3, lease_until = NULL
      WHERE id = $1 AND account_id = $2 AND status <> 'delivering' RETURNING id`,
    [id, account.id, now],
  );
  if (rows.length === 0) await getDelivery(db, account, id);
  return getDelivery(db, account, id);
}
