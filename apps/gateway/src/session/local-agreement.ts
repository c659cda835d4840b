/** What LocalAgreement says after one decode of the growing segment. */
export interface AgreementUpdate {
  /** The agreed (committed) words, joined by single spaces. Only ever grows within a segment. */
  text: string;
  agreedWords: number;
  /** Words of the latest hypothesis. */
  hypothesisWords: number;
  /** agreedWords / hypothesisWords (1 when both are 0): how much of what the model hears now is settled. */
  stability: number;
  /** True when this decode committed new words (an interim result is worth sending). */
  grew: boolean;
}

/**
 * LocalAgreement-2 at word level (as in whisper_streaming): the words two successive decodes of the
 * growing segment agree on, from the start, are committed; committed words are never taken back, so the
 * text a viewer has seen never flickers backwards. A decode that contradicts committed words commits
 * nothing new (the final transcript, which replaces interims, settles it).
 *
 * Words are compared case-insensitively without surrounding punctuation ("Hello," = "hello"): Whisper
 * moves commas and capitals between decodes of the same speech. Newly agreed words take the latest
 * decode's spelling; once committed, a word keeps it.
 */
export class LocalAgreement {
  private committed: string[] = [];
  private previous: string[] | undefined;

  /** Feeds the text of the latest decode of the whole segment so far. */
  update(hypothesis: string): AgreementUpdate {
    const words = splitWords(hypothesis);
    const before = this.committed.length;
    if (this.previous && startsWith(words, this.committed) && startsWith(this.previous, this.committed)) {
      const agreed = commonPrefixLength(this.previous, words);
      if (agreed > before) this.committed = [...this.committed, ...words.slice(before, agreed)];
    }
    this.previous = words;
    const agreedWords = this.committed.length;
    return {
      text: this.committed.join(' '),
      agreedWords,
      hypothesisWords: words.length,
      stability: stability(agreedWords, words.length),
      grew: agreedWords > before,
    };
  }

  /** The committed text so far. */
  get text(): string {
    return this.committed.join(' ');
  }

  get agreedWords(): number {
    return this.committed.length;
  }
}

export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** Comparison form of a word: lower case, without leading/trailing punctuation. */
export function wordKey(word: string): string {
  return word.toLowerCase().replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
}

function sameWord(a: string, b: string): boolean {
  return wordKey(a) === wordKey(b);
}

function commonPrefixLength(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && sameWord(a[i], b[i])) i++;
  return i;
}

function startsWith(words: string[], prefix: string[]): boolean {
  return prefix.length <= words.length && commonPrefixLength(words, prefix) === prefix.length;
}

function stability(agreed: number, total: number): number {
  if (total === 0) return agreed === 0 ? 1 : 0;
  return Math.min(1, agreed / total);
}
