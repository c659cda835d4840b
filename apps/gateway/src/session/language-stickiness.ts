export interface LanguageStickinessSettings {
  /** A detection at least this sure makes the language the stream's language. */
  stickProbability: number;
  /** A re-detection must be at least this sure of another language to switch. */
  switchProbability: number;
  /** Re-detect on every Nth final while a language is held (0 = never). */
  redetectEvery: number;
}

/** The outcome of one detection, as the session reports it. */
export type LanguageChange = { kind: 'stuck' | 'switched'; language: string; previous?: string } | undefined;

/**
 * Source language "auto": Whisper's language detection runs per segment and, on short or noisy segments,
 * flips between related languages (es/pt, nl/de). A stream keeps the first language detected with
 * confidence and passes it to later jobs (which also saves the detection step). It re-detects on every
 * Nth final, or on the next final after a reply reports a low probability for the held language, and
 * switches only when that re-detection names another language with high confidence.
 */
export class LanguageStickiness {
  private held?: string;
  private finalsSinceDetection = 0;
  private doubt = false;

  constructor(private readonly settings: () => LanguageStickinessSettings) {}

  /**
   * A resumed call takes over the language its session held (its last final's): held as if just detected,
   * so the usual re-detection still corrects it.
   */
  resume(language: string): void {
    this.held = language;
    this.finalsSinceDetection = 0;
    this.doubt = false;
  }

  /** The language the stream holds, if any. */
  get language(): string | undefined {
    return this.held;
  }

  /**
   * Language to send with a job (undefined = let the worker detect). Finals re-detect now and then;
   * interim decodes always use the held language, so a re-detection is never wasted on a partial.
   */
  languageFor(isFinal: boolean): string | undefined {
    if (!this.held) return undefined;
    if (!isFinal) return this.held;
    const every = this.settings().redetectEvery;
    if (this.doubt || (every > 0 && this.finalsSinceDetection + 1 >= every)) return undefined;
    return this.held;
  }

  /**
   * Learns from a final's reply. `requested` is what languageFor() returned for that job: only replies to
   * jobs sent without a language are detections. Returns what changed, for the log.
   */
  observeFinal(
    requested: string | undefined,
    language: string,
    probability: number,
    heard: boolean,
  ): LanguageChange {
    if (!language || !heard) return undefined;
    const s = this.settings();
    if (requested !== undefined) {
      this.finalsSinceDetection++;
      // The worker reports how likely the forced language was, where it can; a low figure calls for a
      // re-detection on the next final.
      if (language === requested && probability > 0 && probability < s.stickProbability) this.doubt = true;
      return undefined;
    }
    if (!this.held) {
      if (probability < s.stickProbability) return undefined;
      this.held = language;
      this.finalsSinceDetection = 0;
      return { kind: 'stuck', language };
    }
    this.finalsSinceDetection = 0;
    this.doubt = false;
    if (language === this.held || probability < s.switchProbability) return undefined;
    const previous = this.held;
    this.held = language;
    return { kind: 'switched', language, previous };
  }
}
