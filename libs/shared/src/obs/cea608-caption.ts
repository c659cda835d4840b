/**
 * CEA-608 line-21 captions (what OBS's SendStreamCaption embeds) show at most 4 rows of 32 characters from
 * a small character set. Text is made to fit here, before it reaches OBS: libcaption silently drops what
 * it cannot encode, and a caption cut mid-word is worse than one wrapped by us.
 */
export const CEA608_ROW_CHARS = 32;
export const CEA608_MAX_ROWS = 4;

/**
 * The 176 characters OBS's libcaption can encode (deps/libcaption/src/eia608_charmap.c), in its order:
 * Basic North American (0–95; note ’ á é í ó ú ç ÷ Ñ ñ █ where ASCII has ' * \ ^ _ ` { | } ~ DEL),
 * Special North American (96–111), then the Extended Western European sets: Spanish/misc (112–127),
 * French (128–143), Portuguese (144–159), German/Danish (160–175). libcaption silently drops anything else.
 */
export const CEA608_CHARSET: readonly string[] = Array.from(
  ' !"#$%&’()á+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[é]íóúabcdefghijklmnopqrstuvwxyzç÷Ññ█' +
    '®°½¿™¢£♪à\u00a0èâêîôû' +
    "ÁÉÓÚÜü‘¡*'—©℠•“”" +
    'ÀÂÇÈÊËëÎÏïÔÙùÛ«»' +
    'ÃãÍÌìÒòÕõ{}\\^_|~' +
    'ÄäÖöß¥¤¦ÅåØø┌┐└┘',
);

const ENCODABLE = new Set(CEA608_CHARSET);

/** Characters outside the set with a look-alike inside it (or a plain spelling). */
const LOOKALIKES: Record<string, string> = {
  '\u201a': ',',
  '\u2032': '’',
  '\u201e': '“',
  '\u2013': '-',
  '\u2212': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2026': '...',
  '\u3000': ' ',
  '`': '‘',
  '\u00e6': 'ae',
  '\u00c6': 'AE',
  '\u0153': 'oe',
  '\u0152': 'OE',
  '\u0142': 'l',
  '\u0141': 'L',
  '\u0111': 'd',
  '\u0110': 'D',
  '\u00f0': 'd',
  '\u00fe': 'th',
  '\u3002': '.',
  '\uff0c': ',',
  '\uff01': '!',
  '\uff1f': '?',
  '\u2122': '™',
};

/**
 * Text as CEA-608 can carry it: every character of the Western European set stays as it is (año, ¿Qué?,
 * “très”, Größe); others get a look-alike (– → -, … → ...), lose only their accent when the base letter
 * is encodable (ő → o, ș → s), and are dropped otherwise (CJK, Cyrillic, emoji). Returns '' when nothing
 * readable is left, so callers skip the caption.
 */
export function toCaptionText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    // ASCII ' is only in an extended set (two codes, and lost by decoders without it); ’ is basic.
    if (ch === "'") out += '’';
    else if (ENCODABLE.has(ch)) out += ch;
    else if (/\s/u.test(ch)) out += ' ';
    else if (LOOKALIKES[ch] !== undefined) out += LOOKALIKES[ch];
    else {
      const compat = ch.normalize('NFKC');
      if ([...compat].every((c) => ENCODABLE.has(c))) out += compat;
      else {
        const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
        if (base && [...base].every((c) => ENCODABLE.has(c))) out += base;
      }
    }
  }
  const cleaned = out.replace(/\s+/g, ' ').trim();
  return /[\p{L}\p{N}]/u.test(cleaned) ? cleaned : '';
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
  const rows = wrapRows(toCaptionText(text));
  const pages: string[] = [];
  for (let i = 0; i < rows.length; i += rowsPerPage) pages.push(rows.slice(i, i + rowsPerPage).join('\n'));
  return pages;
}
