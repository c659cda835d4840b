import { invalidArgument } from '../errors';
import { LANGUAGE_TABLE } from './language-table';

export interface LanguageInfo {
  /** BCP-47 tag, the code we report to clients. */
  bcp47: string;
  /** FLORES-200 code NLLB uses; "" when there is none. */
  flores: string;
  /** Whisper code; "" when Whisper does not know the language. */
  whisper: string;
  name: string;
}

const ALL: LanguageInfo[] = LANGUAGE_TABLE.map(([flores, bcp47, whisper, name]) => ({
  bcp47,
  flores,
  whisper,
  name,
}));

/** Lower-cased code → language. Earlier entries win, and the tiers below are filled strongest first. */
const BY_CODE = new Map<string, LanguageInfo>();
const put = (code: string, info: LanguageInfo) => {
  const key = code.toLowerCase();
  if (code && !BY_CODE.has(key)) BY_CODE.set(key, info);
};
for (const info of ALL) put(info.flores, info);
for (const info of ALL) put(info.bcp47, info);
for (const info of ALL) put(info.whisper, info);
// Tags clients send for these languages, besides the table's own.
const ALIASES: Record<string, string> = {
  'zh-hans': 'zho_Hans',
  'zh-cn': 'zho_Hans',
  'zh-sg': 'zho_Hans',
  'zh-tw': 'zho_Hant',
  'zh-hk': 'zho_Hant',
  'zh-mo': 'zho_Hant',
  'yue-hant': 'yue_Hant',
  'yue-hk': 'yue_Hant',
  iw: 'heb_Hebr',
  in: 'ind_Latn',
  ji: 'ydd_Hebr',
  fil: 'tgl_Latn',
  no: 'nob_Latn',
  'fa-af': 'prs_Arab',
  'ks-arab': 'kas_Arab',
  'ace-latn': 'ace_Latn',
  'bjn-latn': 'bjn_Latn',
  'knc-latn': 'knc_Latn',
  'taq-latn': 'taq_Latn',
  'sr-cyrl': 'srp_Cyrl',
  'mn-cyrl': 'khk_Cyrl',
  'pa-guru': 'pan_Guru',
  'az-latn': 'azj_Latn',
  'az-arab': 'azb_Arab',
  'uz-latn': 'uzn_Latn',
};
for (const [alias, flores] of Object.entries(ALIASES)) put(alias, BY_CODE.get(flores.toLowerCase())!);
// ISO 639-3 codes alone ("spa", "fra"): the first script NLLB lists for that language.
for (const info of ALL) if (info.flores) put(info.flores.slice(0, 3), info);

const FLORES_SHAPE = /^[a-z]{3}_[a-z]{4}$/;

/** Every language this deployment knows: the 202 FLORES-200 codes in NLLB order, then Whisper-only ones. */
export function listLanguages(): readonly LanguageInfo[] {
  return ALL;
}

/**
 * Looks up a BCP-47 tag, a Whisper code or a FLORES-200 code, any case. BCP-47 subtags are tried from the
 * most to the least specific: "zh-Hant-TW" → "zh-Hant" (zho_Hant), "pt-BR" → "pt" (por_Latn),
 * "zh-TW" → zho_Hant (by region), "sr-Latn" → "sr" (srp_Cyrl, the only Serbian NLLB has).
 */
export function findLanguage(code: string): LanguageInfo | undefined {
  const key = code.trim().toLowerCase();
  if (!key) return undefined;
  const exact = BY_CODE.get(key);
  if (exact) return exact;
  // A FLORES code with a script NLLB lacks ("spa_Cyrl") is not silently changed into another script.
  if (FLORES_SHAPE.test(key)) return undefined;
  const subtags = key.replace(/_/g, '-').split('-');
  for (let n = subtags.length; n >= 1; n--) {
    const found = BY_CODE.get(subtags.slice(0, n).join('-'));
    if (found) return found;
  }
  return undefined;
}

/** Longer than any real tag ("zh-Hant-TW-x-private" fits): such input is refused before any lookup. */
export const MAX_LANGUAGE_CODE_CHARS = 35;

/** Resolves a code or throws INVALID_ARGUMENT naming it and the closest known code. */
export function resolveLanguage(code: string, role: 'source' | 'target'): LanguageInfo {
  if (code.length > MAX_LANGUAGE_CODE_CHARS) {
    // The edit-distance hint below is quadratic in the input: never run it on a client's megabyte string.
    throw invalidArgument(
      `${role} language code of ${code.length} characters ("${code.slice(0, 16)}…") is not a language code; ` +
        'use a BCP-47 tag like "es", a Whisper code, or a FLORES-200 code like "spa_Latn" (see ListLanguages)',
    );
  }
  const info = findLanguage(code);
  if (!info) {
    const hint = closestCode(code);
    throw invalidArgument(
      `unknown ${role} language "${code}"${hint ? ` (did you mean "${hint}"?)` : ''}; ` +
        'use a BCP-47 tag like "es", a Whisper code, or a FLORES-200 code like "spa_Latn" (see ListLanguages)',
    );
  }
  if (role === 'target' && !info.flores) {
    throw invalidArgument(
      `language "${code}" (${info.name}) cannot be a translation target: NLLB does not support it` +
        nearestOf(code, (l) => l.flores !== '', 'target'),
    );
  }
  if (role === 'source' && !info.whisper) {
    throw invalidArgument(
      `language "${code}" (${info.name}) cannot be a speech source: Whisper does not support it` +
        nearestOf(code, (l) => l.whisper !== '', 'source'),
    );
  }
  return info;
}

/** The known code nearest to `code` by edit distance, when it is near enough to be a likely typo. */
export function closestCode(
  code: string,
  accept: (info: LanguageInfo) => boolean = () => true,
): string | undefined {
  const key = code.trim().toLowerCase();
  if (key.length > MAX_LANGUAGE_CODE_CHARS) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const info of ALL) {
    if (!accept(info)) continue;
    for (const candidate of [info.bcp47, info.flores, info.whisper]) {
      if (!candidate) continue;
      const d = levenshtein(key, candidate.toLowerCase());
      if (d < bestDistance) [best, bestDistance] = [candidate, d];
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function nearestOf(code: string, accept: (info: LanguageInfo) => boolean, role: string): string {
  const hint = closestCode(code, accept);
  return hint ? ` (closest ${role} language: "${hint}")` : '; see ListLanguages';
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
