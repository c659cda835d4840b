/**
 * CEA-608 line-21 captions (what OBS's SendStreamCaption embeds) show at most 4 rows of 32 characters from
 * a small character set. Text is made to fit here, before it reaches OBS: libcaption silently drops what
 * it cannot encode, and a caption cut mid-word is worse than one wrapped by us.
 */
export const CEA608_ROW_CHARS = 32;
export const CEA608_MAX_ROWS = 4;

/** Typographic characters with a plain ASCII look-alike (quotes, dashes, spaces, ellipsis…). */
const ASCII_LOOKALIKES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u3000': ' ',
  '\u00df': 'ss',
  '\u00e6': 'ae',
  '\u00c6': 'AE',
  '\u0153': 'oe',
  '\u0152': 'OE',
  '\u00f8': 'o',
  '\u00d8': 'O',
  '\u0142': 'l',
  '\u0141': 'L',
  '\u00bf': '?',
  '\u00a1': '!',
  '\u3002': '.',
  '\uff0c': ',',
  '\uff01': '!',
  '\uff1f': '?',
};

/**
 * Transliterates to printable ASCII: accents are removed (é → e), look-alikes replaced, anything else
 * (CJK, Cyrillic, emoji…) dropped. Returns '' when nothing readable is left, so callers skip the caption.
 */
export function toCaptionAscii(text: string): string {
  const replaced = Array.from(text.normalize('NFKC'), (ch) => ASCII_LOOKALIKES[ch] ?? ch).join('');
  const ascii = replaced
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e\s]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return /[A-Za-z0-9]/.test(ascii) ? ascii : '';
}

/** Word-wraps into rows of at most `rowChars`; words longer than a row are split. */
export function wrapRows(text: string, rowChars = CEA608_ROW_CHARS): string[] {
  const rows: string[] = [];
  let row = '';
  for (let word of text.split(' ').filter(Boolean)) {
    while (word.length > rowChars) {
      if (row) rows.push(row);
      rows.push(word.slice(0, rowChars));
      word = word.slice(rowChars);
      row = '';
    }
    if (!word) continue;
    if (!row) row = word;
    else if (row.length + 1 + word.length <= rowChars) row += ` ${word}`;
    else {
      rows.push(row);
      row = word;
    }
  }
  if (row) rows.push(row);
  return rows;
}

/**
 * Splits a subtitle into caption pages of at most `maxRows` rows of 32 characters (rows joined by '\n'),
 * ready for SendStreamCaption. A long final becomes several pages shown one after another.
 */
export function toCaptionPages(text: string, maxRows = 2): string[] {
  const rowsPerPage = Math.max(1, Math.min(CEA608_MAX_ROWS, Math.floor(maxRows)));
  const rows = wrapRows(toCaptionAscii(text));
  const pages: string[] = [];
  for (let i = 0; i < rows.length; i += rowsPerPage) pages.push(rows.slice(i, i + rowsPerPage).join('\n'));
  return pages;
}
