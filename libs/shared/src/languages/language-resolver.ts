import { invalidArgument } from '../errors';
import { WHISPER_LANGUAGES } from './whisper-languages';

export interface LanguageInfo {
  /** BCP-47 tag, the code we report to clients. */
  bcp47: string;
  /** FLORES-200 code NLLB uses; "" when there is none. */
  flores: string;
  /** Whisper code; "" when Whisper does not know the language. */
  whisper: string;
  name: string;
}

const BY_CODE = new Map<string, LanguageInfo>();
const ALL: LanguageInfo[] = [];

for (const [whisper, bcp47, flores, name] of WHISPER_LANGUAGES) {
  const info: LanguageInfo = { bcp47, flores, whisper, name };
  ALL.push(info);
  for (const code of [whisper, bcp47, flores]) if (code) BY_CODE.set(code.toLowerCase(), info);
}
// Common aliases clients send.
const ALIASES: Record<string, string> = { 'zh-cn': 'zh', 'zh-hans': 'zh', iw: 'he', jv: 'jw', fil: 'tl' };
for (const [alias, code] of Object.entries(ALIASES)) BY_CODE.set(alias, BY_CODE.get(code)!);

/** Every language this deployment knows, in Whisper's order. */
export function listLanguages(): readonly LanguageInfo[] {
  return ALL;
}

/** Looks up a BCP-47 tag (region subtags tolerated: "es-MX"), Whisper code or FLORES-200 code. */
export function findLanguage(code: string): LanguageInfo | undefined {
  const key = code.trim().toLowerCase();
  const exact = BY_CODE.get(key) ?? BY_CODE.get(key.replace('_', '-'));
  if (exact) return exact;
  const primary = key.split(/[-_]/)[0];
  // "es-MX" → "es"; never strip a FLORES script ("spa_Latn" matched above already).
  return primary !== key ? BY_CODE.get(primary) : undefined;
}

/** Resolves a code or throws INVALID_ARGUMENT naming it and the closest known code. */
export function resolveLanguage(code: string, role: 'source' | 'target'): LanguageInfo {
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
      `language "${code}" (${info.name}) cannot be a translation target: NLLB does not support it`,
    );
  }
  if (role === 'source' && !info.whisper) {
    throw invalidArgument(
      `language "${code}" (${info.name}) cannot be a speech source: Whisper does not support it`,
    );
  }
  return info;
}

function closestCode(code: string): string | undefined {
  const key = code.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of BY_CODE.keys()) {
    const d = levenshtein(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
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
