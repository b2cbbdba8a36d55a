// Prometheus text metrics: request counts and latency by route and status, and process figures.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

interface Series {
  count: number;
  seconds: number;
}

export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const series = new Map<string, Series>();
  const started = Date.now();
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `method="${request.method}",route="${route}",status="${reply.statusCode}"`;
    const s = series.get(key) ?? { count: 0, seconds: 0 };
    s.count += 1;
    s.seconds += reply.elapsedTime / 1000;
    series.set(key, s);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const lines = [
      '# HELP canopy_http_requests_total HTTP requests answered',
      '# TYPE canopy_http_requests_total counter',
      ...[...series].map(([k, s]) => `canopy_http_requests_total{${k}} ${s.count}`),
      '# HELP canopy_http_request_seconds_sum Time spent answering HTTP requests',
      '# TYPE canopy_http_request_seconds_sum counter',
      ...[...series].map(([k, s]) => `canopy_http_request_seconds_sum{${k}} ${s.seconds.toFixed(6)}`),
      '# TYPE canopy_process_resident_memory_bytes gauge',
      `canopy_process_resident_memory_bytes ${process.memoryUsage().rss}`,
      '# TYPE canopy_process_uptime_seconds gauge',
      `canopy_process_uptime_seconds ${((Date.now() - started) / 1000).toFixed(0)}`,
    ];
    reply.header('content-type', 'text/plain; version=0.0.4');
    return lines.join('\n') + '\n';
  });
});
