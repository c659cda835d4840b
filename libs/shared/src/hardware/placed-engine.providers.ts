import type { Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigService, type AppConfig } from '../config';
import { ROOT_LOGGER } from '../logging';
import { MetricsRegistry } from '../metrics';
import type { ModelCandidate } from './model-plan';
import { countStepDowns } from './step-down-metric';
import type { WorkloadKind } from './tier-table';
import {
  placeWorkerModel,
  WORKER_PLACEMENT,
  type EngineLike,
  type WorkerPlacement,
} from './worker-model-placement';

export interface PlacedEngineOptions<E extends EngineLike> {
  kind: WorkloadKind;
  /** The port token the engine is provided under (ASR_ENGINE, MT_ENGINE). */
  engineToken: symbol;
  load: (dir: string, candidate: ModelCandidate, config: AppConfig) => Promise<E>;
  /** One small request that allocates what a real job needs, so memory pressure shows at start-up. */
  warmUp: (engine: E) => Promise<void>;
}

/**
 * A worker's engine providers: hardware detection, tier/model/precision choice, download on first use and
 * step-down under memory pressure (placeWorkerModel), resolved once; the engine port and WORKER_PLACEMENT
 * are views of the result. With the default config (tier cpu, a configured model) this loads exactly
 * that model on CPU.
 */
export function placedEngineProviders<E extends EngineLike>(opts: PlacedEngineOptions<E>): Provider[] {
  const placed = Symbol(`Placed:${opts.kind}`);
  return [
    {
      provide: placed,
      inject: [ConfigService, MetricsRegistry, ROOT_LOGGER],
      useFactory: (config: ConfigService, registry: Registry, root: Logger) =>
        placeWorkerModel({
          kind: opts.kind,
          config: config.current,
          loadEngine: (dir, candidate) => opts.load(dir, candidate, config.current),
          warmUp: opts.warmUp,
          log: root.child({ component: 'hardware' }),
          onStepDown: countStepDowns(registry, opts.kind),
        }),
    },
    {
      provide: opts.engineToken,
      inject: [placed],
      useFactory: (p: { engine: E; placement: WorkerPlacement }) => p.engine,
    },
    {
      provide: WORKER_PLACEMENT,
      inject: [placed],
      useFactory: (p: { engine: E; placement: WorkerPlacement }) => p.placement,
    },
  ];
}
