// The events Canopy tells the outside world about (webhooks and emails).
export const EVENT_TYPES = [
  'deposit.created',
  'deposit.updated',
  'deposit.deleted',
  'transaction.created',
  'certificate.issued',
  'feed.health_changed',
  'server.health_changed',
  'collection_run.finished',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events that also become emails: recorded whether or not a webhook endpoint wants them. */
export const EMAILED_EVENTS: ReadonlySet<EventType> = new Set(['certificate.issued', 'feed.health_changed', 'server.health_changed']);
