import { spawn } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { inputError, usageError } from '../exit-codes';
import { pcmChunks } from './pcm-chunks';
import { bytesPerFrame, parseWavHeader, type PcmFormat, type WavHeader } from './wav-reader';

/**
 * Where the audio comes from. Every source is streamed: a file or an ffmpeg pipe is read as it is sent,
 * so an hour-long recording costs no more memory than a minute.
 */
export interface AudioInput {
  name: string;
  format: PcmFormat;
  /** Total bytes when known (WAV files; progress bar); undefined for pipes and devices. */
  totalBytes?: number;
  /** PCM in whole frames, in order. Call once. */
  chunks(chunkBytes: number): AsyncIterable<Buffer>;
  /** True for stdin and devices: pacing comes from the producer, not from us. */
  live: boolean;
  /** Stops the source (Ctrl+C): closes the file, stops ffmpeg, stops reading stdin. */
  close(): void;
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
  if (ext === '.wav' || ext === '.wave') return wavFileInput(path);
  return ffmpegInput(path, ['-i', path], { live: false });
}

/**
 * Capture from an audio device through ffmpeg: `device` is `<ffmpeg input format>:<device name>`, e.g.
 * `pulse:default`, `alsa:hw:0`, `dshow:audio=Microphone`, `avfoundation::0` (anything `ffmpeg -f F -i D`
 * takes, also `lavfi:sine=frequency=440`).
 */
export function openDeviceInput(device: string): Promise<AudioInput> {
  const colon = device.indexOf(':');
  if (colon < 1 || colon === device.length - 1)
    throw usageError(
      `--device must be <ffmpeg format>:<device>, e.g. pulse:default or alsa:hw:0, not "${device}"`,
    );
  const [format, name] = [device.slice(0, colon), device.slice(colon + 1)];
  // 16 kHz mono is what the gateway works in: resampling here sends a sixth of 48 kHz stereo's bytes.
  return ffmpegInput(`${format} device ${name}`, ['-f', format, '-i', name, '-ac', '1', '-ar', '16000'], {
    live: true,
  });
}

async function wavFileInput(path: string): Promise<AudioInput> {
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw inputError(`cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  try {
    const size = (await file.stat()).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await file.read(head, 0, head.length, 0);
    const header = parseWavHeader(head, path) ?? parseWavHeader(await readAll(file, size), path);
    if (!header) throw inputError(`${path} has no "data" chunk`);
    const available = Math.max(0, size - header.dataOffset);
    const dataBytes = Math.min(header.dataBytes ?? available, available);
    const frame = bytesPerFrame(header.format);
    const stream = file.createReadStream({ start: header.dataOffset, highWaterMark: 64 * 1024 });
    return {
      name: path,
      format: header.format,
      totalBytes: dataBytes - (dataBytes % frame),
      live: false,
      chunks: (chunkBytes) => pcmChunks(stream, chunkBytes, frame, undefined, dataBytes),
      close: () => stream.destroy(),
    };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** A header that does not fit the first 64 KiB (large LIST chunks): read up to 1 MiB. */
async function readAll(file: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.min(size, (1 << 20) + 8));
  await file.read(buf, 0, buf.length, 0);
  return buf;
}

/** ffmpeg decodes to 16-bit WAV on a pipe (streamed: sizes unknown), read as it comes. */
async function ffmpegInput(name: string, inputArgs: string[], opts: { live: boolean }): Promise<AudioInput> {
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      ...inputArgs,
      '-vn',
      '-f',
      'wav',
      '-c:a',
      'pcm_s16le',
      '-',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  let stopped = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? inputError(
              `${name} needs ffmpeg, which is not installed (apt-get install ffmpeg${opts.live ? '' : ', or convert to WAV'})`,
            )
          : inputError(`cannot run ffmpeg for ${name}: ${e.message}`),
      ),
    );
    child.once('close', (code) => resolve(code));
  });
  const failure = async () => {
    const code = await exited;
    return inputError(`ffmpeg cannot read ${name}: ${stderr.trim().split('\n').pop() || `exit ${code}`}`);
  };
  const source = child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let header: WavHeader | undefined;
  while (!header) {
    // ffmpeg's stdout ends when it exits (also when it could not start): then say why.
    const next = await source.next();
    if (next.done) throw await failure();
    head = Buffer.concat([head, next.value]);
    header = parseWavHeader(head, name);
  }
  const frame = bytesPerFrame(header.format);
  const rest = head.subarray(header.dataOffset);
  return {
    name,
    format: header.format,
    live: opts.live,
    async *chunks(chunkBytes) {
      yield* pcmChunks({ [Symbol.asyncIterator]: () => source }, chunkBytes, frame, rest);
      const code = await exited;
      if (code !== 0 && !stopped) throw await failure();
    },
    close: () => {
      stopped = true;
      // SIGINT lets ffmpeg end its output cleanly (what a terminal's Ctrl+C sends it anyway).
      if (child.exitCode === null) child.kill('SIGINT');
    },
  };
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
  return {
    name: 'stdin',
    format,
    live: true,
    chunks: (chunkBytes) => pcmChunks(process.stdin, chunkBytes, bytesPerFrame(format)),
    close: () => process.stdin.destroy(),
  };
}
