// The process's Prometheus registry (prom-client): HTTP, collection and any module add their series here.
import client, { type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

/** Everything /metrics serves. Modules register through the helpers below, never a registry of their own. */
export const registry = new client.Registry();

let processMetrics = false;

/** Node's default process metrics (CPU, memory, event loop lag, GC, handles), once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  client.collectDefaultMetrics({ register: registry });
}

/**
 * Get-or-create: a module may be loaded by several apps in one process (tests, serve + worker), and a
 * series must be registered once. Name series canopy_<area>_<what>_<unit> (e.g. canopy_collection_pages_total).
 */
function existing<T>(name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export const metrics = {
  counter<T extends string>(config: CounterConfiguration<T>): client.Counter<T> {
    return existing<client.Counter<T>>(config.name) ?? new client.Counter({ ...config, registers: [registry] });
  },
  gauge<T extends string>(config: GaugeConfiguration<T>): client.Gauge<T> {
    return existing<client.Gauge<T>>(config.name) ?? new client.Gauge({ ...config, registers: [registry] });
  },
  histogram<T extends string>(config: HistogramConfiguration<T>): client.Histogram<T> {
    return existing<client.Histogram<T>>(config.name) ?? new client.Histogram({ ...config, registers: [registry] });
  },
};

/** The exposition text and its content type, for /metrics. */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
