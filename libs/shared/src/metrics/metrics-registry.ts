import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's one Registry, as a class so Nest can inject it by type. It holds prom-client's default
 * process_* and nodejs_* metrics under their standard names (existing Node.js dashboards read them as is).
 */
export class MetricsRegistry extends Registry {}

export function createMetricsRegistry(): MetricsRegistry {
  const registry = new MetricsRegistry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Body of a /metrics response; send it with `registry.contentType` as Content-Type. */
export function metricsText(registry: Registry): Promise<string> {
  return registry.metrics();
}
