import type { GlossaryTerm } from '@olt/shared';

/** A text cut at its glossary terms: the parts the model translates and the fixed strings between them. */
export interface ProtectedText {
  /** The text with each term replaced by a placeholder "[n]" (what a copying model keeps as it is). */
  masked: string;
  /** The replacement of each placeholder, in order. */
  replacements: string[];
  /** The text split around the terms: model-translated parts and fixed strings, in order. */
  parts: Array<{ translate: string } | { fixed: string }>;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PLACEHOLDER = /\[\s*(\d+)\s*\]/g;

/**
 * Finds glossary terms in the text (whole words, case-insensitive, longest first). A term with an empty
 * target is kept exactly as it appears in the text (do-not-translate: names, brands, game terms); one
 * with a target becomes that target. Returns undefined when no term occurs (the common case).
 */
export function protectTerms(text: string, glossary: readonly GlossaryTerm[]): ProtectedText | undefined {
  const terms = glossary.filter((g) => g.source.trim() !== '');
  if (terms.length === 0) return undefined;
  const sorted = [...terms].sort((a, b) => b.source.length - a.source.length);
  const byLower = new Map(sorted.map((g) => [g.source.trim().toLowerCase(), g] as const));
  // Letters or digits next to a match mean it is part of a longer word ("GG" must not match "eggs").
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${sorted.map((g) => escapeRegExp(g.source.trim())).join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  const replacements: string[] = [];
  const parts: ProtectedText['parts'] = [];
  let masked = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const term = byLower.get(match[0].toLowerCase());
    const fixed = term?.target ? term.target : match[0];
    const before = text.slice(last, match.index);
    if (before.trim()) parts.push({ translate: before.trim() });
    parts.push({ fixed });
    masked += `${before}[${replacements.length}]`;
    replacements.push(fixed);
    last = match.index + match[0].length;
  }
  if (replacements.length === 0) return undefined;
  const rest = text.slice(last);
  if (rest.trim()) parts.push({ translate: rest.trim() });
  return { masked: masked + rest, replacements, parts };
}

/**
 * Puts the terms back into a translation of `masked`. Returns undefined unless every placeholder came
 * back exactly once (a model that dropped, repeated or mangled one cannot be trusted with the terms:
 * the caller then translates the parts between the terms separately).
 */
export function restoreTerms(translated: string, replacements: readonly string[]): string | undefined {
  const seen = new Array<number>(replacements.length).fill(0);
  for (const m of translated.matchAll(PLACEHOLDER)) {
    const i = Number(m[1]);
    if (i >= replacements.length) return undefined;
    seen[i]++;
  }
  if (seen.some((n) => n !== 1)) return undefined;
  return translated.replace(PLACEHOLDER, (_, i: string) => replacements[Number(i)]);
}
