import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnx } from 'onnx-proto';

/**
 * A small typed builder over onnx-proto for the generated test models: inputs/outputs with symbolic dims,
 * seeded initializers, nodes (with subgraphs for If), and a writer. Names are deterministic, so the same
 * calls always produce the same bytes.
 */

export type ElemType = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';
/** A fixed size or a symbolic name such as "batch_size". */
export type Dim = number | string;

const DATA_TYPE: Record<ElemType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** ONNX TensorProto data type number of an element type (for Cast's `to` attribute). */
export function onnxDataType(elem: ElemType): number {
  return DATA_TYPE[elem];
}

/** Data of an initializer; float16 data is given as IEEE half bit patterns. */
export type TensorData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

/** Attribute values: integers, floats (wrap an integral float as `{ float: 1 }`), lists, strings, graphs. */
export type AttrValue = number | { float: number } | number[] | { floats: number[] } | string | GraphBuilder;

/** Deterministic PRNG (mulberry32) so generated weights are byte-identical on every run and machine. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [-scale, scale). */
  uniform(scale = 1): number {
    return (this.next() * 2 - 1) * scale;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** `count` floats, normal with the given standard deviation. */
  normals(count: number, std = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * std;
    return out;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * float32 values → IEEE half bit patterns (round to nearest even), for float16 initializers. Written
 * independently of @olt/shared's runtime conversion on purpose, so tests of one never rely on the other.
 */
export function toFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = Math.fround(values[i]);
    const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
    const a = Math.abs(x);
    if (Number.isNaN(a)) out[i] = 0x7e00;
    else if (a >= 65520)
      out[i] = sign | 0x7c00; // rounds past the largest half (65504)
    else if (a < 2 ** -14)
      out[i] = sign | roundHalfEven(a / 2 ** -24); // subnormal: multiples of 2^-24
    else {
      const e = Math.floor(Math.log2(a));
      const exp = a >= 2 ** (e + 1) ? e + 1 : a < 2 ** e ? e - 1 : e; // guard log2 rounding
      const mant = roundHalfEven((a / 2 ** exp - 1) * 1024); // 0..1024; 1024 carries into the exponent
      out[i] = sign | (((exp + 15) << 10) + mant);
    }
  }
  return out;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  return r > 0.5 || (r === 0.5 && f % 2 === 1) ? f + 1 : f;
}

function valueInfo(name: string, elem: ElemType, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[elem],
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function elemOf(data: TensorData): ElemType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}

/** A TensorProto with little-endian raw bytes (typed arrays are little-endian on every host we run on). */
export function tensorProto(name: string, data: TensorData, dims: readonly number[]): onnx.ITensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length)
    throw new Error(`tensor ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
  return {
    name,
    dims: [...dims],
    dataType: DATA_TYPE[elemOf(data)],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (value instanceof GraphBuilder) return { name, type: T.GRAPH, g: value.toGraph() };
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  }
  if ('floats' in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.FLOAT, f: value.float };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly initializerNames = new Set<string>();

  /** `prefix` keeps value names unique across a graph and its subgraphs (they share one counter). */
  constructor(
    readonly name: string,
    private readonly prefix = '',
    private readonly counter = { next: 0 },
  ) {}

  /** A subgraph (an If branch) that may read this graph's values by name. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(name, `${this.prefix}${name}/`, this.counter);
  }

  input(name: string, elem: ElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Declares a graph output; `from` (a value computed in this graph) is renamed to `name` with Identity. */
  output(name: string, elem: ElemType, dims: readonly Dim[], from?: string): string {
    if (from !== undefined && from !== name)
      this.nodes.push({
        opType: 'Identity',
        input: [from],
        output: [name],
        name: `${this.prefix}${name}_out`,
      });
    this.outputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Adds a constant tensor; a name used before in this graph gets a numeric suffix. Returns the name used. */
  initializer(name: string, data: TensorData, dims: readonly number[]): string {
    let full = `${this.prefix}${name}`;
    for (let n = 1; this.initializerNames.has(full); n++) full = `${this.prefix}${name}_${n}`;
    this.initializerNames.add(full);
    this.initializers.push(tensorProto(full, data, dims));
    return full;
  }

  /** Float32 constant (scalar when dims is []). */
  floats(name: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.initializer(name, Float32Array.from(values), dims);
  }

  /** Int64 constant (scalar when dims is []). */
  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(name, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  /** Normal random float32 weights from a seeded PRNG. */
  random(name: string, dims: readonly number[], rng: SeededRandom, std: number): string {
    return this.initializer(
      name,
      rng.normals(
        dims.reduce((a, b) => a * b, 1),
        std,
      ),
      dims,
    );
  }

  /** Adds a node; returns its output names (auto-named when a count is given). */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: number | readonly string[] = 1,
    attrs: Record<string, AttrValue> = {},
    domain?: string,
  ): string[] {
    const id = this.counter.next++;
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, k) => `${this.prefix}${opType}_${id}_${k}`)
        : [...outputs];
    this.nodes.push({
      name: `${this.prefix}${opType}_${id}`,
      opType,
      domain: domain ?? '',
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A node with one output, returned by name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, 1, attrs)[0];
  }

  toGraph(): onnx.IGraphProto {
    return {
      name: this.name,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
    };
  }
}

export interface ModelOptions {
  opset?: number;
  producer?: string;
  docString?: string;
}

/** Serializes a graph as an ONNX model (IR version 8, default opset 17). */
export function encodeModel(graph: GraphBuilder, options: ModelOptions = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: options.opset ?? 17 }],
    producerName: options.producer ?? 'olt-devkit',
    producerVersion: '1',
    docString: options.docString ?? '',
    graph: graph.toGraph(),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the model to `file`, creating parent folders; returns the byte count. */
export function writeModel(file: string, graph: GraphBuilder, options: ModelOptions = {}): number {
  const bytes = encodeModel(graph, options);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return bytes.byteLength;
}
