import { type CpuBudget, readCpuBudget } from '../hardware/cpu-budget';
import type { EngineThreadEvent } from './engine-thread-pool';

/** The [asr] / [translate] keys about threads, as the config schema gives them. */
export interface InferenceThreadConfig {
  engineThreads: number;
  intraOpThreads: number;
  interOpThreads: number;
  allowSpinning: boolean | 'auto';
  inferenceTimeoutMs: number;
}

/** What a worker runs with, every "auto" resolved (logged at start and shown in /readyz). */
export interface InferenceThreadSettings {
  /** Worker threads running the engine; 0 = on the event loop (comparison and debugging only). */
  engineThreads: number;
  /** ONNX Runtime threads inside one operator, per session. */
  intraOpThreads: number;
  /** ONNX Runtime threads running independent operators at once; 1 = sequential execution. */
  interOpThreads: number;
  /** Whether ORT's idle pool threads busy-wait for work (session.intra_op/inter_op.allow_spinning). */
  allowSpinning: boolean;
  inferenceTimeoutMs: number;
  cpuBudget: CpuBudget;
}

/**
 * Fills the "auto" values from the CPU budget: each engine thread gets an equal share of the budget for its
 * intra-op pool (at least 1), so that all sessions together use the quota and no more. Spinning is left on
 * only when a CPU stays free beyond the ORT threads: spinning threads burn the quota that the event loop
 * (locks, heartbeats, health) and the other processes need, and under a CFS quota they get the whole
 * container throttled.
 */
export function resolveInferenceThreads(
  config: InferenceThreadConfig,
  budget: CpuBudget = readCpuBudget(),
): InferenceThreadSettings {
  const engines = Math.max(1, config.engineThreads);
  const intraOpThreads =
    config.intraOpThreads > 0 ? config.intraOpThreads : Math.max(1, Math.floor(budget.cpus / engines));
  const ortThreads = engines * (intraOpThreads + config.interOpThreads - 1);
  return {
    engineThreads: config.engineThreads,
    intraOpThreads,
    interOpThreads: config.interOpThreads,
    allowSpinning: config.allowSpinning === 'auto' ? ortThreads < budget.cpus : config.allowSpinning,
    inferenceTimeoutMs: config.inferenceTimeoutMs,
    cpuBudget: budget,
  };
}

interface ThreadEventLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Engine load options from the resolved settings; thread crashes, deadline kills and restarts are logged. */
export function engineThreadOptions(settings: InferenceThreadSettings, log: ThreadEventLog) {
  return {
    engineThreads: settings.engineThreads,
    inferenceTimeoutMs: settings.inferenceTimeoutMs,
    intraOpThreads: settings.intraOpThreads,
    interOpThreads: settings.interOpThreads,
    allowSpinning: settings.allowSpinning,
    onThreadEvent: (event: EngineThreadEvent) => {
      const line = `inference thread ${event.thread} ${event.type}: ${event.message}`;
      if (event.type === 'restarted') log.info({ inferenceThread: event }, line);
      else log.warn({ inferenceThread: event }, line);
    },
  };
}
