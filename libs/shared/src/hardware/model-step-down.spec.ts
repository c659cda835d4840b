import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tensor } from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { loadConfig } from '../config';
import type { ModelInfo } from '../engines';
import { AppError } from '../errors';
import { createInferenceSession, type LoadedInferenceSession } from '../onnx/inference-session';
import { resolveModelFile } from '../onnx/model-files';
import { isAllocationError } from './allocation-error';
import { EP_PROBE_MODEL } from './execution-providers';
import type { ModelCandidate } from './model-plan';
import { type CandidateLoader, loadWithStepDown } from './model-step-down';
import { RecordedCommandRunner } from './recorded-command-runner';
import { countStepDowns } from './step-down-metric';
import { placeWorkerModel } from './worker-model-placement';

/**
 * A minimal real engine: the two graphs of an encoder–decoder export loaded in ONNX Runtime. The graphs are
 * the 89-byte probe model saved under the export's file names, one file per precision.
 */
class SessionPairEngine {
  disposed = false;
  private constructor(
    readonly info: ModelInfo,
    private readonly sessions: LoadedInferenceSession[],
  ) {}

  static async load(dir: string, candidate: ModelCandidate): Promise<SessionPairEngine> {
    const sessions: LoadedInferenceSession[] = [];
    let precision = candidate.precision;
    for (const graph of ['encoder_model', 'decoder_model_merged']) {
      const file = resolveModelFile(dir, graph, precision);
      precision = file.precision;
      sessions.push(
        await createInferenceSession(file.file, { executionProviders: candidate.executionProviders }),
      );
    }
    const info: ModelInfo = {
      id: `${basename(dir)}@${precision}`,
      path: dir,
      executionProvider: sessions[0].executionProvider,
      precision,
      isTestModel: true,
    };
    return new SessionPairEngine(info, sessions);
  }

  async run(): Promise<void> {
    for (const { session } of this.sessions)
      await session.run({
        x: new Tensor('float32', new Float32Array(4), [4]),
      });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const { session } of this.sessions) await session.release();
  }
}

/**
 * Named fake of the loader only: runs the real loader but throws the error CUDA's allocator gives for the
 * listed precisions, as a GPU without room for them would.
 */
function outOfMemoryAt(precisions: string[], loads: string[] = []) {
  return async (dir: string, c: ModelCandidate) => {
    loads.push(c.precision);
    if (precisions.includes(c.precision)) {
      throw new Error(
        `/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:123 CUDA failure 2: out of memory ; GPU=0 ; expr=cudaMalloc(&p, size);`,
      );
    }
    return SessionPairEngine.load(dir, c);
  };
}

let modelsDir: string;
const MODEL = 'graphs-test';

before(() => {
  modelsDir = mkdtempSync(join(tmpdir(), 'olt-stepdown-'));
  const dir = join(modelsDir, MODEL);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{}');
  for (const suffix of ['', '_fp16', '_int8']) {
    for (const graph of ['encoder_model', 'decoder_model_merged']) {
      writeFileSync(join(dir, 'onnx', `${graph}${suffix}.onnx`), EP_PROBE_MODEL);
    }
  }
});
after(() => rmSync(modelsDir, { recursive: true, force: true }));

const candidate = (precision: string): ModelCandidate => ({
  tier: 'cpu',
  model: MODEL,
  precision,
  executionProviders: ['cpu'],
});
const CANDIDATES = ['fp32', 'fp16', 'int8'].map(candidate);

function loaderWith(
  load: (dir: string, c: ModelCandidate) => Promise<SessionPairEngine>,
): CandidateLoader<SessionPairEngine> {
  return {
    load: (c) => load(join(modelsDir, c.model), c),
    warmUp: (engine) => engine.run(),
    dispose: (engine) => engine.dispose(),
  };
}

describe('isAllocationError', () => {
  const cases: Array<[string, boolean]> = [
    ['CUDA failure 2: out of memory ; GPU=0', true],
    ['Failed to allocate memory for requested buffer of size 268435456', true],
    ['BFCArena::AllocateRawInternal Available memory of 0 is smaller than requested bytes of 52428800', true],
    ['std::bad_alloc', true],
    ['CUBLAS_STATUS_ALLOC_FAILED', true],
    ['hipErrorOutOfMemory', true],
    ['WebGPU: GPUOutOfMemoryError', true],
    ['OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library', false],
    ['Load model from x.onnx failed: Protobuf parsing failed.', false],
    ['model file for encoder_model at precision q4 not found', false],
  ];
  for (const [message, expected] of cases) {
    it(`${expected ? 'is' : 'is not'} an allocation failure: ${message}`, () =>
      assert.equal(isAllocationError(new Error(message)), expected));
  }
  it('counts RESOURCE_EXHAUSTED AppErrors as allocation failures', () =>
    assert.equal(isAllocationError(new AppError('RESOURCE_EXHAUSTED', 'x')), true));
});

describe('loadWithStepDown (real ONNX Runtime sessions, simulated allocation failures)', () => {
  it('steps down to the next precision when loading runs out of memory, and counts it', async () => {
    const registry = new Registry();
    const loads: string[] = [];
    const loaded = await loadWithStepDown(CANDIDATES, {
      ...loaderWith(outOfMemoryAt(['fp32'], loads)),
      onStepDown: countStepDowns(registry, 'asr'),
    });
    assert.equal(loaded.engine.info.precision, 'fp16');
    assert.deepEqual(loads, ['fp32', 'fp16']);
    assert.equal(loaded.stepDowns.length, 1);
    assert.deepEqual(
      { from: loaded.stepDowns[0].from, to: loaded.stepDowns[0].to },
      { from: 'graphs-test@fp32/cpu', to: 'graphs-test@fp16/cpu' },
    );
    assert.match(loaded.stepDowns[0].reason, /out of memory/);
    const text = await registry.metrics();
    assert.match(
      text,
      /olt_worker_model_stepdowns_total\{kind="asr",from="graphs-test@fp32\/cpu",to="graphs-test@fp16\/cpu"\} 1/,
    );
    await loaded.engine.dispose();
  });

  it('a warm-up that runs out of memory steps down too, releasing the engine it loaded', async () => {
    const engines: SessionPairEngine[] = [];
    const loaded = await loadWithStepDown(CANDIDATES, {
      load: async (c) => {
        const engine = await SessionPairEngine.load(join(modelsDir, c.model), c);
        engines.push(engine);
        return engine;
      },
      warmUp: async (engine) => {
        if (engine.info.precision !== 'int8')
          throw new Error('Failed to allocate memory for requested buffer');
        await engine.run();
      },
      dispose: (engine) => engine.dispose(),
    });
    assert.equal(loaded.engine.info.precision, 'int8');
    assert.deepEqual(
      engines.map((e) => e.disposed),
      [true, true, false],
    );
    assert.equal(loaded.stepDowns.length, 2);
    await loaded.engine.dispose();
  });

  it('skips a candidate without loading it when the GPU is already inside its reserve', async () => {
    const loads: string[] = [];
    const loaded = await loadWithStepDown(CANDIDATES, {
      ...loaderWith(outOfMemoryAt([], loads)),
      memoryPressure: async (c) =>
        c.precision === 'fp32' ? 'free VRAM 900 MiB is under the 20 % reserve' : undefined,
    });
    assert.deepEqual(loads, ['fp16']);
    assert.equal(loaded.stepDowns[0].reason, 'free VRAM 900 MiB is under the 20 % reserve');
    await loaded.engine.dispose();
  });

  it('does not step down on errors that are not about memory', async () => {
    await assert.rejects(
      loadWithStepDown(
        CANDIDATES,
        loaderWith(async () => Promise.reject(new Error('Protobuf parsing failed'))),
      ),
      /Protobuf parsing failed/,
    );
  });

  it('fails with every step listed when even the smallest variant runs out of memory', async () => {
    await assert.rejects(
      loadWithStepDown(CANDIDATES, loaderWith(outOfMemoryAt(['fp32', 'fp16', 'int8']))),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'RESOURCE_EXHAUSTED' &&
        /graphs-test@fp32\/cpu .*graphs-test@fp16\/cpu .*graphs-test@int8\/cpu/.test(err.message),
    );
  });
});

describe('placeWorkerModel (detection, plan, step-down, placement)', () => {
  it('loads the configured local model on CPU, stepping down precision on a simulated OOM', async () => {
    const registry = new Registry();
    const config = loadConfig({
      env: {},
      overrides: {
        models: { dir: modelsDir, offline: true },
        asr: { tier: 'cpu', model: MODEL, precision: 'auto', executionProviders: ['cpu'] },
      },
    });
    const lines: string[] = [];
    const log = {
      info: (_o: object, m: string) => lines.push(m),
      warn: (_o: object, m: string) => lines.push(m),
    };
    const { engine, placement } = await placeWorkerModel({
      kind: 'asr',
      config,
      loadEngine: outOfMemoryAt(['fp32']),
      warmUp: (e) => e.run(),
      log,
      onStepDown: countStepDowns(registry, 'asr'),
      commandRunner: new RecordedCommandRunner({}),
    });
    assert.equal(placement.tier, 'cpu');
    assert.equal(placement.tierSource, 'config');
    assert.equal(placement.device, 'cpu');
    assert.equal(placement.model, `${MODEL}@fp16`);
    assert.equal(placement.precision, 'fp16');
    assert.equal(placement.executionProvider, 'cpu');
    assert.deepEqual(placement.providers.available, ['cpu']);
    assert.equal(placement.stepDowns.length, 1);
    assert.ok(
      lines.some((l) =>
        l.startsWith('model step-down under memory pressure: graphs-test@fp32/cpu -> graphs-test@fp16/cpu'),
      ),
    );
    assert.match(await registry.metrics(), /olt_worker_model_stepdowns_total\{kind="asr".*\} 1/);
    await engine.dispose();
  });

  it('tier auto on a machine without a usable GPU provider resolves to cpu and says why', async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        models: { dir: modelsDir, offline: true },
        translate: { tier: 'auto', model: MODEL, executionProviders: ['auto'] },
      },
    });
    const runner = new RecordedCommandRunner({ 'nvidia-smi': { fixture: 'nvidia-smi-t4.txt' } });
    const { engine, placement } = await placeWorkerModel({
      kind: 'translate',
      config,
      loadEngine: (dir, c) => SessionPairEngine.load(dir, c),
      warmUp: (e) => e.run(),
      log: { info: () => undefined, warn: () => undefined },
      commandRunner: runner,
    });
    // onnxruntime-node here has no CUDA libraries and no GPU adapter: only CPU loads.
    if (!placement.providers.available.some((p) => p !== 'cpu')) {
      assert.equal(placement.tier, 'cpu');
      assert.equal(placement.tierSource, 'auto');
      assert.ok(placement.notes.includes('tier auto: no GPU execution provider loaded, so cpu'));
      assert.ok(placement.notes.some((n) => n.startsWith('cuda:0 did not load:')));
    }
    assert.equal(placement.precision, 'fp32', 'a local model outside the catalog loads its largest variant');
    await engine.dispose();
  });
});
