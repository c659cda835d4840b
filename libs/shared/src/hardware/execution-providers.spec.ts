import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expandExecutionProviders,
  formatExecutionProvider,
  probeExecutionProviders,
} from './execution-providers';

describe('expandExecutionProviders', () => {
  it('expands auto to the GPU providers of the platform, CPU last', () => {
    assert.deepEqual(expandExecutionProviders(['auto'], 'linux').map(formatExecutionProvider), [
      'cuda',
      'webgpu',
      'cpu',
    ]);
    assert.deepEqual(expandExecutionProviders(['auto'], 'win32').map(formatExecutionProvider), [
      'cuda',
      'dml',
      'webgpu',
      'cpu',
    ]);
    assert.deepEqual(expandExecutionProviders(['auto'], 'darwin').map(formatExecutionProvider), [
      'coreml',
      'webgpu',
      'cpu',
    ]);
  });

  it('reads device pins, drops duplicates and moves cpu to the end', () => {
    assert.deepEqual(expandExecutionProviders(['cpu', 'CUDA:1', 'cuda', 'tensorrt'], 'linux'), [
      { name: 'cuda', deviceId: 1 },
      { name: 'tensorrt' },
      { name: 'cpu' },
    ]);
  });
});

describe('probeExecutionProviders (real ONNX Runtime in this process)', () => {
  it('loads CPU and reports every other provider as loaded or with the reason it did not', async () => {
    const candidates = expandExecutionProviders(['tensorrt', 'cuda:0', 'webgpu', 'dml']);
    const report = await probeExecutionProviders(candidates);
    assert.ok(report.available.includes('cpu'), 'the CPU provider always ships with onnxruntime-node');
    const seen = [...report.available, ...report.unavailable.map((u) => u.executionProvider)].sort();
    assert.deepEqual(seen, ['cpu', 'cuda:0', 'dml', 'tensorrt', 'webgpu']);
    for (const miss of report.unavailable)
      assert.ok(miss.reason.length > 0, `${miss.executionProvider} has a reason`);
    // DirectML only exists in the Windows build.
    if (process.platform !== 'win32')
      assert.ok(report.unavailable.some((u) => u.executionProvider === 'dml'));
  });
});
