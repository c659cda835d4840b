import { readFileSync, writeFileSync } from 'node:fs';
import { invalidArgument } from '../errors';

/** PCM encodings the gateway accepts on the wire (same names as the proto's AudioEncoding). */
export type PcmEncoding = 'LINEAR16' | 'FLOAT32';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  encoding: PcmEncoding;
  /** Samples in [-1, 1], channels interleaved. */
  samples: Float32Array;
  /** The raw little-endian PCM bytes of the data chunk, exactly as a client would stream them. */
  data: Buffer;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Reads a PCM16 or float32 WAV file (any chunk order; LIST/fact/… chunks are skipped). */
export function readWav(path: string): WavAudio {
  return parseWav(readFileSync(path), path);
}

export function parseWav(file: Buffer, name = 'WAV data'): WavAudio {
  if (
    file.length < 12 ||
    file.toString('ascii', 0, 4) !== 'RIFF' ||
    file.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw invalidArgument(`${name} is not a RIFF/WAVE file (it does not start with "RIFF....WAVE")`);
  }
  let fmt: { formatTag: number; channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  let data: Buffer | undefined;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const declared = file.readUInt32LE(offset + 4);
    const bodyStart = offset + 8;
    // Streamed WAVs often leave the size of the last chunk at 0 or 0xFFFFFFFF: read up to the end of file.
    const size = declared === 0 || bodyStart + declared > file.length ? file.length - bodyStart : declared;
    if (id === 'fmt ') {
      if (size < 16) throw invalidArgument(`${name}: fmt chunk is ${size} bytes, at least 16 are required`);
      let formatTag = file.readUInt16LE(bodyStart);
      if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40)
          throw invalidArgument(`${name}: WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes`);
        // The sub-format GUID starts with the plain format tag.
        formatTag = file.readUInt16LE(bodyStart + 24);
      }
      fmt = {
        formatTag,
        channels: file.readUInt16LE(bodyStart + 2),
        sampleRate: file.readUInt32LE(bodyStart + 4),
        bitsPerSample: file.readUInt16LE(bodyStart + 14),
      };
    } else if (id === 'data') {
      data = file.subarray(bodyStart, bodyStart + size);
    }
    // Chunks are padded to an even size.
    offset = bodyStart + size + (size % 2);
  }
  if (!fmt) throw invalidArgument(`${name} has no "fmt " chunk`);
  if (!data) throw invalidArgument(`${name} has no "data" chunk`);
  const encoding = encodingOf(fmt.formatTag, fmt.bitsPerSample);
  if (!encoding) {
    throw invalidArgument(
      `${name} holds ${describeFormat(fmt.formatTag, fmt.bitsPerSample)}; only 16-bit PCM and 32-bit float ` +
        'WAVs are supported (convert with `sox in.wav -b 16 -e signed-integer out.wav`)',
    );
  }
  if (fmt.channels < 1) throw invalidArgument(`${name} declares ${fmt.channels} channels`);
  const frameBytes = (encoding === 'LINEAR16' ? 2 : 4) * fmt.channels;
  // A truncated file may end mid-frame: keep whole frames only.
  const pcm = Buffer.from(data.subarray(0, data.length - (data.length % frameBytes)));
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    encoding,
    samples: fromPcm(pcm, encoding),
    data: pcm,
  };
}

function encodingOf(formatTag: number, bits: number): PcmEncoding | undefined {
  if (formatTag === WAVE_FORMAT_PCM && bits === 16) return 'LINEAR16';
  if (formatTag === WAVE_FORMAT_IEEE_FLOAT && bits === 32) return 'FLOAT32';
  return undefined;
}

function describeFormat(formatTag: number, bits: number): string {
  if (formatTag === WAVE_FORMAT_PCM) return `${bits}-bit integer PCM`;
  if (formatTag === WAVE_FORMAT_IEEE_FLOAT) return `${bits}-bit float PCM`;
  return `audio in WAV format tag 0x${formatTag.toString(16).padStart(4, '0')} (${bits} bits per sample)`;
}

export interface WavWriteInput {
  sampleRate: number;
  channels: number;
  encoding: PcmEncoding;
  /** Samples in [-1, 1], channels interleaved. */
  samples: Float32Array;
}

/** Encodes a canonical WAV (RIFF, fmt, data); float32 files use format tag 3. */
export function encodeWav(input: WavWriteInput): Buffer {
  if (input.samples.length % input.channels !== 0) {
    throw invalidArgument(
      `${input.samples.length} interleaved samples do not split into ${input.channels} channels evenly`,
    );
  }
  const pcm = toPcm(input.samples, input.encoding);
  const bytesPerSample = input.encoding === 'LINEAR16' ? 2 : 4;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(input.encoding === 'LINEAR16' ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT, 20);
  header.writeUInt16LE(input.channels, 22);
  header.writeUInt32LE(input.sampleRate, 24);
  header.writeUInt32LE(input.sampleRate * input.channels * bytesPerSample, 28);
  header.writeUInt16LE(input.channels * bytesPerSample, 32);
  header.writeUInt16LE(bytesPerSample * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

export function writeWav(path: string, input: WavWriteInput): void {
  writeFileSync(path, encodeWav(input));
}

/** Float samples → little-endian PCM bytes as a client would send them (LINEAR16 clips to [-1, 1]). */
export function toPcm(samples: Float32Array, encoding: PcmEncoding): Buffer {
  if (encoding === 'FLOAT32') {
    const out = Buffer.alloc(samples.length * 4);
    for (let i = 0; i < samples.length; i++) out.writeFloatLE(samples[i], i * 4);
    return out;
  }
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s * 32768))), i * 2);
  }
  return out;
}

/** Little-endian PCM bytes → float samples (interleaved, LINEAR16 scaled by 1/32768). */
export function fromPcm(data: Buffer, encoding: PcmEncoding): Float32Array {
  if (encoding === 'FLOAT32') {
    const out = new Float32Array(data.length >> 2);
    for (let i = 0; i < out.length; i++) out[i] = data.readFloatLE(i * 4);
    return out;
  }
  const out = new Float32Array(data.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = data.readInt16LE(i * 2) / 32768;
  return out;
}
