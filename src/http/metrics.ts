// /metrics for operators (prom-client): request counts and latency histograms by route and status, process
// metrics, and every series other modules register (src/metrics/registry.ts). Behind a key on the API port,
// or served alone on a separate listener (CANOPY_METRICS_PORT).
import http from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/database.ts';
import { hashKey, principalForKey } from '../keys/api-keys.ts';
import { collectProcessMetrics, exposition, metrics } from '../metrics/registry.ts';
import { keyFromAuthorization } from './auth.ts';
import { Unauthorized } from './errors.ts';

const requests = () =>
  metrics.counter({ name: 'canopy_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'] });
const latency = () =>
  metrics.histogram({
    name: 'canopy_http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

/** Whether the request may read /metrics: the metrics key, or an API key of the installation's admin account. */
async function mayReadMetrics(db: Database, metricsKey: string | null, request: FastifyRequest): Promise<boolean> {
  const given = keyFromAuthorization(request.headers.authorization);
  if (!given) return false;
  // Compared as hashes: equal length, so the comparison time says nothing about the key.
  if (metricsKey !== null && hashKey(given) === hashKey(metricsKey)) return true;
  const principal = await principalForKey(db, given);
  return principal?.account.role === 'admin';
}

export const metricsPlugin = fp(async (app: FastifyInstance, opts: { db: Database; metricsKey: string | null }) => {
  collectProcessMetrics();
  const counted = requests();
  const timed = latency();
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids would make a series per record.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    counted.inc(labels);
    timed.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!(await mayReadMetrics(opts.db, opts.metricsKey, request))) {
      throw new Unauthorized('metrics need Authorization: Bearer <CANOPY_METRICS_KEY> or an API key of the admin account');
    }
    const { contentType, body } = await exposition();
    reply.header('content-type', contentType);
    return body;
  });
});

/** A listener that serves only /metrics, without a key (bind it where only the scraper reaches). */
export async function startMetricsListener(port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  collectProcessMetrics();
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      send(404, 'application/json; charset=utf-8', JSON.stringify({ code: 404, error: 'only GET /metrics is served here' }));
      return;
    }
    exposition().then(
      ({ contentType, body }) => send(200, contentType, body),
      () => send(500, 'application/json; charset=utf-8', JSON.stringify({ code: 500, error: 'Internal server error' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
