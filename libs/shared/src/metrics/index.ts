export * from './metric-definitions';
export { Metrics } from './metrics';
export { createMetricsRegistry, MetricsRegistry, metricsText } from './metrics-registry';
export { MetricsModule, type MetricsModuleOptions } from './metrics.module';
