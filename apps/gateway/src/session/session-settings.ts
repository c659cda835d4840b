import { invalidArgument, resolveLanguage, type LanguageInfo, type StreamConfig__Output } from '@olt/shared';
import { parseGlossary } from '../translate/glossary-terms';

const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'CRITICAL'] as const;
export type StreamPriority = (typeof PRIORITIES)[number];

/** A validated StreamConfig: everything the session needs, in checked, resolved form. */
export interface SessionSettings {
  sessionId: string;
  resumeFromMs: number;
  audio: { encoding: 'LINEAR16' | 'FLOAT32'; sampleRateHz: number; channels: number };
  /** undefined = detect. */
  source?: LanguageInfo;
  targets: LanguageInfo[];
  interimResults: boolean;
  silenceMs?: number;
  maxSegmentMs?: number;
  priority: StreamPriority;
  glossary: Array<{ source: string; target: string }>;
  /** Mask profanity in this stream's translations (on top of the tenant's setting). */
  maskProfanity: boolean;
}

export interface SettingsLimits {
  maxTargets: number;
  maxGlossaryTerms: number;
  maxGlossaryTermChars: number;
  minSampleRateHz: number;
  maxSampleRateHz: number;
  maxChannels: number;
}

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Whisper sees 30 s at a time; a longer segment cannot be transcribed in one pass. */
const MAX_SEGMENT_MS = 30_000;
/** resume_from_ms beyond ten years of audio is a client bug, and would lose precision in session times. */
const MAX_RESUME_MS = 10 * 365 * 24 * 3600 * 1000;
/**
 * More codes than there are languages cannot be a real request; refused before any code is looked up, so
 * a list of a million codes costs nothing.
 */
const MAX_TARGET_CODES = 256;

export function parseSessionSettings(
  config: StreamConfig__Output,
  limits: SettingsLimits,
  newSessionId: () => string,
): SessionSettings {
  const audio = config.audio;
  if (!audio)
    throw invalidArgument('StreamConfig.audio is required: set encoding, sample_rate_hz and channels');
  if (audio.encoding !== 'LINEAR16' && audio.encoding !== 'FLOAT32') {
    throw invalidArgument(`StreamConfig.audio.encoding must be LINEAR16 or FLOAT32 (got ${audio.encoding})`);
  }
  const rate = audio.sampleRateHz;
  if (!Number.isInteger(rate) || rate < limits.minSampleRateHz || rate > limits.maxSampleRateHz) {
    throw invalidArgument(
      `StreamConfig.audio.sample_rate_hz = ${rate} is not supported: use ${limits.minSampleRateHz}..${limits.maxSampleRateHz} Hz (e.g. 16000 or 48000)`,
    );
  }
  // Zero-valued fields: the audio format has no safe default (a guessed channel count garbles the audio),
  // so 0 is "not set" and refused like a missing sample rate; tuning fields (endpointing, priority,
  // resume_from_ms) treat 0 as "use the default".
  const channels = audio.channels;
  if (!Number.isInteger(channels) || channels < 1 || channels > limits.maxChannels) {
    throw invalidArgument(
      `StreamConfig.audio.channels = ${channels}${channels === 0 ? ' (not set)' : ''} is not supported: ` +
        `use 1..${limits.maxChannels} (1 = mono, 2 = interleaved stereo)`,
    );
  }

  const sessionId = config.sessionId || newSessionId();
  if (!SESSION_ID.test(sessionId)) {
    throw invalidArgument(
      'StreamConfig.session_id may hold only letters, digits and . _ : - (at most 128 characters)',
    );
  }

  const sourceCode = config.sourceLanguage.trim();
  const source =
    sourceCode === '' || sourceCode.toLowerCase() === 'auto'
      ? undefined
      : resolveLanguage(sourceCode, 'source');

  const targets = parseTargets(config.targetLanguages, limits.maxTargets);

  const silenceMs = config.endpointing?.silenceMs || undefined;
  if (silenceMs !== undefined && (silenceMs < 100 || silenceMs > 10_000)) {
    throw invalidArgument(`StreamConfig.endpointing.silence_ms = ${silenceMs} must be within 100..10000`);
  }
  const maxSegmentMs = config.endpointing?.maxSegmentMs || undefined;
  if (maxSegmentMs !== undefined && (maxSegmentMs < 1000 || maxSegmentMs > MAX_SEGMENT_MS)) {
    throw invalidArgument(
      `StreamConfig.endpointing.max_segment_ms = ${maxSegmentMs} must be within 1000..${MAX_SEGMENT_MS}`,
    );
  }

  const resumeFromMs = Number(config.resumeFromMs ?? 0);
  if (!Number.isSafeInteger(resumeFromMs) || resumeFromMs < 0 || resumeFromMs > MAX_RESUME_MS) {
    throw invalidArgument(
      `StreamConfig.resume_from_ms = ${String(config.resumeFromMs)} must be a position in the session's audio, ` +
        `from 0 to ${MAX_RESUME_MS} ms`,
    );
  }
  const priority =
    config.priority === 'PRIORITY_UNSPECIFIED' || !config.priority ? 'NORMAL' : config.priority;
  if (!(PRIORITIES as readonly unknown[]).includes(priority)) {
    // An unknown enum number arrives as the number itself: refused here rather than failing every job.
    throw invalidArgument(
      `StreamConfig.priority = ${String(config.priority)} is not a known priority: use LOW, NORMAL, HIGH or CRITICAL`,
    );
  }

  const glossary = parseGlossary(config.glossary, limits, 'StreamConfig.glossary');
  return {
    sessionId,
    resumeFromMs,
    audio: { encoding: audio.encoding, sampleRateHz: rate, channels },
    source,
    targets,
    interimResults: config.interimResults,
    silenceMs,
    maxSegmentMs,
    priority: priority as StreamPriority,
    glossary,
    maskProfanity: config.maskProfanity,
  };
}

export function parseTargets(codes: string[], maxTargets: number): LanguageInfo[] {
  if (codes.length > Math.max(MAX_TARGET_CODES, maxTargets)) {
    throw invalidArgument(
      `${codes.length} target languages requested; this plan allows at most ${maxTargets}`,
    );
  }
  const targets = dedupeTargets(codes.map((code) => resolveLanguage(code, 'target')));
  if (targets.length > maxTargets) {
    throw invalidArgument(
      `${targets.length} target languages requested; this plan allows at most ${maxTargets}`,
    );
  }
  return targets;
}

function dedupeTargets(targets: LanguageInfo[]): LanguageInfo[] {
  const seen = new Set<string>();
  return targets.filter((t) => (seen.has(t.flores) ? false : (seen.add(t.flores), true)));
}
