// A thread entry for EngineThreadPool's own tests: an "engine" whose calls sum a buffer, throw, crash the
// thread or block it synchronously (as an ONNX run does).
import { threadId } from 'node:worker_threads';
import { invalidArgument } from '../../errors';
import { hostEngineInThread } from '../engine-thread-host';

class FakeEngine {
  async dispose(): Promise<void> {}
}

hostEngineInThread<FakeEngine, { loadedBy: number }>({
  load: async (args: { failLoad?: string }) => {
    if (args.failLoad) throw invalidArgument(args.failLoad);
    return new FakeEngine();
  },
  describe: () => ({ loadedBy: threadId }),
  methods: {
    sum: async (_engine, args: { data: Float32Array }) => ({
      threadId,
      length: args.data.length,
      sum: args.data.reduce((a, b) => a + b, 0),
    }),
    reject: async () => {
      throw invalidArgument('this input is poison');
    },
    crash: () => {
      // An error nobody catches ends the thread, as a fatal error inside an engine would.
      setImmediate(() => {
        throw new Error('engine state corrupted');
      });
      return new Promise(() => undefined);
    },
    block: async (_engine, ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end); // synchronous, like InferenceSession.run()
      return threadId;
    },
  },
});
