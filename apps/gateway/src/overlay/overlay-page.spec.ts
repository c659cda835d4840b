import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigService } from '@olt/shared';
import { OLDEST_SUPPORTED_CHROMIUM, renderOverlayPage } from './overlay-page';
import { resolveOverlaySettings } from './overlay-settings';

/**
 * OBS Studio 26–27 embed Chromium 75 in their browser source. Features newer than that (each with the
 * Chromium version that brought it) must not appear in the page, or the overlay is blank there.
 */
const TOO_NEW: Array<[RegExp, string]> = [
  [/\?\./, 'optional chaining (Chromium 80)'],
  [/\?\?/, 'nullish coalescing (Chromium 80)'],
  [/\breplaceChildren\b/, 'Element.replaceChildren (Chromium 86)'],
  [/\breplaceAll\b/, 'String.replaceAll (Chromium 85)'],
  [/\.at\(/, 'Array.prototype.at (Chromium 92)'],
  [/\bstructuredClone\b/, 'structuredClone (Chromium 98)'],
  [/\bObject\.hasOwn\b/, 'Object.hasOwn (Chromium 93)'],
  [/\bAbortSignal\.timeout\b/, 'AbortSignal.timeout (Chromium 103)'],
  [/(^|[;{\s])gap\s*:/, 'flexbox gap (Chromium 84)'],
  [/(^|[;{\s])inset\s*:/, 'inset (Chromium 87)'],
  [/aspect-ratio\s*:/, 'aspect-ratio (Chromium 88)'],
  [/:is\(|:where\(|:has\(/, ':is/:where/:has (Chromium 88+)'],
];

describe('overlay page compatibility', () => {
  it(`uses nothing newer than Chromium ${OLDEST_SUPPORTED_CHROMIUM} (OBS Studio 26–27 browser source)`, () => {
    const config = new ConfigService({ env: {}, overrides: {} });
    const html = renderOverlayPage('s1', resolveOverlaySettings({}, config.current.overlay));
    const code = [...html.matchAll(/<(script|style)[^>]*>([\s\S]*?)<\/\1>/g)]
      .map((m) => m[2])
      .join('\n')
      .replace(/\/\/ [^\n]*/g, ''); // comments may name anything
    const found = TOO_NEW.filter(([re]) => re.test(code)).map(([, what]) => what);
    assert.deepEqual(found, []);
  });
});
