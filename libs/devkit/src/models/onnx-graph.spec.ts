import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { encodeModel, GraphBuilder, SeededRandom, toFloat16, writeModel } from './onnx-graph';

/** y = If(flag, x·W + b, concat(past, x) along axis 1): initializers, attributes and a subgraph reading outer values. */
function buildGraph(seed: number): GraphBuilder {
  const g = new GraphBuilder('test');
  const rng = new SeededRandom(seed);
  const x = g.input('x', 'float32', ['batch', 3]);
  const past = g.input('past', 'float32', ['batch', 'p']);
  const flag = g.input('flag', 'bool', [1]);
  const w = g.random('w', [3, 3], rng, 1);
  const affine = g.subgraph('affine');
  affine.output(
    'a_out',
    'float32',
    ['batch', 3],
    affine.op('Add', [affine.op('MatMul', [x, w]), affine.floats('b', [1, 2, 3])]),
  );
  const concat = g.subgraph('concat');
  concat.output('c_out', 'float32', ['batch', 'q'], concat.op('Concat', [past, x], { axis: 1 }));
  const [y] = g.node('If', [flag], 1, { then_branch: affine, else_branch: concat });
  g.output('y', 'float32', ['batch', 'q'], y);
  g.output('w_out', 'float32', [3, 3], g.op('Identity', [w]));
  return g;
}

describe('ONNX graph builder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'olt-onnx-graph-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a model that ONNX Runtime runs, including If subgraphs and zero-size inputs', async () => {
    const file = join(dir, 'test.onnx');
    writeModel(file, buildGraph(7));
    const session = await InferenceSession.create(file);
    const x = new Tensor('float32', Float32Array.from([1, 0, 0]), [1, 3]);
    const empty = new Tensor('float32', new Float32Array(0), [1, 0]);
    const withAffine = await session.run({ x, past: empty, flag: new Tensor('bool', [true], [1]) });
    const w = withAffine.w_out.data as Float32Array;
    // x = e0, so x·W + b is W's first row plus b.
    assert.deepEqual(
      Array.from(withAffine.y.data as Float32Array),
      [w[0] + 1, w[1] + 2, w[2] + 3].map(Math.fround),
    );
    const withConcat = await session.run({ x, past: empty, flag: new Tensor('bool', [false], [1]) });
    assert.deepEqual(withConcat.y.dims, [1, 3]);
    await session.release();
  });

  it('is deterministic: the same calls give the same bytes, another seed different ones', () => {
    assert.deepEqual(encodeModel(buildGraph(7)), encodeModel(buildGraph(7)));
    assert.notDeepEqual(encodeModel(buildGraph(7)), encodeModel(buildGraph(8)));
    writeModel(join(dir, 'a.onnx'), buildGraph(7));
    assert.deepEqual(readFileSync(join(dir, 'a.onnx')), Buffer.from(encodeModel(buildGraph(7))));
  });

  it('gives a reused initializer name a suffix instead of a duplicate', () => {
    const g = new GraphBuilder('names');
    assert.equal(g.ints('shape', [1]), 'shape');
    assert.equal(g.ints('shape', [2]), 'shape_1');
    assert.equal(g.subgraph('sub').floats('shape', [1]), 'sub/shape');
  });

  it('SeededRandom repeats its sequence per seed and stays in range', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b.next()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const normals = new SeededRandom(1).normals(20000, 2);
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    const std = Math.sqrt(normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length);
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(std - 2) < 0.05, `mean ${mean}, std ${std}`);
  });

  it('toFloat16 encodes half-precision bit patterns (round to nearest even)', () => {
    const bits = Array.from(
      toFloat16([1, -2, 65504, 1e6, 2 ** -24, 0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0, -0]),
    );
    assert.deepEqual(bits, [0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x2e66, 0x3c00, 0x3c02, 0, 0x8000]);
  });
});
