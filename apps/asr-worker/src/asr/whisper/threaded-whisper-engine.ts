import { join } from 'node:path';
import {
  type AsrEngine,
  type AsrRequest,
  type AsrResult,
  EngineThreadPool,
  type EngineThreading,
  type ModelInfo,
  ownedCopy,
  threadPoolOptions,
} from '@olt/shared';
import { type WhisperLoadOptions, WhisperOnnxEngine } from './whisper-onnx-engine';

/** What the worker and tests see of a Whisper engine, wherever it runs. */
export interface WhisperEngine extends AsrEngine {
  /** Whisper language codes the model knows, in token order. */
  readonly languages: readonly string[];
  readonly hasTimestampTokens: boolean;
}

/** Sent by the thread once the model has loaded. */
export interface WhisperDescription {
  info: ModelInfo;
  languages: string[];
  hasTimestampTokens: boolean;
}

/** WhisperOnnxEngine in a pool of worker threads, behind the AsrEngine port. */
export class ThreadedWhisperEngine implements WhisperEngine {
  private constructor(private readonly pool: EngineThreadPool<WhisperDescription>) {}

  static async load(
    dir: string,
    options: WhisperLoadOptions,
    threading: EngineThreading = {},
  ): Promise<ThreadedWhisperEngine> {
    const entry = join(__dirname, 'whisper-engine.thread.js');
    const pool = await EngineThreadPool.start<WhisperDescription>(
      threadPoolOptions('whisper', entry, { dir, options }, threading),
    );
    return new ThreadedWhisperEngine(pool);
  }

  get info(): ModelInfo {
    return this.pool.engine.info;
  }

  get languages(): readonly string[] {
    return this.pool.engine.languages;
  }

  get hasTimestampTokens(): boolean {
    return this.pool.engine.hasTimestampTokens;
  }

  transcribe(batch: AsrRequest[]): Promise<AsrResult[]> {
    const transfer: ArrayBuffer[] = [];
    const requests = batch.map((request) => {
      const { copy, transfer: buffer } = ownedCopy(request.audio);
      transfer.push(buffer);
      return { ...request, audio: copy };
    });
    return this.pool.call<AsrResult[]>('transcribe', requests, transfer);
  }

  dispose(): Promise<void> {
    return this.pool.close();
  }
}

/** The worker's Whisper engine: in inference threads, or on the event loop when engineThreads is 0. */
export function loadWhisperEngine(
  dir: string,
  options: WhisperLoadOptions & EngineThreading,
): Promise<WhisperEngine> {
  const { engineThreads, inferenceTimeoutMs, onThreadEvent, ...load } = options;
  return engineThreads === 0
    ? WhisperOnnxEngine.load(dir, load)
    : ThreadedWhisperEngine.load(dir, load, { engineThreads, inferenceTimeoutMs, onThreadEvent });
}
