import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CEA608_CHARSET } from '@olt/shared/dist/obs';
import { Cea608Field1Decoder } from './rtmp-receiver';

/** Byte pairs as libcaption sends them: PAC, text (extended chars after a placeholder space), EOC twice. */
function decode(pairs: Array<[number, number]>): string[] {
  const d = new Cea608Field1Decoder();
  for (const [a, b] of pairs) d.push(a, b);
  return d.captions;
}
const basic = (ch: string) => 0x20 + CEA608_CHARSET.indexOf(ch);

describe('the test CEA-608 decoder', () => {
  test('reads basic, special and extended characters, the extended one replacing its placeholder', () => {
    const pairs: Array<[number, number]> = [
      [0x14, 0x20],
      [0x14, 0x20],
      [0x14, 0x70], // PAC
      [basic('a'), basic('ñ')],
      [0x11, 0x33], // special ¿
      [basic('G'), basic(' ')],
      [0x13, 0x33], // extended ö (Portuguese/German set), replaces the placeholder space
      [0x12, 0x3e], // extended « (French set) — after its own placeholder below
      [0x14, 0x2f],
      [0x14, 0x2f], // EOC, repeated
    ];
    // The « above had no placeholder, so it replaced ö: what a real decoder shows too.
    assert.deepEqual(decode(pairs), ['añ¿G«']);
    assert.deepEqual(
      decode([
        [0x14, 0x70],
        [basic('G'), basic(' ')],
        [0x13, 0x33],
        [basic('s'), basic('e')],
        [0x14, 0x2f],
      ]),
      ['Göse'],
    );
  });
});
