import { findLanguage, invalidArgument, type OverlayConfig } from '@olt/shared';

export type OverlayPosition = 'bottom' | 'top' | 'left' | 'right' | 'center';

/** What the overlay page renders with: config defaults, overridden by the browser source's URL. */
export interface OverlaySettings {
  /** "orig" and BCP-47 codes in display order; empty = the session's targets (the original without). */
  langs: string[];
  lines: number;
  fadeAfterS: number;
  fontFamily: string;
  fontSizePx: number;
  fontWeight: number;
  textColor: string;
  interimColor: string;
  outlineColor: string;
  outlinePx: number;
  shadow: boolean;
  interim: boolean;
  position: OverlayPosition;
  maxWidthPct: number;
}

type Query = Record<string, unknown>;

const POSITIONS: readonly OverlayPosition[] = ['bottom', 'top', 'left', 'right', 'center'];
/** CSS colour names are not accepted: a hex value (with optional alpha) cannot smuggle CSS. */
const HEX_COLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
const FONT_FAMILY = /^[A-Za-z0-9 ,'"_-]{1,200}$/;

/** The URL parameters the page understands (documented in docs/protocol.md). */
export const OVERLAY_PARAMS = [
  'langs',
  'lines',
  'fade',
  'font',
  'size',
  'weight',
  'color',
  'interim_color',
  'outline_color',
  'outline',
  'shadow',
  'interim',
  'position',
  'max_width',
] as const;

/** Parses the page's URL parameters over the `[overlay]` defaults; a bad value is INVALID_ARGUMENT. */
export function resolveOverlaySettings(query: Query, defaults: OverlayConfig): OverlaySettings {
  const str = (name: string): string | undefined => {
    const v = query[name];
    const s = Array.isArray(v) ? v[v.length - 1] : v;
    return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
  };
  const num = (name: string, fallback: number, min: number, max: number, integer = true): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
      throw invalidArgument(
        `overlay parameter ${name}=${raw} must be ${integer ? 'an integer' : 'a number'} within ${min}..${max}`,
      );
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw invalidArgument(`overlay parameter ${name}=${raw} must be 1 or 0`);
  };
  const color = (name: string, fallback: string): string => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!HEX_COLOR.test(raw))
      throw invalidArgument(
        `overlay parameter ${name}=${raw} must be a hex colour like ffffff, #fff or #000000a0`,
      );
    return raw.startsWith('#') ? raw : `#${raw}`;
  };

  const langsRaw = str('langs') ?? defaults.langs;
  const langs = parseLangs(langsRaw);

  const font = str('font') ?? defaults.fontFamily;
  if (!FONT_FAMILY.test(font))
    throw invalidArgument(`overlay parameter font must be font names separated by commas (got ${font})`);

  const position = (str('position') ?? defaults.position) as OverlayPosition;
  if (!POSITIONS.includes(position))
    throw invalidArgument(`overlay parameter position=${position} must be one of ${POSITIONS.join(', ')}`);

  return {
    langs,
    lines: num('lines', defaults.lines, 1, 20),
    fadeAfterS: num('fade', defaults.fadeAfterS, 0, 3600, false),
    fontFamily: font,
    fontSizePx: num('size', defaults.fontSizePx, 8, 400),
    fontWeight: num('weight', defaults.fontWeight, 100, 900),
    textColor: color('color', defaults.textColor),
    interimColor: color('interim_color', defaults.interimColor),
    outlineColor: color('outline_color', defaults.outlineColor),
    outlinePx: num('outline', defaults.outlinePx, 0, 20, false),
    shadow: bool('shadow', defaults.shadow),
    interim: bool('interim', true),
    position,
    maxWidthPct: num('max_width', defaults.maxWidthPct, 10, 100),
  };
}

/** "orig,es,spa_Latn" → ["orig", "es"]: any accepted code, reported as the BCP-47 code results carry. */
function parseLangs(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const code = part.trim();
    if (code === '') continue;
    const lang = ['orig', 'original', 'source'].includes(code.toLowerCase())
      ? 'orig'
      : resolveOverlayLanguage(code);
    if (!out.includes(lang)) out.push(lang);
  }
  return out;
}

function resolveOverlayLanguage(code: string): string {
  const info = findLanguage(code);
  if (!info) {
    throw invalidArgument(
      `overlay parameter langs: unknown language "${code}"; use "orig" for the original text and codes like ` +
        '"es" or "spa_Latn" for translations (GET /v1/languages lists them)',
    );
  }
  return info.bcp47;
}
