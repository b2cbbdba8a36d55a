// Collection's series in the process's Prometheus registry (served at /metrics).
import { metrics } from '../metrics/registry.ts';

export const collectionMetrics = {
  feeds: metrics.counter({
    name: 'canopy_collection_feeds_total', help: 'Feeds of runs finished, by upstream type and outcome (collected, failed, offline, waited_for, skipped)',
    labelNames: ['type', 'outcome'] as const,
  }),
  feedSeconds: metrics.histogram({
    name: 'canopy_collection_feed_seconds', help: 'Time to collect one feed, from its cursor to now',
    labelNames: ['type'] as const, buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  }),
  readings: metrics.counter({ name: 'canopy_collection_readings_total', help: 'Upstream readings (meter reads, print jobs) read', labelNames: ['type'] as const }),
  pagesRead: metrics.counter({ name: 'canopy_collection_pages_read_total', help: 'Pages the readings of collected windows computed (re-read days included)', labelNames: ['type'] as const }),
  anomalies: metrics.counter({ name: 'canopy_collection_anomalies_total', help: 'Readings not counted as read: resets, jumps, unreadable counters', labelNames: ['type'] as const }),
  requests: metrics.counter({ name: 'canopy_upstream_requests_total', help: 'Requests sent to upstream servers, retries included', labelNames: ['type'] as const }),
  retries: metrics.counter({ name: 'canopy_upstream_retries_total', help: 'Upstream requests sent again after a network error, timeout, 5xx or 429', labelNames: ['type'] as const }),
  runs: metrics.counter({ name: 'canopy_collection_runs_total', help: 'Collection runs finished, by trigger and status (succeeded, partial, failed)', labelNames: ['trigger', 'status'] as const }),
  serverChecks: metrics.counter({ name: 'canopy_collection_server_checks_total', help: 'Server health checks, by result', labelNames: ['result'] as const }),
};
