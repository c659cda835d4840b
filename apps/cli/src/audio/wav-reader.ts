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

const isRiffWave = (file: Buffer) =>
  file.length >= 12 && file.toString('ascii', 0, 4) === 'RIFF' && file.toString('ascii', 8, 12) === 'WAVE';

const notWav = (name: string) =>
  inputError(`${name} is not a WAV file (no RIFF/WAVE header); FLAC and other formats need ffmpeg`);

/**
 * Reads 16-bit PCM and 32-bit float WAVs with the shared reader (any chunk order; streamed WAVs whose
 * sizes are 0 or 0xFFFFFFFF, as ffmpeg writes to a pipe); its errors become the CLI's input errors.
 */
export function parseWav(file: Buffer, name: string): PcmAudio {
  if (!isRiffWave(file)) throw notWav(name);
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

export interface WavHeader {
  format: PcmFormat;
  /** Where the PCM starts in the stream. */
  dataOffset: number;
  /** Bytes of PCM the header declares; undefined when streamed (0 or 0xFFFFFFFF): read to the end. */
  dataBytes?: number;
}

/** Chunks before "data" (fmt, LIST, …) larger than this mean the input is not audio we can stream. */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * The header of a WAV whose beginning is `head`: undefined while `head` does not yet reach the start of
 * the "data" chunk (read more and call again). Validation is the shared reader's, run on the header alone.
 */
export function parseWavHeader(head: Buffer, name: string): WavHeader | undefined {
  if (head.length >= 12 && !isRiffWave(head)) throw notWav(name);
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = head.toString('ascii', offset, offset + 4);
    const declared = head.readUInt32LE(offset + 4);
    if (id === 'data') {
      // The header alone, with an empty data chunk: the shared reader checks fmt and encoding.
      const headerOnly = Buffer.from(head.subarray(0, offset + 8));
      headerOnly.writeUInt32LE(0, offset + 4);
      const { format } = parseWav(headerOnly, name);
      const streamed = declared === 0 || declared === 0xffffffff;
      return { format, dataOffset: offset + 8, dataBytes: streamed ? undefined : declared };
    }
    offset += 8 + declared + (declared % 2);
  }
  if (offset > MAX_HEADER_BYTES || head.length > MAX_HEADER_BYTES)
    throw inputError(`${name}: no "data" chunk within the first ${MAX_HEADER_BYTES} bytes`);
  return undefined;
}
