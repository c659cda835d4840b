import { type TransferListItem, Worker } from 'node:worker_threads';
import { AppError, unavailable } from '../errors';
import { deserializeError, type FromThread, type ToThread } from './thread-messages';

export interface EngineThreadPoolOptions {
  /** Names the threads ("whisper-0", …) in errors, logs and `top -H`. */
  name: string;
  /** Absolute path of the compiled entry script; it calls hostEngineInThread(). */
  entry: string;
  /** The threads' workerData: what the entry's `load` gets (cloned once per thread). */
  loadArgs: unknown;
  /** Threads, each with its own copy of the engine (so each holds the model in memory). */
  size: number;
  /** Deadline of one call, time waiting for a free thread included. */
  callTimeoutMs: number;
  /** Crashes, deadline kills and restarts, for logs and metrics. */
  onEvent?: (event: EngineThreadEvent) => void;
  /** First wait before reloading a thread whose reload failed; doubles up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long close() waits for an engine to release its sessions before terminating the thread. */
  closeTimeoutMs?: number;
}

export interface EngineThreadEvent {
  type: 'crashed' | 'timed-out' | 'restarted' | 'restart-failed';
  /** e.g. "whisper-0". */
  thread: string;
  message: string;
}

interface PendingCall {
  id: number;
  method: string;
  args: unknown;
  transfer: TransferListItem[];
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
  slot?: Slot;
  done: boolean;
}

interface Slot {
  label: string;
  worker?: Worker;
  ready: boolean;
  current?: PendingCall;
  /** The thread's uncaught exception, reported before its exit. */
  lastError?: Error;
  failedRestarts: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * A small pool of worker threads, each hosting one engine (hostEngineInThread), behind a promise API:
 * request ids, a deadline per call, errors rebuilt with their class and code, and transfer lists so audio
 * crosses without a structured copy. A thread that dies (uncaught error, out of memory, exit) rejects only
 * the call it was running and is restarted; a call past its deadline is rejected and its thread replaced,
 * because a synchronous ONNX run cannot be interrupted. Idle threads do not keep the process alive.
 */
export class EngineThreadPool<D> {
  private readonly slots: Slot[];
  private readonly queue: PendingCall[] = [];
  private nextId = 0;
  private closing = false;
  private closed?: Promise<void>;
  private description?: D;

  private constructor(private readonly opts: EngineThreadPoolOptions) {
    this.slots = Array.from({ length: opts.size }, (_, i) => ({
      label: `${opts.name}-${i}`,
      ready: false,
      failedRestarts: 0,
    }));
  }

  /** Starts every thread and waits until each has loaded its engine; a load error is thrown as is. */
  static async start<D>(opts: EngineThreadPoolOptions): Promise<EngineThreadPool<D>> {
    if (!(Number.isInteger(opts.size) && opts.size >= 1)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${opts.name}: inference threads must be >= 1, got ${opts.size}`,
      );
    }
    const pool = new EngineThreadPool<D>(opts);
    try {
      const descriptions = await Promise.all(pool.slots.map((slot) => pool.spawn(slot)));
      pool.description = descriptions[0] as D;
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** What the thread's `describe` returned after loading (the same for every thread). */
  get engine(): D {
    return this.description as D;
  }

  /** Runs `method` in the first free thread. Buffers in `transfer` move to that thread (detached here). */
  call<R>(method: string, args: unknown, transfer: TransferListItem[] = []): Promise<R> {
    if (this.closing) return Promise.reject(unavailable(`${this.opts.name} engine is closed`));
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall = {
        id: ++this.nextId,
        method,
        args,
        transfer,
        resolve: resolve as (value: unknown) => void,
        reject,
        done: false,
      };
      call.timer = setTimeout(() => this.timeOut(call), this.opts.callTimeoutMs);
      this.queue.push(call);
      this.dispatch();
    });
  }

  /** Rejects waiting calls, lets each engine release its sessions, then ends the threads. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closing = true;
      for (const call of this.queue.splice(0)) {
        this.finish(call, unavailable(`${this.opts.name} engine closed before this call ran`));
      }
      this.closed = Promise.all(this.slots.map((slot) => this.closeSlot(slot))).then(() => undefined);
    }
    return this.closed;
  }

  private spawn(slot: Slot): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.opts.entry, { workerData: this.opts.loadArgs, name: slot.label });
      Object.assign(slot, { worker, ready: false, lastError: undefined });
      let loaded = false;
      worker.on('message', (message: FromThread) => {
        if (slot.worker !== worker) return;
        if (message.kind === 'ready') {
          loaded = true;
          slot.ready = true;
          worker.unref();
          resolve(message.description);
          this.dispatch();
        } else if (message.kind === 'load-failed') {
          this.detach(slot);
          void worker.terminate();
          reject(deserializeError(message.error));
        } else if (message.kind === 'reply') {
          this.settle(slot, message);
        }
      });
      worker.on('error', (err) => {
        if (slot.worker === worker) slot.lastError = err;
      });
      worker.on('exit', (code) => {
        if (slot.worker !== worker) return; // replaced, closed or failed to load: already handled
        this.detach(slot);
        const reason = slot.lastError ? slot.lastError.message : `exit code ${code}`;
        if (!loaded) reject(slot.lastError ?? new Error(`${slot.label} exited (${reason}) while loading`));
        else if (!this.closing) this.crashed(slot, reason);
      });
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.ready && s.worker && !s.current);
      if (!slot) return;
      const call = this.queue.shift()!;
      const worker = slot.worker!;
      slot.current = call;
      call.slot = slot;
      worker.ref(); // a call in flight keeps the process alive, as a pending socket read would
      try {
        const message: ToThread = { kind: 'call', id: call.id, method: call.method, args: call.args };
        worker.postMessage(message, call.transfer);
      } catch (err) {
        // The arguments could not be cloned or transferred: this call's fault, the thread is fine.
        slot.current = undefined;
        worker.unref();
        this.finish(call, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private settle(slot: Slot, reply: Extract<FromThread, { kind: 'reply' }>): void {
    const call = slot.current;
    if (!call || call.id !== reply.id) return;
    slot.current = undefined;
    slot.worker?.unref();
    this.finish(call, reply.ok ? { value: reply.value } : deserializeError(reply.error));
    this.dispatch();
  }

  private crashed(slot: Slot, reason: string): void {
    const call = slot.current;
    slot.current = undefined;
    this.event('crashed', slot, reason);
    if (call) {
      this.finish(
        call,
        new AppError(
          'INTERNAL',
          `${slot.label} inference thread died while running this call (${reason}); it is being restarted`,
        ),
      );
    }
    this.restart(slot, 0);
  }

  private timeOut(call: PendingCall): void {
    const slot = call.slot;
    const running = slot?.current === call;
    if (running) {
      slot.current = undefined;
      const worker = this.detach(slot);
      this.event('timed-out', slot, `call ${call.method} ran past ${this.opts.callTimeoutMs} ms`);
      // terminate() takes effect once the native run returns; the replacement loads meanwhile.
      void worker?.terminate();
      this.restart(slot, 0);
    } else {
      const index = this.queue.indexOf(call);
      if (index >= 0) this.queue.splice(index, 1);
    }
    this.finish(
      call,
      new AppError(
        'DEADLINE_EXCEEDED',
        `${this.opts.name} inference did not finish within ${this.opts.callTimeoutMs} ms` +
          (running ? '; its thread is being replaced' : ' (it waited for a free inference thread)'),
      ),
    );
  }

  private restart(slot: Slot, delayMs: number): void {
    if (this.closing) return;
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.closing) return;
      this.spawn(slot).then(
        () => {
          slot.failedRestarts = 0;
          this.event('restarted', slot, 'engine reloaded');
        },
        (err: unknown) => {
          slot.failedRestarts++;
          const message = err instanceof Error ? err.message : String(err);
          this.event('restart-failed', slot, message);
          if (!this.slots.some((s) => s.worker)) {
            for (const call of this.queue.splice(0)) {
              this.finish(call, unavailable(`${this.opts.name} inference threads are down: ${message}`));
            }
          }
          const base = this.opts.restartDelayMs ?? 1000;
          const max = this.opts.maxRestartDelayMs ?? 30000;
          this.restart(slot, Math.min(max, base * 2 ** (slot.failedRestarts - 1)));
        },
      );
    }, delayMs);
  }

  private async closeSlot(slot: Slot): Promise<void> {
    clearTimeout(slot.restartTimer);
    const call = slot.current;
    slot.current = undefined;
    if (call) this.finish(call, unavailable(`${this.opts.name} engine closed while this call ran`));
    const worker = this.detach(slot);
    if (!worker) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      worker.on('message', (message: FromThread) => message.kind === 'closed' && resolve());
      worker.once('exit', () => resolve());
      timer = setTimeout(resolve, this.opts.closeTimeoutMs ?? 5000);
      worker.postMessage({ kind: 'close' } satisfies ToThread);
    });
    clearTimeout(timer);
    await worker.terminate();
  }

  /** Forgets the slot's thread, so its later messages and exit are ignored. */
  private detach(slot: Slot): Worker | undefined {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = false;
    return worker;
  }

  private finish(call: PendingCall, outcome: { value: unknown } | Error): void {
    if (call.done) return;
    call.done = true;
    clearTimeout(call.timer);
    if (outcome instanceof Error) call.reject(outcome);
    else call.resolve(outcome.value);
  }

  private event(type: EngineThreadEvent['type'], slot: Slot, message: string): void {
    this.opts.onEvent?.({ type, thread: slot.label, message });
  }
}

/** How a worker runs its engine: the thread keys of [asr] / [translate], resolved. */
export interface EngineThreading {
  /** Worker threads running the engine (default 1); 0 = on the caller's event loop (comparison only). */
  engineThreads?: number;
  /** Deadline of one engine call (default 60 s). */
  inferenceTimeoutMs?: number;
  onThreadEvent?: (event: EngineThreadEvent) => void;
}

/** Pool options from EngineThreading, with the defaults the config documents. */
export function threadPoolOptions(
  name: string,
  entry: string,
  loadArgs: unknown,
  threading: EngineThreading,
): EngineThreadPoolOptions {
  return {
    name,
    entry,
    loadArgs,
    size: Math.max(1, threading.engineThreads ?? 1),
    callTimeoutMs: threading.inferenceTimeoutMs ?? 60000,
    onEvent: threading.onThreadEvent,
  };
}
