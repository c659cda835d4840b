import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config';
import { ortThreadOptions } from '../onnx';
import { resolveInferenceThreads } from './inference-thread-settings';

const defaults = {
  engineThreads: 1,
  intraOpThreads: 0,
  interOpThreads: 1,
  allowSpinning: 'auto' as const,
  inferenceTimeoutMs: 60000,
};
const budget = (cpus: number) => ({ cpus, source: 'cgroup v2 cpu.max' as const });

describe('inference thread settings', () => {
  it('sizes intra-op pools from the CPU quota, shared among engine threads', () => {
    assert.equal(resolveInferenceThreads(defaults, budget(4)).intraOpThreads, 4);
    assert.equal(resolveInferenceThreads({ ...defaults, engineThreads: 2 }, budget(4)).intraOpThreads, 2);
    assert.equal(resolveInferenceThreads({ ...defaults, engineThreads: 3 }, budget(2)).intraOpThreads, 1);
    assert.equal(resolveInferenceThreads({ ...defaults, intraOpThreads: 6 }, budget(2)).intraOpThreads, 6);
  });

  it('spins only when a CPU of the quota stays free beyond the ORT threads (auto), else as configured', () => {
    assert.equal(resolveInferenceThreads(defaults, budget(4)).allowSpinning, false);
    assert.equal(resolveInferenceThreads({ ...defaults, intraOpThreads: 3 }, budget(4)).allowSpinning, true);
    assert.equal(
      resolveInferenceThreads({ ...defaults, allowSpinning: true }, budget(1)).allowSpinning,
      true,
    );
  });

  it('turns the settings into ORT session options, spinning as session config entries', () => {
    assert.deepEqual(ortThreadOptions({ intraOpThreads: 2, interOpThreads: 1, allowSpinning: false }), {
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
    const parallel = ortThreadOptions({ interOpThreads: 3 });
    assert.equal(parallel.executionMode, 'parallel');
    assert.equal('extra' in parallel, false, 'ORT keeps its own spinning default when none is given');
  });

  it('config accepts the thread keys in [asr] and [translate] and names a bad value', () => {
    const config = loadConfig({
      env: {},
      overrides: { asr: { engineThreads: 2, allowSpinning: false }, translate: { intraOpThreads: 3 } },
    });
    assert.equal(config.asr.engineThreads, 2);
    assert.equal(config.asr.allowSpinning, false);
    assert.equal(config.translate.intraOpThreads, 3);
    assert.equal(config.translate.allowSpinning, 'auto');
    assert.throws(() => loadConfig({ env: { OLT__ASR__INTRA_OP_THREADS: '-1' } }), /asr\.intra_op_threads/);
    assert.throws(
      () => loadConfig({ env: { OLT__TRANSLATE__ALLOW_SPINNING: 'sometimes' } }),
      /translate\.allow_spinning/,
    );
  });
});
