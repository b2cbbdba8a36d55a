// The body of a webhook delivery: the event's id, type and time, and the resource in its API shape.
import type { Queryable } from '../db/database.ts';
import { getRunById } from '../collection/runs.ts';
import type { FeedRow } from '../integrations/feeds-service.ts';
import type { ServerRow } from '../integrations/servers-service.ts';
import { feedView, runView, serverView } from '../integrations/views.ts';
import { isoTimestamp } from '../http/wire.ts';
import type { CertificateRow } from '../ledger/certificates-service.ts';
import type { DepositRow } from '../ledger/deposits-service.ts';
import type { TransactionRow } from '../ledger/transactions-service.ts';
import { certificateView, depositView, transactionView } from '../ledger/views.ts';
import type { EventType } from '../outbound/event-types.ts';

export interface StoredEvent {
  id: string;
  type: EventType;
  account_id: string;
  resource_id: string;
  data: Record<string, unknown>;
  previous: string | null;
  occurred_at: Date;
}

/** A row as to_jsonb wrote it: timestamps as text, numerics as numbers. */
type Json = Record<string, unknown>;
const asDate = (value: unknown) => new Date(String(value));
const asText = (value: unknown) => String(value);

async function resource(db: Queryable, event: StoredEvent, baseUrl: string): Promise<Json> {
  const d = event.data;
  switch (event.type) {
    case 'deposit.created':
    case 'deposit.updated':
    case 'deposit.deleted':
      return depositView({ ...(d as unknown as DepositRow), date: asDate(d.date), width: asText(d.width), length: asText(d.length) });
    case 'transaction.created':
      return transactionView({ ...(d as unknown as TransactionRow), date: asDate(d.date), trees: asText(d.trees) });
    case 'certificate.issued':
      return certificateView({ ...(d as unknown as CertificateRow), date: asDate(d.date), trees: asText(d.trees) }, baseUrl);
    case 'feed.health_changed':
      return { ...feedView(d as unknown as FeedRow), previous_health_check: event.previous };
    case 'server.health_changed':
      return { ...serverView(d as unknown as ServerRow), previous_health_check: event.previous };
    case 'collection_run.finished':
      return runView(await getRunById(db, event.resource_id));
  }
}

/** The JSON text sent (and signed) for an event: the same bytes on every redelivery. */
export async function eventBody(db: Queryable, event: StoredEvent, baseUrl: string): Promise<string> {
  return JSON.stringify({ id: event.id, type: event.type, timestamp: isoTimestamp(event.occurred_at), data: await resource(db, event, baseUrl) });
}
