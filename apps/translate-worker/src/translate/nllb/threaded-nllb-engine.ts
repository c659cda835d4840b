import { join } from 'node:path';
import {
  EngineThreadPool,
  type EngineThreading,
  type ModelInfo,
  type MtEngine,
  type MtRequest,
  type MtResult,
  threadPoolOptions,
} from '@olt/shared';
import { type NllbLoadOptions, NllbOnnxEngine } from './nllb-onnx-engine';

/** Sent by the thread once the model has loaded. */
export interface NllbDescription {
  info: ModelInfo;
  languages: string[];
}

/**
 * NllbOnnxEngine in a pool of worker threads, behind the MtEngine port. Requests are text, so they cross by
 * structured clone (a few hundred bytes); nothing large needs a transfer list.
 */
export class ThreadedNllbEngine implements MtEngine {
  private constructor(private readonly pool: EngineThreadPool<NllbDescription>) {}

  static async load(
    dir: string,
    options: NllbLoadOptions,
    threading: EngineThreading = {},
  ): Promise<ThreadedNllbEngine> {
    const entry = join(__dirname, 'nllb-engine.thread.js');
    const pool = await EngineThreadPool.start<NllbDescription>(
      threadPoolOptions('nllb', entry, { dir, options }, threading),
    );
    return new ThreadedNllbEngine(pool);
  }

  get info(): ModelInfo {
    return this.pool.engine.info;
  }

  get languages(): readonly string[] {
    return this.pool.engine.languages;
  }

  translate(batch: MtRequest[]): Promise<MtResult[]> {
    return this.pool.call<MtResult[]>('translate', batch);
  }

  dispose(): Promise<void> {
    return this.pool.close();
  }
}

/** The worker's NLLB engine: in inference threads, or on the event loop when engineThreads is 0. */
export function loadNllbEngine(dir: string, options: NllbLoadOptions & EngineThreading): Promise<MtEngine> {
  const { engineThreads, inferenceTimeoutMs, onThreadEvent, ...load } = options;
  return engineThreads === 0
    ? NllbOnnxEngine.load(dir, load)
    : ThreadedNllbEngine.load(dir, load, { engineThreads, inferenceTimeoutMs, onThreadEvent });
}
