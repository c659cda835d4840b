// Entry script of an NLLB inference thread (started by ThreadedNllbEngine through EngineThreadPool):
// tokenization, encoder and the greedy/beam decode loop run here, off the worker's event loop.
import { hostEngineInThread, type MtRequest } from '@olt/shared';
import { type NllbLoadOptions, NllbOnnxEngine } from './nllb-onnx-engine';
import type { NllbDescription } from './threaded-nllb-engine';

hostEngineInThread<NllbOnnxEngine, NllbDescription>({
  load: ({ dir, options }: { dir: string; options: NllbLoadOptions }) => NllbOnnxEngine.load(dir, options),
  describe: (engine) => ({ info: engine.info, languages: engine.languages }),
  methods: {
    translate: (engine, batch: MtRequest[]) => engine.translate(batch),
  },
});
