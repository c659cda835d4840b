import { invalidArgument, type LimitsConfig } from '@olt/shared';

export interface GlossaryEntry {
  source: string;
  target: string;
}

/**
 * A client's glossary, checked against `limits.max_glossary_terms` / `max_glossary_term_chars`: the same
 * rule for StreamConfig.glossary, TranslateText and POST /v1/translate. Empty source terms are dropped.
 * `field` names the glossary the way the caller's API spells it.
 */
export function parseGlossary(
  entries: readonly GlossaryEntry[],
  limits: Pick<LimitsConfig, 'maxGlossaryTerms' | 'maxGlossaryTermChars'>,
  field = 'glossary',
): GlossaryEntry[] {
  if (entries.length > limits.maxGlossaryTerms) {
    throw invalidArgument(
      `${field} has ${entries.length} entries; at most ${limits.maxGlossaryTerms} are allowed (limits.max_glossary_terms)`,
    );
  }
  const out: GlossaryEntry[] = [];
  for (const g of entries) {
    const source = g.source ?? '';
    const target = g.target ?? '';
    if (source.length > limits.maxGlossaryTermChars || target.length > limits.maxGlossaryTermChars) {
      const long = source.length > limits.maxGlossaryTermChars ? source : target;
      throw invalidArgument(
        `${field} term "${long.slice(0, 40)}…" is longer than ${limits.maxGlossaryTermChars} characters (limits.max_glossary_term_chars)`,
      );
    }
    if (source.trim() !== '') out.push({ source, target });
  }
  return out;
}
