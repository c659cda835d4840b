import { invalidArgument } from '@olt/shared';

export type PcmEncoding = 'LINEAR16' | 'FLOAT32';

/** A validated client audio format. */
export interface PcmFormat {
  encoding: PcmEncoding;
  sampleRateHz: number;
  channels: number;
}

export const MIN_SAMPLE_RATE_HZ = 8000;
export const MAX_SAMPLE_RATE_HZ = 192000;
export const MAX_CHANNELS = 8;

/** Bytes per sample of one channel. */
export function bytesPerSample(encoding: PcmEncoding): number {
  return encoding === 'LINEAR16' ? 2 : 4;
}

/**
 * Checks the format a client sent in StreamConfig (the proto may carry the encoding as its name or its
 * number) and returns it typed. Throws invalidArgument naming the bad value and what is accepted.
 */
export function validateAudioFormat(format: {
  encoding?: string | number | null;
  sampleRateHz?: number | null;
  channels?: number | null;
}): PcmFormat {
  const encoding = normaliseEncoding(format.encoding);
  const rate = format.sampleRateHz ?? 0;
  if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE_HZ || rate > MAX_SAMPLE_RATE_HZ) {
    throw invalidArgument(
      `audio.sample_rate_hz is ${rate}${rate === 0 ? ' (not set)' : ''}; it must be a whole number of Hz ` +
        `from ${MIN_SAMPLE_RATE_HZ} to ${MAX_SAMPLE_RATE_HZ} (e.g. 16000, 44100 or 48000)`,
    );
  }
  const channels = format.channels ?? 0;
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw invalidArgument(
      `audio.channels is ${channels}${channels === 0 ? ' (not set)' : ''}; it must be from 1 to ${MAX_CHANNELS} ` +
        '(channels are interleaved and mixed down to mono)',
    );
  }
  return { encoding, sampleRateHz: rate, channels };
}

function normaliseEncoding(value: string | number | null | undefined): PcmEncoding {
  if (value === 'LINEAR16' || value === 1) return 'LINEAR16';
  if (value === 'FLOAT32' || value === 2) return 'FLOAT32';
  throw invalidArgument(
    `audio.encoding is ${value === undefined || value === null || value === 0 || value === 'AUDIO_ENCODING_UNSPECIFIED' ? 'not set' : JSON.stringify(value)}; ` +
      'use LINEAR16 (signed 16-bit little-endian PCM) or FLOAT32 (32-bit float little-endian PCM)',
  );
}
