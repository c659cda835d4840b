import type { ResilienceConfig } from '../config';
import type { Metrics } from '../metrics';
import { DependencyBreaker } from './circuit-breaker';

export interface BreakerLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * A DependencyBreaker with the `[resilience]` settings, exporting `olt_circuit_open{breaker=name}` (0 from
 * the start, so dashboards and alerts see the series) and logging each state change.
 */
export function breakerFromConfig(opts: {
  name: string;
  description: string;
  timeoutMs: number;
  resilience: ResilienceConfig;
  metrics: Metrics;
  log?: BreakerLog;
}): DependencyBreaker {
  const r = opts.resilience;
  const gauge = opts.metrics.get('circuitOpen');
  return new DependencyBreaker(
    opts.name,
    opts.description,
    {
      timeoutMs: opts.timeoutMs,
      errorPercent: r.breakerErrorPercent,
      minCalls: r.breakerMinCalls,
      windowMs: r.breakerWindowMs,
      resetMs: r.breakerResetMs,
    },
    (name, state) => {
      gauge.set({ breaker: name }, state === 'open' ? 1 : 0);
      if (state === 'open')
        opts.log?.warn({ breaker: name }, `circuit to ${opts.description} opened: failing fast`);
      else if (state === 'closed') opts.log?.info({ breaker: name }, `circuit to ${opts.description} closed`);
    },
  );
}
