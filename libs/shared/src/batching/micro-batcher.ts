import { AppError } from '../errors';

/**
 * A request that failed when it ran alone, after its batch failed: it fails the same way on every try
 * (bad input for the model, an ONNX error, a crash it causes), so the job is answered with an error at once
 * instead of being retried. Its cause stays on `cause`.
 */
export class PoisonRequestError extends AppError {
  constructor(override readonly cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super('INTERNAL', `this request fails on its own, so it is not retried: ${message}`);
    this.name = 'PoisonRequestError';
  }
}

export interface MicroBatcherOptions<Req, Res> {
  /** Runs one batch; must return one result per request, in order. */
  run: (batch: Req[]) => Promise<Res[]>;
  /** A batch is dispatched as soon as it holds this many requests… */
  maxBatchSize: number;
  /** …or when its oldest request has waited this long (ms). 0 = dispatch on the next tick. */
  maxWaitMs: number;
  /** Requests with different keys never share a batch (e.g. a language pair). Default: one key. */
  key?: (req: Req) => string;
  /** Batches allowed to run at once (a GPU usually wants 1). */
  concurrency?: number;
  /** Observes each dispatched batch (metrics). */
  onBatch?: (size: number, key: string) => void;
  /**
   * When a batch fails, run its requests again one at a time (once each), so one bad request fails only
   * itself; a request that fails alone is rejected with PoisonRequestError (an AppError stays as it is).
   * Default false: every request of a failed batch gets the batch's error.
   */
  isolateFailures?: boolean;
}

interface Pending<Req, Res> {
  req: Req;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

interface Bucket<Req, Res> {
  key: string;
  items: Pending<Req, Res>[];
  timer?: NodeJS.Timeout;
  due: boolean;
}

/**
 * Collects concurrent requests (e.g. BullMQ jobs running under worker concurrency N) into batches for one
 * model call: bounded by size and by the wait of the oldest request, so a lone request is delayed at most
 * maxWaitMs. While the model is busy, new requests keep filling the next batch, which is how batches grow
 * under load without any added wait.
 */
export class MicroBatcher<Req, Res> {
  private readonly buckets = new Map<string, Bucket<Req, Res>>();
  /** Keys whose buckets are due, in the order they became due (fair across keys). */
  private readonly ready: string[] = [];
  private running = 0;

  constructor(private readonly opts: MicroBatcherOptions<Req, Res>) {
    if (opts.maxBatchSize < 1) throw new Error('maxBatchSize must be >= 1');
  }

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const key = this.opts.key?.(req) ?? '';
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { key, items: [], due: false };
        this.buckets.set(key, bucket);
      }
      bucket.items.push({ req, resolve, reject });
      if (bucket.items.length >= this.opts.maxBatchSize) this.markDue(bucket);
      else if (!bucket.timer && !bucket.due) {
        bucket.timer = setTimeout(() => this.markDue(bucket!), this.opts.maxWaitMs);
      }
      this.pump();
    });
  }

  /** Requests waiting for a batch (not yet running). */
  get queued(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.items.length;
    return n;
  }

  private markDue(bucket: Bucket<Req, Res>): void {
    clearTimeout(bucket.timer);
    bucket.timer = undefined;
    if (!bucket.due) {
      bucket.due = true;
      this.ready.push(bucket.key);
    }
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 1;
    while (this.running < limit && this.ready.length) {
      const key = this.ready.shift()!;
      const bucket = this.buckets.get(key);
      if (!bucket || bucket.items.length === 0) continue;
      const batch = bucket.items.splice(0, this.opts.maxBatchSize);
      bucket.due = false;
      if (bucket.items.length) {
        // Leftovers already waited: they go in the next batch without a fresh timer.
        this.markDue(bucket);
      } else {
        this.buckets.delete(key);
      }
      void this.dispatch(key, batch);
    }
  }

  private async dispatch(key: string, batch: Pending<Req, Res>[]): Promise<void> {
    this.running++;
    this.opts.onBatch?.(batch.length, key);
    try {
      const results = await this.opts.run(batch.map((p) => p.req));
      if (results.length !== batch.length) {
        throw new Error(`batch runner returned ${results.length} results for ${batch.length} requests`);
      }
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      if (this.opts.isolateFailures) await this.runAlone(batch, err);
      else for (const p of batch) p.reject(err);
    } finally {
      this.running--;
      this.pump();
    }
  }

  /** One by one, not in parallel: the engine is the bottleneck either way, and errors stay per request. */
  private async runAlone(batch: Pending<Req, Res>[], batchError: unknown): Promise<void> {
    const poison = (err: unknown) => (err instanceof AppError ? err : new PoisonRequestError(err));
    if (batch.length === 1) {
      batch[0].reject(poison(batchError));
      return;
    }
    for (const p of batch) {
      try {
        const [result] = await this.opts.run([p.req]);
        p.resolve(result);
      } catch (err) {
        p.reject(poison(err));
      }
    }
  }
}
