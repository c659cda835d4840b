import { parseWav as parseSharedWav } from '@olt/shared';
import { inputError } from '../exit-codes';

/** The PCM encodings the gateway accepts (proto AudioEncoding names). */
export type PcmEncoding = 'LINEAR16' | 'FLOAT32';

export interface PcmFormat {
  encoding: PcmEncoding;
  sampleRateHz: number;
  channels: number;
}

export interface PcmAudio {
  format: PcmFormat;
  /** Little-endian PCM, channels interleaved, whole frames only: exactly what goes on the wire. */
  data: Buffer;
}

export function bytesPerFrame(format: PcmFormat): number {
  return (format.encoding === 'LINEAR16' ? 2 : 4) * format.channels;
}

/**
 * Reads 16-bit PCM and 32-bit float WAVs with the shared reader (any chunk order; streamed WAVs whose
 * sizes are 0 or 0xFFFFFFFF, as ffmpeg writes to a pipe); its errors become the CLI's input errors.
 */
export function parseWav(file: Buffer, name: string): PcmAudio {
  if (
    file.length < 12 ||
    file.toString('ascii', 0, 4) !== 'RIFF' ||
    file.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw inputError(`${name} is not a WAV file (no RIFF/WAVE header); FLAC and other formats need ffmpeg`);
  }
  try {
    const wav = parseSharedWav(file, name);
    if (wav.sampleRate < 1) throw new Error(`${name} declares a sample rate of ${wav.sampleRate} Hz`);
    return {
      format: { encoding: wav.encoding, sampleRateHz: wav.sampleRate, channels: wav.channels },
      data: wav.data,
    };
  } catch (err) {
    throw inputError(err instanceof Error ? err.message : String(err));
  }
}
