import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { metrics } from '../metrics/registry.ts';
import { startMetricsListener } from './metrics.ts';

describe(`/metrics for operators (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answers 401 without a key and with a customer\'s key; the admin account\'s key reads it', async () => {
    const customer = await t.account('Metrics customer', { key: (await t.account('Metrics dealer')).key });
    for (const key of [null, customer.key, 'not-a-key-at-all-000']) {
      const res = await t.call('/metrics', { key });
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body)).toEqual({
        code: 401, error: 'metrics need Authorization: Bearer <CANOPY_METRICS_KEY> or an API key of the admin account',
      });
    }
    await t.call('/v1/account', { key: customer.key });
    const res = await t.call('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    // Latency histograms and counts by route pattern (never a raw id), and Node's process metrics.
    expect(res.body).toMatch(/canopy_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/v1\/account",status="200"\} \d+/);
    expect(res.body).toMatch(/canopy_http_requests_total\{method="GET",route="\/v1\/account",status="200"\} \d+/);
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toContain('nodejs_eventloop_lag_seconds');
    expect(res.body).not.toContain(customer.id);
  });

  it('opens to CANOPY_METRICS_KEY, and shows series other modules register', async () => {
    const app = await buildApp({ db: t.db, config: loadConfig({ CANOPY_METRICS_KEY: 'scraper_secret_key_123' }), clock: t.clock.read });
    const pages = metrics.counter({ name: 'canopy_test_collected_pages_total', help: 'pages a test collected', labelNames: ['feed_type'] });
    pages.inc({ feed_type: 'printtracker' }, 42);
    // Registering the same series again (a second app, a reloaded module) hands back the same one.
    expect(metrics.counter({ name: 'canopy_test_collected_pages_total', help: 'pages a test collected', labelNames: ['feed_type'] })).toBe(pages);
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scraper_secret_key_123' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('canopy_test_collected_pages_total{feed_type="printtracker"} 42');
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scraper_secret_key_124' } })).statusCode).toBe(401);
    await app.close();
  });

  it('serves /metrics alone, without a key, on a separate listener', async () => {
    const listener = await startMetricsListener(0, '127.0.0.1');
    try {
      const res = await fetch(listener.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('canopy_http_requests_total');
      const other = await fetch(listener.url.replace('/metrics', '/v1/account'));
      expect(other.status).toBe(404);
      expect(await other.json()).toEqual({ code: 404, error: 'only GET /metrics is served here' });
    } finally {
      await listener.close();
    }
  });
});
