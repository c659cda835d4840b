import { invalidArgument, resolveLanguage, type LanguageInfo, type StreamConfig__Output } from '@olt/shared';

export type StreamPriority = 'LOW' | 'NORMAL' | 'HIGH' | 'CRITICAL';

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
  minSampleRateHz: number;
  maxSampleRateHz: number;
  maxChannels: number;
}

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Whisper sees 30 s at a time; a longer segment cannot be transcribed in one pass. */
const MAX_SEGMENT_MS = 30_000;

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
  const channels = audio.channels === 0 ? 1 : audio.channels;
  if (channels < 1 || channels > limits.maxChannels) {
    throw invalidArgument(
      `StreamConfig.audio.channels = ${audio.channels} is not supported: use 1..${limits.maxChannels}`,
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

  const targets = dedupeTargets(config.targetLanguages.map((code) => resolveLanguage(code, 'target')));
  if (targets.length > limits.maxTargets) {
    throw invalidArgument(
      `${targets.length} target languages requested; this plan allows at most ${limits.maxTargets}`,
    );
  }

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

  const glossary = config.glossary.filter((g) => g.source.trim() !== '');
  return {
    sessionId,
    resumeFromMs: Number(config.resumeFromMs) || 0,
    audio: { encoding: audio.encoding, sampleRateHz: rate, channels },
    source,
    targets,
    interimResults: config.interimResults,
    silenceMs,
    maxSegmentMs,
    priority: config.priority === 'PRIORITY_UNSPECIFIED' ? 'NORMAL' : (config.priority as StreamPriority),
    glossary,
    maskProfanity: config.maskProfanity,
  };
}

export function parseTargets(codes: string[], maxTargets: number): LanguageInfo[] {
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
