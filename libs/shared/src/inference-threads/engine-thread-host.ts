import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type FromThread, serializeError, type ToThread } from './thread-messages';

export interface HostedEngine {
  dispose(): Promise<void>;
}

/** What an inference thread's entry script hosts: how to load the engine and which methods it serves. */
export interface EngineThreadSpec<E extends HostedEngine, D> {
  /** Loads the engine from the pool's `loadArgs` (the thread's workerData). */
  load(args: never): Promise<E>;
  /** Plain data sent once to the main thread after loading (model info, languages, …). */
  describe(engine: E): D;
  /** The calls the pool may make; each gets the engine and the call's arguments. */
  methods: Record<string, (engine: E, args: never) => Promise<unknown>>;
}

/**
 * Runs inside a worker thread (the entry script of an EngineThreadPool): loads the engine here, so that
 * session creation and every synchronous ONNX run block this thread instead of the worker's event loop,
 * then answers calls one at a time. An error thrown by a call goes back to that call only; the engine
 * stays loaded and serves the next one.
 */
export function hostEngineInThread<E extends HostedEngine, D>(spec: EngineThreadSpec<E, D>): void {
  if (isMainThread || !parentPort) {
    throw new Error('hostEngineInThread() runs only in a worker thread started by EngineThreadPool');
  }
  const port = parentPort;
  const post = (message: FromThread) => port.postMessage(message);
  let engine: E | undefined;

  port.on('message', (message: ToThread) => {
    if (message.kind === 'close') {
      void (engine?.dispose() ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => post({ kind: 'closed' }));
      return;
    }
    void answer(message.id, message.method, message.args);
  });

  async function answer(id: number, method: string, args: unknown): Promise<void> {
    try {
      const run = spec.methods[method];
      if (!run) throw new Error(`inference thread has no method "${method}"`);
      if (!engine) throw new Error('inference thread got a call before its engine loaded');
      const value = await run(engine, args as never);
      post({ kind: 'reply', id, ok: true, value });
    } catch (err) {
      // Also reached when the value cannot be cloned: the call fails, the thread goes on.
      post({ kind: 'reply', id, ok: false, error: serializeError(err) });
    }
  }

  spec.load(workerData as never).then(
    (loaded) => {
      engine = loaded;
      post({ kind: 'ready', description: spec.describe(loaded) });
    },
    (err: unknown) => post({ kind: 'load-failed', error: serializeError(err) }),
  );
}
