import type { Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigService, type AppConfig } from '../config';
import { ROOT_LOGGER } from '../logging';
import { MetricsRegistry } from '../metrics';
import type { InferenceThreadSettings } from '../inference-threads/inference-thread-settings';
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
  /** `log` is for the engine's own events (inference thread crashes and restarts). */
  load: (dir: string, candidate: ModelCandidate, config: AppConfig, log: Logger) => Promise<E>;
  /** One small request that allocates what a real job needs, so memory pressure shows at start-up. */
  warmUp: (engine: E) => Promise<void>;
  /** The resolved thread settings the engine runs with: logged and shown in readiness (`hardware`). */
  threads?: (config: AppConfig) => InferenceThreadSettings;
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
      useFactory: async (config: ConfigService, registry: Registry, root: Logger) => {
        const log = root.child({ component: 'hardware' });
        const engineLog = root.child({ component: 'inference' });
        const placed = await placeWorkerModel({
          kind: opts.kind,
          config: config.current,
          loadEngine: (dir, candidate) => opts.load(dir, candidate, config.current, engineLog),
          warmUp: opts.warmUp,
          log,
          onStepDown: countStepDowns(registry, opts.kind),
        });
        const threads = opts.threads?.(config.current);
        if (threads) {
          placed.placement.inferenceThreads = threads;
          log.info(
            { kind: opts.kind, inferenceThreads: threads },
            `inference: ${threads.engineThreads || 'no'} engine thread(s) ` +
              `(${threads.engineThreads === 0 ? 'ON THE EVENT LOOP' : 'off the event loop'}), ` +
              `${threads.intraOpThreads} intra-op thread(s) each, spinning ${threads.allowSpinning ? 'on' : 'off'}; ` +
              `CPU budget ${threads.cpuBudget.cpus} (${threads.cpuBudget.source})`,
          );
          if (threads.engineThreads === 0 && config.current.queue.lockDurationMs < 30000) {
            log.warn(
              { kind: opts.kind, lockDurationMs: config.current.queue.lockDurationMs },
              'inference runs on the event loop (engine_threads = 0): a batch longer than half of ' +
                'queue.lock_duration_ms loses its job lock and is run twice; raise it to 30000 or use threads',
            );
          }
        }
        return placed;
      },
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
