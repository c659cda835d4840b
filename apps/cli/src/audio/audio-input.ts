import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { inputError, usageError } from '../exit-codes';
import { bytesPerFrame, parseWav, type PcmFormat } from './wav-reader';

/** Where the audio comes from: the whole file in memory (files) or a live byte stream (stdin). */
export interface AudioInput {
  name: string;
  format: PcmFormat;
  /** Total bytes for files (progress bar); undefined for live input. */
  totalBytes?: number;
  /** PCM in whole frames, in order. */
  chunks(chunkBytes: number): AsyncIterable<Buffer>;
  /** True for stdin: pacing comes from the producer, not from us. */
  live: boolean;
}

export interface RawFormatOptions {
  format?: string;
  rate?: number;
  channels?: number;
}

/** Opens `path`: a WAV file, any other file through ffmpeg (FLAC, MP3, …), or '-' = raw PCM on stdin. */
export async function openAudioInput(path: string, raw: RawFormatOptions): Promise<AudioInput> {
  if (path === '-') return stdinInput(raw);
  const ext = extname(path).toLowerCase();
  let file: Buffer;
  if (ext === '.wav' || ext === '.wave') {
    file = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw inputError(`cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
  } else {
    file = await decodeWithFfmpeg(path);
  }
  const audio = parseWav(file, path);
  return fromBuffer(path, audio.format, audio.data);
}

function fromBuffer(name: string, format: PcmFormat, data: Buffer): AudioInput {
  return {
    name,
    format,
    totalBytes: data.length,
    live: false,
    async *chunks(chunkBytes: number) {
      for (let off = 0; off < data.length; off += chunkBytes)
        yield data.subarray(off, Math.min(off + chunkBytes, data.length));
    },
  };
}

/** FLAC and other containers: ffmpeg decodes to 16-bit WAV on a pipe, keeping rate and channels. */
function decodeWithFfmpeg(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-i',
        path,
        '-vn',
        '-f',
        'wav',
        '-c:a',
        'pcm_s16le',
        '-',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? inputError(
              `${path} is not a WAV file and ffmpeg is not installed to decode it (apt-get install ffmpeg, or convert to WAV)`,
            )
          : inputError(`cannot run ffmpeg for ${path}: ${e.message}`),
      ),
    );
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(inputError(`ffmpeg cannot decode ${path}: ${err.trim().split('\n').pop() || `exit ${code}`}`));
    });
  });
}

function stdinInput(raw: RawFormatOptions): AudioInput {
  const encodings: Record<string, PcmFormat['encoding']> = { s16le: 'LINEAR16', f32le: 'FLOAT32' };
  const encoding = encodings[raw.format ?? 's16le'];
  if (!encoding) throw usageError(`--format must be s16le or f32le, not "${raw.format}"`);
  const format: PcmFormat = { encoding, sampleRateHz: raw.rate ?? 48000, channels: raw.channels ?? 2 };
  if (!Number.isInteger(format.sampleRateHz) || format.sampleRateHz < 1)
    throw usageError('--rate must be a positive integer (Hz)');
  if (!Number.isInteger(format.channels) || format.channels < 1)
    throw usageError('--channels must be a positive integer');
  const frame = bytesPerFrame(format);
  return {
    name: 'stdin',
    format,
    live: true,
    async *chunks(chunkBytes: number) {
      // Pipes deliver arbitrary byte counts: regroup into chunks of whole frames.
      let pending: Buffer = Buffer.alloc(0);
      for await (const piece of process.stdin as AsyncIterable<Buffer>) {
        pending = pending.length ? Buffer.concat([pending, piece]) : piece;
        while (pending.length >= chunkBytes) {
          yield pending.subarray(0, chunkBytes);
          pending = pending.subarray(chunkBytes);
        }
      }
      const whole = pending.length - (pending.length % frame);
      if (whole > 0) yield pending.subarray(0, whole);
    },
  };
}
