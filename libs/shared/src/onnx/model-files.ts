import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedPrecondition, invalidArgument } from '../errors';

/**
 * File-name suffixes of Hugging Face / transformers.js ONNX exports, per precision, in order of preference.
 * "int8" accepts both names the exports use (`_int8` and the dynamic-quantized `_quantized`).
 */
export const PRECISION_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  fp32: [''],
  fp16: ['_fp16'],
  int8: ['_int8', '_quantized'],
  uint8: ['_uint8'],
  quantized: ['_quantized', '_int8'],
  q4: ['_q4'],
  q4f16: ['_q4f16'],
  bnb4: ['_bnb4'],
};

/** What `auto` tries, best first: full precision, then the smaller variants a download may be limited to. */
const AUTO_ORDER = ['fp32', 'fp16', 'int8', 'q4f16', 'q4', 'uint8', 'bnb4'];

export interface ResolvedModelFile {
  /** Absolute or dir-relative path of the chosen .onnx file. */
  file: string;
  /** The concrete precision it stands for ("fp32", "fp16", "int8", …), never "auto". */
  precision: string;
}

/**
 * Picks `{dir}/onnx/{baseName}{suffix}.onnx` for a precision ("auto" takes the first present in AUTO_ORDER).
 * Throws an error that lists the files present, so a person can see which variant was downloaded.
 */
export function resolveModelFile(dir: string, baseName: string, precision: string): ResolvedModelFile {
  const onnxDir = join(dir, 'onnx');
  const wanted = precision === 'auto' ? AUTO_ORDER : [precision];
  for (const p of wanted) {
    const suffixes = PRECISION_SUFFIXES[p];
    if (!suffixes) {
      throw invalidArgument(
        `unknown model precision "${p}"; use auto or one of ${Object.keys(PRECISION_SUFFIXES).join(', ')}`,
      );
    }
    for (const suffix of suffixes) {
      const file = join(onnxDir, `${baseName}${suffix}.onnx`);
      if (existsSync(file)) return { file, precision: p };
    }
  }
  const present = existsSync(onnxDir) ? readdirSync(onnxDir).filter((f) => f.endsWith('.onnx')) : [];
  const expected = wanted.flatMap((p) => PRECISION_SUFFIXES[p].map((s) => `${baseName}${s}.onnx`));
  throw failedPrecondition(
    `model file for ${baseName} at precision ${precision} not found in ${onnxDir} ` +
      `(looked for ${expected.join(', ')}; present: ${present.length ? present.join(', ') : 'none'}). ` +
      `Download that variant or choose a precision that is present.`,
  );
}

/** Reads and parses a JSON file of a model directory (config.json, generation_config.json, …). */
export function readModelJson<T = Record<string, unknown>>(dir: string, name: string): T {
  const file = join(dir, name);
  if (!existsSync(file)) {
    throw failedPrecondition(`${name} not found in model directory ${dir}; is this a Hugging Face export?`);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw failedPrecondition(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}
