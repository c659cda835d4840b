import type { StreamResponse__Output } from '../proto';
import { SOURCE_LINE } from './obs-output-settings';

export interface SubtitleUpdate {
  /** The lines to show, in the configured order, joined by '\n'. */
  text: string;
  /** True when the message that changed the text was a final. */
  final: boolean;
}

export interface FinalLine {
  /** 'source' or the target language. */
  line: string;
  text: string;
  segmentId: string;
}

/** Same language for display purposes: 'es' matches 'es', 'es-MX' and 'ES'. */
export function sameLanguage(a: string, b: string): boolean {
  const base = (code: string) => code.toLowerCase().split(/[-_]/)[0];
  return a.toLowerCase() === b.toLowerCase() || base(a) === base(b);
}

/**
 * Turns the results of a stream into what a subtitle display shows: one line per configured language,
 * each the latest text of that language. Translations of a segment may arrive after the next segment's
 * transcript (docs/protocol.md), so each line follows its own latest segment instead of all lines being
 * cleared together.
 */
export class SubtitleComposer {
  private readonly order = new Map<string, number>();
  private readonly lines = new Map<string, { seq: number; text: string; final: boolean }>();
  private shown = '';

  constructor(
    private readonly languages: readonly string[],
    private readonly interims: boolean,
  ) {}

  /** The display update this response causes, if any. */
  apply(response: StreamResponse__Output): SubtitleUpdate | undefined {
    const hit = this.lineOf(response);
    if (!hit) return undefined;
    if (!hit.final && !this.interims) return undefined;
    if (!this.order.has(hit.segmentId)) this.order.set(hit.segmentId, this.order.size);
    const seq = this.order.get(hit.segmentId)!;
    const prev = this.lines.get(hit.line);
    // An older segment's late result never replaces a newer one; a final is never replaced by its interim.
    if (prev && (prev.seq > seq || (prev.seq === seq && prev.final && !hit.final))) return undefined;
    this.lines.set(hit.line, { seq, text: hit.text, final: hit.final });
    const text = this.languages
      .map((l) => this.lines.get(l)?.text ?? '')
      .filter((t) => t.trim())
      .join('\n');
    if (text === this.shown) return undefined;
    this.shown = text;
    return { text, final: hit.final };
  }

  /** The final result this response carries for `line` ('source' or a target), if any. */
  static finalFor(response: StreamResponse__Output, line: string): FinalLine | undefined {
    const t = response.transcript;
    if (t?.isFinal && line === SOURCE_LINE && t.text.trim()) {
      return { line, text: t.text, segmentId: t.segmentId };
    }
    const tr = response.translation;
    if (tr?.isFinal && line !== SOURCE_LINE && sameLanguage(tr.targetLanguage, line) && tr.text.trim()) {
      return { line, text: tr.text, segmentId: tr.segmentId };
    }
    return undefined;
  }

  private lineOf(
    r: StreamResponse__Output,
  ): { line: string; text: string; final: boolean; segmentId: string } | undefined {
    if (r.transcript && this.languages.includes(SOURCE_LINE)) {
      const t = r.transcript;
      return { line: SOURCE_LINE, text: t.text, final: t.isFinal, segmentId: t.segmentId };
    }
    if (r.translation) {
      const tr = r.translation;
      const line = this.languages.find((l) => l !== SOURCE_LINE && sameLanguage(l, tr.targetLanguage));
      if (line) return { line, text: tr.text, final: tr.isFinal, segmentId: tr.segmentId };
    }
    return undefined;
  }
}
