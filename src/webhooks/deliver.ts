// Delivers due webhook deliveries: claims them, POSTs the signed event, logs the attempt, retries or gives up.
import { Agent, request } from 'undici';
import type { Database } from '../db/database.ts';
import { guardedLookup } from '../connectors/http/address-guard.ts';
import type { SecretBox } from '../integrations/secrets.ts';
import { nextAttemptAt, RETRY_PERIOD_MS } from './backoff.ts';
import { signingSecrets } from './endpoints-service.ts';
import { eventBody, type StoredEvent } from './payload.ts';
import { webhookHeaders } from './signing.ts';
import { queueEndpointDisabledEmail } from '../notifications/endpoint-disabled-email.ts';
import type { MailQueue } from '../notifications/queue-mail.ts';

export interface WebhookDeliveryDeps {
  db: Database;
  secrets: SecretBox;
  clock: () => Date;
  random: () => number;
  allowPrivate: boolean;
  timeoutMs: number;
  baseUrl: string;
  /** Emails the owner when an endpoint is disabled. */
  queueMail: MailQueue;
  log: (line: string) => void;
}

/** How long a claimed delivery is ours: a process that dies mid-request leaves it due again after this. */
const LEASE_MS = 5 * 60_000;
const BATCH = 50;
const AT_ONCE = 16;
const MAX_ERROR = 300;

interface Claimed {
  id: string;
  endpoint_id: string;
  attempts: number;
  period_started_at: Date;
  url: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
  event: StoredEvent;
}

interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** One POST: 2xx is success; anything else (3xx too: redirects are not followed), a timeout or a network error is not. */
async function post(dispatcher: Agent, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await request(url, {
      method: 'POST', body, dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      headers: { 'content-type': 'application/json', 'user-agent': 'Canopy-Webhooks/1', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { ok, status: response.statusCode, error: ok ? null : `answered ${response.statusCode}`, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const e = error as Error & { code?: string };
    const reason = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
      ? `no answer within ${timeoutMs} ms`
      : `${e.code ?? e.name}: ${e.message}`;
    return { ok: false, status: null, error: reason.slice(0, MAX_ERROR), durationMs: Math.round(performance.now() - started) };
  }
}

async function claimDue(db: Database, now: Date): Promise<Claimed[]> {
  return db.query<Claimed>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE e.status = 'enabled' AND ((d.status = 'pending' AND d.next_attempt_at <= $1) OR (d.status = 'delivering' AND d.lease_until < $1))
        ORDER BY d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d SET status = 'delivering', lease_until = $3 FROM due, webhook_endpoints e, outbound_events ev
      WHERE d.id = due.id AND e.id = d.endpoint_id AND ev.id = d.event_id
     RETURNING d.id, d.endpoint_id, d.attempts, d.period_started_at, e.url, e.secret_ciphertext, e.previous_secret_ciphertext,
       e.previous_secret_expires_at,
       jsonb_build_object('id', ev.id, 'type', ev.type, 'account_id', ev.account_id, 'resource_id', ev.resource_id, 'data', ev.data,
         'previous', ev.previous, 'occurred_at', ev.occurred_at) AS event`,
    [now, BATCH, new Date(now.getTime() + LEASE_MS)],
  );
}

async function record(deps: WebhookDeliveryDeps, delivery: Claimed, outcome: Outcome, attemptedAt: Date): Promise<void> {
  const attempts = delivery.attempts + 1;
  const next = outcome.ok ? null : nextAttemptAt(attempts, new Date(delivery.period_started_at), attemptedAt, deps.random);
  const status = outcome.ok ? 'succeeded' : next === null ? 'failed' : 'pending';
  const disabled = await deps.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_attempts (id, delivery_id, account_id, attempted_at, response_status, duration_ms, error)
       SELECT gen_random_uuid(), id, account_id, $2, $3, $4, $5 FROM webhook_deliveries WHERE id = $1`,
      [delivery.id, attemptedAt, outcome.status, outcome.durationMs, outcome.error],
    );
    await tx.query(
      `UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = coalesce($4, next_attempt_at), lease_until = NULL,
          last_attempt_at = $5, response_status = $6, duration_ms = $7, last_error = $8,
          delivered_at = CASE WHEN $2 = 'succeeded' THEN $5 ELSE delivered_at END
        WHERE id = $1 AND status = 'delivering'`,
      [delivery.id, status, attempts, next, attemptedAt, outcome.status, outcome.durationMs, outcome.error],
    );
    if (outcome.ok) {
      await tx.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1`, [delivery.endpoint_id]);
      return null;
    }
    // Three days of nothing but failures: the endpoint is disabled, its waiting deliveries end, its owner is told.
    const [endpoint] = await tx.query<{ id: string; account_id: string; url: string; failing_since: Date }>(
      `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING id, account_id, url, failing_since`,
      [delivery.endpoint_id, attemptedAt],
    );
    // A delivery that used up its three days on an endpoint failing since (at least) its start counts as three days too.
    const failingThreeDays = attemptedAt.getTime() - endpoint.failing_since.getTime() >= RETRY_PERIOD_MS;
    const gaveUp = next === null && endpoint.failing_since.getTime() <= new Date(delivery.period_started_at).getTime();
    if (!failingThreeDays && !gaveUp) return null;
    const reason = `every delivery failed for three days (last: ${outcome.error})`;
    const off = await tx.query(
      `UPDATE webhook_endpoints SET status = 'disabled', disabled_at = $2, disabled_reason = $3 WHERE id = $1 AND status = 'enabled' RETURNING id`,
      [endpoint.id, attemptedAt, reason],
    );
    if (off.length === 0) return null;
    await tx.query(
      `UPDATE webhook_deliveries SET status = 'failed', last_error = coalesce(last_error, 'endpoint disabled') WHERE endpoint_id = $1 AND status = 'pending'`,
      [endpoint.id],
    );
    await queueEndpointDisabledEmail(tx, deps.queueMail, { ...endpoint, reason, disabledAt: attemptedAt });
    return endpoint;
  });
  if (disabled) deps.log(`webhook endpoint ${disabled.id} disabled: failing for three days`);
}

/** Sends every delivery due now, a batch at a time; returns how many attempts were made. */
export async function deliverDueWebhooks(deps: WebhookDeliveryDeps): Promise<{ attempts: number; succeeded: number; failed: number }> {
  const dispatcher = new Agent({ connect: { timeout: deps.timeoutMs, ...(deps.allowPrivate ? {} : { lookup: guardedLookup }) } });
  const totals = { attempts: 0, succeeded: 0, failed: 0 };
  try {
    for (;;) {
      const now = deps.clock();
      const batch = await claimDue(deps.db, now);
      if (batch.length === 0) break;
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(AT_ONCE, batch.length) }, async () => {
        while (next < batch.length) {
          const delivery = batch[next++];
          const event = { ...delivery.event, occurred_at: new Date(delivery.event.occurred_at) };
          const body = await eventBody(deps.db, event, deps.baseUrl);
          const attemptedAt = deps.clock();
          const secrets = signingSecrets(deps.secrets, { ...delivery, id: delivery.endpoint_id }, attemptedAt);
          const headers = webhookHeaders(secrets, event.id, Math.floor(attemptedAt.getTime() / 1000), body);
          const outcome = await post(dispatcher, delivery.url, headers, body, deps.timeoutMs);
          await record(deps, delivery, outcome, attemptedAt);
          totals.attempts += 1;
          if (outcome.ok) totals.succeeded += 1;
          else totals.failed += 1;
        }
      }));
    }
  } finally {
    await dispatcher.close().catch(() => {});
  }
  return totals;
}
