import { findLanguage } from '@olt/shared';

/** Scripts written without spaces between sentences. */
const NO_SPACE_SCRIPTS = new Set(['Hans', 'Hant', 'Jpan', 'Thai', 'Laoo', 'Khmr', 'Mymr', 'Tibt']);

/**
 * Splits text into sentences with Intl.Segmenter (ICU sentence rules for the source language). NLLB was
 * trained on single sentences and drops or repeats content in long multi-sentence inputs, so a long
 * transcript is translated sentence by sentence. Returns trimmed, non-empty sentences.
 */
export function splitSentences(text: string, sourceFlores: string): string[] {
  const locale = findLanguage(sourceFlores)?.bcp47 ?? 'en';
  let segmenter: Intl.Segmenter;
  try {
    segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
  } catch {
    // An ICU build without that locale: the root rules still split on . ! ? and their CJK forms.
    segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  }
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    const s = segment.trim();
    if (s) out.push(s);
  }
  return out;
}

/** Joins translated sentences as the target script expects (no spaces for Chinese, Japanese, Thai, …). */
export function joinSentences(sentences: readonly string[], targetFlores: string): string {
  const script = targetFlores.split('_')[1] ?? '';
  return sentences.filter((s) => s !== '').join(NO_SPACE_SCRIPTS.has(script) ? '' : ' ');
}
