import { invalidArgument } from '@olt/shared';
import { bytesPerSample, type PcmEncoding } from './pcm-format';

export interface DecodeFormat {
  encoding: PcmEncoding;
  channels: number;
}

/** Interleaved little-endian PCM → mono float32 (the average of the channels). */
export function decodePcm(data: Buffer, format: DecodeFormat): Float32Array {
  const out = new Float32Array(monoSampleCount(data, format));
  decodePcmInto(data, format, out);
  return out;
}

/** Number of mono samples a chunk decodes to; throws when it does not hold whole sample frames. */
export function monoSampleCount(data: Buffer, format: DecodeFormat): number {
  const frameBytes = bytesPerSample(format.encoding) * format.channels;
  if (data.length % frameBytes !== 0) {
    const per = `${bytesPerSample(format.encoding)} bytes per sample × ${format.channels} channel${format.channels === 1 ? '' : 's'}`;
    throw invalidArgument(
      `audio chunk has ${data.length} bytes; ${format.encoding} needs a multiple of ${frameBytes} bytes (${per}). ` +
        'Send whole sample frames in every chunk.',
    );
  }
  return data.length / frameBytes;
}

/**
 * Decodes into `out` (at least monoSampleCount long) so a stream can reuse one buffer for every chunk.
 * Returns the number of samples written.
 */
export function decodePcmInto(data: Buffer, format: DecodeFormat, out: Float32Array): number {
  const n = monoSampleCount(data, format);
  if (out.length < n) throw new RangeError(`decodePcmInto: output holds ${out.length} samples, ${n} needed`);
  const channels = format.channels;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (format.encoding === 'LINEAR16') {
    const scale = 1 / (32768 * channels);
    for (let i = 0, b = 0; i < n; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++, b += 2) sum += view.getInt16(b, true);
      out[i] = sum * scale;
    }
    return n;
  }
  const scale = 1 / channels;
  for (let i = 0, b = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, b += 4) {
      const v = view.getFloat32(b, true);
      // NaN and ±Inf would poison the resampler and VAD state for the rest of the stream.
      if (!Number.isFinite(v)) {
        throw invalidArgument(
          `audio chunk holds a non-finite FLOAT32 sample (${v}) at frame ${i}, channel ${c}; ` +
            'FLOAT32 audio must be finite values, normally in [-1, 1]',
        );
      }
      sum += v;
    }
    out[i] = sum * scale;
  }
  return n;
}
