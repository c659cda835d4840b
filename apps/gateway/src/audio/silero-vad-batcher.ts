import * as ort from 'onnxruntime-node';

/** Samples of the previous frame the model sees before each new frame (Silero's 16 kHz protocol). */
export const SILERO_CONTEXT_SAMPLES = 64;
/** Recurrent state per row: [2, rows, 128]. */
export const SILERO_STATE_WIDTH = 128;

/** One stream's row of a batched run: its model input ([context | frame]) and recurrent state. */
export interface SileroRow {
  /** SILERO_CONTEXT_SAMPLES + 512 samples, read when the batch runs. */
  readonly input: Float32Array;
  /** 2 × 128 floats (layer 0 then layer 1), read when the batch runs. */
  readonly state: Float32Array;
  /** Called with the row's probability and new state (a view valid only during the call). */
  done(probability: number, state: Float32Array): void;
  fail(err: unknown): void;
}

export interface SileroVadBatcherOptions {
  /** Most rows (streams) in one run. */
  maxRows: number;
  /** How long the first frame waits for others; 0 = the frames queued by the time the loop turns. */
  waitMs: number;
}

/**
 * Runs the frames that many streams submitted in the same tick as ONE Silero run: the model takes a batch
 * with per-row state, and a run of 16–50 rows costs about a third per row of a run of one (fixed per-run
 * overhead dominates a 512-sample frame). One run at a time: frames that arrive while it runs make up
 * the next batch, so under load batches fill without any wait.
 */
export class SileroVadBatcher {
  private pending: SileroRow[] = [];
  private scheduled = false;
  private running = false;
  /** Tensors by batch size, reused run to run (a batch size recurs every tick). */
  private readonly buffers = new Map<number, { input: ort.Tensor; state: ort.Tensor }>();
  private readonly srTensor = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  private readonly outputNames: [string, string];

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly options: SileroVadBatcherOptions,
    private readonly onRun?: (rows: number) => void,
  ) {
    this.outputNames = [session.outputNames[0], session.outputNames[1]];
  }

  submit(row: SileroRow): void {
    this.pending.push(row);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    const run = () => void this.flush();
    if (this.options.waitMs > 0) setTimeout(run, this.options.waitMs);
    else setImmediate(run);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const rows = this.pending.splice(0, this.options.maxRows);
    try {
      const { input, state } = this.tensorsFor(rows.length);
      const inputData = input.data as Float32Array;
      const stateData = state.data as Float32Array;
      const width = rows[0].input.length;
      const n = rows.length;
      rows.forEach((row, b) => {
        inputData.set(row.input, b * width);
        // State layout [layer, row, 128]: each stream's two layers land n rows apart.
        stateData.set(row.state.subarray(0, SILERO_STATE_WIDTH), b * SILERO_STATE_WIDTH);
        stateData.set(row.state.subarray(SILERO_STATE_WIDTH), (n + b) * SILERO_STATE_WIDTH);
      });
      const results = await this.session.run({ input, state, sr: this.srTensor });
      this.onRun?.(n);
      const probabilities = results[this.outputNames[0]].data as Float32Array;
      const next = results[this.outputNames[1]].data as Float32Array;
      const rowState = new Float32Array(2 * SILERO_STATE_WIDTH);
      rows.forEach((row, b) => {
        rowState.set(next.subarray(b * SILERO_STATE_WIDTH, (b + 1) * SILERO_STATE_WIDTH), 0);
        rowState.set(
          next.subarray((n + b) * SILERO_STATE_WIDTH, (n + b + 1) * SILERO_STATE_WIDTH),
          SILERO_STATE_WIDTH,
        );
        row.done(probabilities[b], rowState);
      });
    } catch (err) {
      for (const row of rows) row.fail(err);
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  private tensorsFor(rows: number): { input: ort.Tensor; state: ort.Tensor } {
    let buffers = this.buffers.get(rows);
    if (!buffers) {
      const width = SILERO_CONTEXT_SAMPLES + 512;
      buffers = {
        input: new ort.Tensor('float32', new Float32Array(rows * width), [rows, width]),
        state: new ort.Tensor('float32', new Float32Array(2 * rows * SILERO_STATE_WIDTH), [
          2,
          rows,
          SILERO_STATE_WIDTH,
        ]),
      };
      this.buffers.set(rows, buffers);
    }
    return buffers;
  }
}
