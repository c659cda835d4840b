import { Counter, type Registry } from 'prom-client';
import { METRIC_DEFINITIONS } from '../metrics/metric-definitions';
import type { StepDown } from './model-step-down';
import type { WorkloadKind } from './tier-table';

/**
 * olt_worker_model_stepdowns_total on a registry, from its shared definition. (Metrics has no typed getter
 * for it yet; this does the same lookup-or-register.)
 */
export function modelStepDownCounter(registry: Registry): Counter<'kind' | 'from' | 'to'> {
  const def = METRIC_DEFINITIONS.modelStepdowns;
  const existing = registry.getSingleMetric(def.name);
  if (existing) return existing as Counter<'kind' | 'from' | 'to'>;
  return new Counter({ name: def.name, help: def.help, labelNames: def.labelNames, registers: [registry] });
}

/** The `onStepDown` hook that counts each step. */
export function countStepDowns(registry: Registry, kind: WorkloadKind): (step: StepDown) => void {
  const counter = modelStepDownCounter(registry);
  return (step) => counter.inc({ kind, from: step.from, to: step.to });
}
