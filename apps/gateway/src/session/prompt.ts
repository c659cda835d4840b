/**
 * The prompt passed with a stream's next ASR jobs: the end of its previous final text, cut at a word
 * boundary to at most maxChars (Whisper reads at most 223 prompt tokens; the latest words matter most).
 * undefined when there is nothing to pass.
 */
export function promptFrom(previousFinal: string, maxChars: number): string | undefined {
  const text = previousFinal.trim();
  if (maxChars <= 0 || text === '') return undefined;
  if (text.length <= maxChars) return text;
  const tail = text.slice(text.length - maxChars);
  const firstBreak = tail.search(/\s/);
  // Drop the partial first word, unless the tail is one long word.
  const cut = firstBreak < 0 ? tail : tail.slice(firstBreak + 1);
  return cut.trim() || undefined;
}
