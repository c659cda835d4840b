import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { perLanguagePath } from './caption-files';
import { formatSrt, formatWebVtt, normaliseCues, srtTime, vttTime } from './subtitle-formats';

describe('SRT and WebVTT writing', () => {
  test('timestamps have fixed widths and the separator of each format', () => {
    assert.equal(srtTime(0), '00:00:00,000');
    assert.equal(srtTime(3_723_045), '01:02:03,045');
    assert.equal(vttTime(59_999.6), '00:01:00.000');
  });

  test('SRT: index line, timing line, text, blank line between cues', () => {
    const srt = formatSrt([
      { startMs: 250, endMs: 2900, text: 'first' },
      { startMs: 4100, endMs: 6700, text: 'second\n\nline' },
    ]);
    assert.equal(
      srt,
      '1\n00:00:00,250 --> 00:00:02,900\nfirst\n\n2\n00:00:04,100 --> 00:00:06,700\nsecond\nline\n',
    );
  });

  test('WebVTT: header, escaped markup, dot timestamps', () => {
    const vtt = formatWebVtt([{ startMs: 1000, endMs: 2000, text: 'a < b & c --> d' }]);
    assert.equal(vtt, 'WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\na &lt; b &amp; c -> d\n');
    assert.equal(formatWebVtt([]), 'WEBVTT\n');
  });

  test('cues are ordered, never overlap, and short ones stretch only into free time', () => {
    const cues = normaliseCues([
      { startMs: 5000, endMs: 5100, text: 'b' },
      { startMs: 1000, endMs: 5500, text: 'a' },
      { startMs: 6000, endMs: 6000, text: 'c' },
      { startMs: 7000, endMs: 8000, text: '  ' },
    ]);
    assert.deepEqual(
      cues.map((c) => [c.startMs, c.endMs, c.text]),
      [
        [1000, 5500, 'a'],
        [5500, 6000, 'b'],
        [6000, 7000, 'c'],
      ],
    );
  });

  test('per-language files keep the name given and insert the language before the extension', () => {
    assert.equal(perLanguagePath('/x/out.srt', undefined), '/x/out.srt');
    assert.equal(perLanguagePath('/x/out.srt', 'es'), '/x/out.es.srt');
  });
});
