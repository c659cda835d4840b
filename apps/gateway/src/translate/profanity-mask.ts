import { PROFANITY_WORDS } from './profanity-words';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PATTERNS = new Map<string, RegExp>(
  Object.entries(PROFANITY_WORDS).map(([flores, words]) => {
    const alternatives = words.map((w) =>
      w.endsWith('*') ? `${escapeRegExp(w.slice(0, -1))}[\\p{L}\\p{M}]*` : escapeRegExp(w),
    );
    // Whole words only: "Scunthorpe" and "class" stay as they are.
    return [flores, new RegExp(`(?<![\\p{L}\\p{M}])(?:${alternatives.join('|')})(?![\\p{L}\\p{M}])`, 'giu')];
  }),
);

/** Languages (FLORES-200) that have a word list. */
export function profanityLanguages(): string[] {
  return [...PATTERNS.keys()];
}

/**
 * Masks profanity in text of the given language: the first letter stays, the rest becomes "*"
 * ("fucking" → "f******"), so subtitles keep their rhythm and the meaning stays guessable.
 * Text in a language without a list is returned unchanged.
 */
export function maskProfanity(text: string, flores: string): string {
  const pattern = PATTERNS.get(flores);
  if (!pattern) return text;
  return text.replace(pattern, (word) => {
    const [first, ...rest] = [...word];
    return first + '*'.repeat(rest.length);
  });
}
