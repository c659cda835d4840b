import { deflateSync } from 'node:zlib';
import type { AsrResult } from '@olt/shared';

/** Why a transcript was dropped: Whisper's typical failure modes on silence, noise and music. */
export type DropReason = 'no_speech' | 'repetition';

export interface HallucinationGuardSettings {
  /** No-speech probability above which a segment counts as silence (Whisper: 0.6)… */
  noSpeechThreshold: number;
  /** …when the mean token log-probability is also below this (Whisper: -1)… */
  logprobThreshold: number;
  /** …or the gateway's VAD marked less than this fraction of the segment as speech. */
  vadAgreementMin: number;
  /** gzip-style compression ratio above which text is a loop (Whisper: 2.4). */
  compressionRatioThreshold: number;
  /** An n-gram (n ≤ 8) repeated this many times in a row is a loop. */
  maxNgramRepeats: number;
}

/** UTF-8 bytes over deflated bytes, as openai/whisper's compression_ratio (zlib). Repetitive text compresses well. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/** The most consecutive repeats of any token n-gram with n ≤ maxN ("a b a b a b" → 3). 0 for no tokens. */
export function longestNgramRepeat(tokens: readonly number[], maxN = 8): number {
  let best = tokens.length > 0 ? 1 : 0;
  for (let n = 1; n <= maxN && 2 * n <= tokens.length; n++) {
    for (let start = 0; start + 2 * n <= tokens.length; start++) {
      let repeats = 1;
      while (start + (repeats + 1) * n <= tokens.length && sameRun(tokens, start, start + repeats * n, n)) {
        repeats++;
      }
      best = Math.max(best, repeats);
    }
  }
  return best;
}

function sameRun(tokens: readonly number[], a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (tokens[a + i] !== tokens[b + i]) return false;
  return true;
}

/**
 * Decides whether a transcript is a likely hallucination. No speech: the model itself says so (no-speech
 * probability) and either the VAD disagrees (little of the segment was speech) or the model was unsure of
 * the text (low mean log-probability), as Whisper's transcribe() does. Repetition: the text loops.
 * `vadSpeechRatio` undefined = not known (only the log-probability rule applies).
 */
export function judgeTranscript(
  result: Pick<AsrResult, 'text' | 'tokens' | 'noSpeechProbability' | 'avgLogprob'>,
  vadSpeechRatio: number | undefined,
  s: HallucinationGuardSettings,
): DropReason | undefined {
  if (!result.text) return undefined;
  const noSpeech = result.noSpeechProbability ?? 0;
  if (noSpeech > s.noSpeechThreshold) {
    const vadDisagrees = vadSpeechRatio !== undefined && vadSpeechRatio < s.vadAgreementMin;
    const unsure = (result.avgLogprob ?? 0) < s.logprobThreshold;
    if (vadDisagrees || unsure) return 'no_speech';
  }
  if (compressionRatio(result.text) > s.compressionRatioThreshold) return 'repetition';
  if (longestNgramRepeat(result.tokens) >= s.maxNgramRepeats) return 'repetition';
  return undefined;
}
