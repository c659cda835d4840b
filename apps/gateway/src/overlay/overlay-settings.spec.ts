import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ConfigService } from '@olt/shared';
import { resolveOverlaySettings } from './overlay-settings';

const defaults = new ConfigService({ env: {} }).current.overlay;

describe('overlay settings', () => {
  it('takes the [overlay] defaults when the URL has no parameters', () => {
    const s = resolveOverlaySettings({ token: 'x' }, defaults);
    assert.deepEqual(s.langs, []);
    assert.equal(s.lines, defaults.lines);
    assert.equal(s.position, 'bottom');
    assert.equal(s.textColor, '#ffffff');
    assert.equal(s.interim, true);
  });

  it('applies URL parameters, normalising language codes and colours', () => {
    const s = resolveOverlaySettings(
      {
        langs: 'orig,spa_Latn,fr,es',
        lines: '3',
        fade: '2.5',
        font: '"Noto Sans", sans-serif',
        size: '60',
        color: 'ffee00',
        interim_color: '#aaa',
        outline: '0',
        shadow: '0',
        interim: 'false',
        position: 'top',
        max_width: '50',
      },
      defaults,
    );
    assert.deepEqual(s.langs, ['orig', 'es', 'fr']);
    assert.deepEqual(
      [
        s.lines,
        s.fadeAfterS,
        s.fontSizePx,
        s.textColor,
        s.interimColor,
        s.outlinePx,
        s.shadow,
        s.interim,
        s.position,
        s.maxWidthPct,
      ],
      [3, 2.5, 60, '#ffee00', '#aaa', 0, false, false, 'top', 50],
    );
  });

  it('refuses bad values with a message naming the parameter', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ lines: '0' }, /lines=0 must be an integer within 1..20/],
      [{ size: 'big' }, /size=big/],
      [{ color: 'red;}' }, /color=red;} must be a hex colour/],
      [{ position: 'middle' }, /position=middle must be one of bottom, top, left, right, center/],
      [{ langs: 'orig,xx-nope' }, /unknown language "xx-nope"/],
      [{ font: 'x}body{display:none' }, /font must be font names/],
      [{ shadow: 'maybe' }, /shadow=maybe must be 1 or 0/],
    ];
    for (const [query, message] of bad) {
      assert.throws(
        () => resolveOverlaySettings(query, defaults),
        (err: unknown) =>
          err instanceof AppError && err.code === 'INVALID_ARGUMENT' && message.test(err.message),
        JSON.stringify(query),
      );
    }
  });
});
