import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Tensor } from 'onnxruntime-node';
import { AppError } from '../errors';
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from './float16';
import { argmax, bestAmong, logitsAt, logSoftmax, logSumExp, suppressTokens } from './logits';
import { selectBatchRows } from './merged-decoder';
import { readModelJson, resolveModelFile } from './model-files';

describe('float16 conversion', () => {
  it('encodes known half-precision bit patterns', () => {
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00); // overflow → +Infinity
    assert.equal(toFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
    assert.equal(toFloat16Bits(0.1), 0x2e66);
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // tie → even mantissa
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie → even mantissa (up)
  });

  it('round-trips values within half precision', () => {
    const values = [0, 1, -1, 0.5, 3.140625, -1024, 2 ** -20, 60000];
    assert.deepEqual(Array.from(float16ToFloat32(float32ToFloat16(values))), values);
    assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN))));
  });
});

describe('logit helpers', () => {
  it('argmax returns the first largest index and respects a range', () => {
    assert.equal(argmax([1, 5, 5, 2]), 1);
    assert.equal(argmax([9, 1, 3, 2], 1, 4), 2);
    assert.equal(argmax([]), -1);
  });

  it('logSoftmax sums to probability 1 and logSumExp survives large values', () => {
    const row = logSoftmax([1000, 1001, 999]);
    const total = Array.from(row).reduce((a, b) => a + Math.exp(b), 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
    assert.ok(Math.abs(logSumExp([1000, 1000]) - (1000 + Math.log(2))) < 1e-9);
    assert.equal(logSumExp([-Infinity, -Infinity]), -Infinity);
  });

  it('suppressTokens masks ids so they never win', () => {
    const row = Float32Array.from([1, 9, 3]);
    suppressTokens(row, [1, 7]);
    assert.equal(row[1], -Infinity);
    assert.equal(argmax(row), 2);
  });

  it('bestAmong gives the best candidate and its probability within the candidate set only', () => {
    const row = [0, Math.log(3), 100, Math.log(1)];
    const best = bestAmong(row, [1, 3]);
    assert.equal(best.id, 1);
    assert.ok(Math.abs(best.probability - 0.75) < 1e-9);
  });

  it('logitsAt copies one position per batch row, from float32 and float16 tensors', () => {
    const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const rows = logitsAt(new Tensor('float32', data, [2, 3, 4]));
    assert.deepEqual(Array.from(rows[1]), [20, 21, 22, 23]);
    const half = logitsAt(new Tensor('float16', float32ToFloat16(data), [2, 3, 4]), 0);
    assert.deepEqual(Array.from(half[1]), [12, 13, 14, 15]);
  });
});

describe('selectBatchRows', () => {
  it('gathers and reorders rows of the first axis', () => {
    const t = new Tensor('float32', Float32Array.from([1, 1, 2, 2, 3, 3]), [3, 2]);
    const picked = selectBatchRows(t, [2, 0]);
    assert.deepEqual(picked.dims, [2, 2]);
    assert.deepEqual(Array.from(picked.data as Float32Array), [3, 3, 1, 1]);
    assert.throws(() => selectBatchRows(t, [3]), AppError);
  });
});

describe('resolveModelFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'olt-onnx-files-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'onnx'));
  for (const f of [
    'encoder_model_fp16.onnx',
    'encoder_model_quantized.onnx',
    'decoder_model_merged_q4.onnx',
  ]) {
    writeFileSync(join(dir, 'onnx', f), '');
  }
  writeFileSync(join(dir, 'config.json'), '{"d_model": 8}');

  it('maps precisions to the export suffixes, accepting _quantized for int8', () => {
    assert.equal(
      resolveModelFile(dir, 'encoder_model', 'fp16').file,
      join(dir, 'onnx', 'encoder_model_fp16.onnx'),
    );
    const int8 = resolveModelFile(dir, 'encoder_model', 'int8');
    assert.equal(int8.file, join(dir, 'onnx', 'encoder_model_quantized.onnx'));
    assert.equal(int8.precision, 'int8');
    assert.equal(resolveModelFile(dir, 'decoder_model_merged', 'q4').precision, 'q4');
  });

  it('auto picks the best variant present', () => {
    assert.equal(resolveModelFile(dir, 'encoder_model', 'auto').precision, 'fp16');
    assert.equal(resolveModelFile(dir, 'decoder_model_merged', 'auto').precision, 'q4');
  });

  it('a missing variant fails with the files that are present', () => {
    assert.throws(
      () => resolveModelFile(dir, 'encoder_model', 'fp32'),
      (err: AppError) =>
        err.code === 'FAILED_PRECONDITION' &&
        err.message.includes('encoder_model.onnx') &&
        err.message.includes('encoder_model_fp16.onnx, encoder_model_quantized.onnx'),
    );
    assert.throws(
      () => resolveModelFile(dir, 'encoder_model', 'fp8'),
      (err: AppError) => err.code === 'INVALID_ARGUMENT',
    );
  });

  it('readModelJson parses config files and names a missing one', () => {
    assert.deepEqual(readModelJson(dir, 'config.json'), { d_model: 8 });
    assert.throws(() => readModelJson(dir, 'generation_config.json'), /generation_config.json not found/);
  });
});
