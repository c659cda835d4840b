import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StreamResponse__Output } from '../proto';
import { CEA608_CHARSET, toCaptionPages, toCaptionText, wrapRows } from './cea608-caption';
import { obsOutputSettings } from './obs-output-settings';
import { ReconnectBackoff } from './reconnect-backoff';
import { SubtitleComposer } from './subtitle-composer';

const transcript = (segmentId: string, text: string, isFinal: boolean, revision = 1) =>
  ({
    transcript: { segmentId, text, isFinal, revision, language: 'en' },
    response: 'transcript',
  }) as unknown as StreamResponse__Output;
const translation = (segmentId: string, targetLanguage: string, text: string, isFinal = true) =>
  ({
    translation: { segmentId, targetLanguage, text, isFinal, revision: 1 },
    response: 'translation',
  }) as unknown as StreamResponse__Output;

describe('CEA-608 caption text', () => {
  test('keeps the Western European characters OBS encodes (año, ¿, é, ß, «») as they are', () => {
    assert.equal(toCaptionText('¿Qué tal? “Très” bien — señor, año'), '¿Qué tal? “Très” bien — señor, año');
    assert.equal(toCaptionText('Größe «Ça va» Ångström ½ © ♪'), 'Größe «Ça va» Ångström ½ © ♪');
    assert.equal(CEA608_CHARSET.length, 176, 'the 176 characters of libcaption, no more');
  });

  test('transliterates only what 608 cannot carry', () => {
    // … and – have look-alikes; ő and ș lose only their accent; ' becomes the basic-set ’.
    assert.equal(toCaptionText("Wait… 3–4 Erdős Brașov it's"), 'Wait... 3-4 Erdos Brasov it’s');
    for (const ch of toCaptionText('àèìòù ÀÈÌÒÙ äöü ÄÖÜ ãõ ÃÕ çÇ ñÑ ø å œ æ ł ş ğ ı'))
      assert.ok(CEA608_CHARSET.includes(ch), `${ch} is encodable`);
  });

  test('drops scripts CEA-608 cannot show and returns empty when nothing readable is left', () => {
    assert.equal(toCaptionText('你好世界'), '');
    assert.equal(toCaptionText('Hello 世界 world'), 'Hello world');
    assert.equal(toCaptionText('… — ♪'), '');
  });

  test('wraps words into rows of at most 32 characters and splits over-long words', () => {
    const rows = wrapRows('the quick brown fox jumps over the lazy dog and keeps running ' + 'x'.repeat(40));
    assert.ok(
      rows.every((r) => r.length <= 32),
      JSON.stringify(rows),
    );
    assert.deepEqual(rows.slice(0, 2), ['the quick brown fox jumps over', 'the lazy dog and keeps running']);
    assert.equal(
      rows.join('').replace(/ /g, ''),
      'thequickbrownfoxjumpsoverthelazydogandkeepsrunning' + 'x'.repeat(40),
    );
  });

  test('pages hold at most the configured rows, each row at most 32 characters', () => {
    const pages = toCaptionPages(
      'one two three four five six seven eight nine ten eleven twelve thirteen fourteen',
      2,
    );
    for (const page of pages) {
      const rows = page.split('\n');
      assert.ok(rows.length <= 2 && rows.every((r) => r.length <= 32), page);
    }
    assert.equal(pages.length, 2);
    assert.deepEqual(toCaptionPages('日本語だけ', 2), []);
  });
});

describe('SubtitleComposer', () => {
  test('shows one line per configured language, newest text of each', () => {
    const c = new SubtitleComposer(['source', 'es'], false);
    assert.deepEqual(c.apply(transcript('s1', 'hello', true)), { text: 'hello', final: true });
    assert.deepEqual(c.apply(translation('s1', 'es', 'hola')), { text: 'hello\nhola', final: true });
    assert.equal(c.apply(translation('s1', 'fr', 'bonjour')), undefined, 'fr is not displayed');
  });

  test('a late translation of an older segment does not replace the newer one', () => {
    const c = new SubtitleComposer(['es'], false);
    c.apply(translation('s1', 'es', 'uno'));
    c.apply(translation('s2', 'es', 'dos'));
    assert.equal(c.apply(translation('s1', 'es', 'uno tarde')), undefined);
  });

  test('interims are shown only when asked, and never replace the final of their segment', () => {
    assert.equal(new SubtitleComposer(['source'], false).apply(transcript('s1', 'hel', false)), undefined);
    const c = new SubtitleComposer(['source'], true);
    assert.deepEqual(c.apply(transcript('s1', 'hel', false)), { text: 'hel', final: false });
    assert.deepEqual(c.apply(transcript('s1', 'hello there', true, 2)), { text: 'hello there', final: true });
    assert.equal(c.apply(transcript('s1', 'hello', false, 3)), undefined);
  });

  test('finalFor picks the final of the caption language only', () => {
    assert.equal(SubtitleComposer.finalFor(transcript('s1', 'hi', false), 'source'), undefined);
    assert.equal(SubtitleComposer.finalFor(transcript('s1', 'hi', true), 'source')?.text, 'hi');
    assert.equal(SubtitleComposer.finalFor(translation('s1', 'es-MX', 'hola'), 'es')?.text, 'hola');
    assert.equal(SubtitleComposer.finalFor(translation('s1', 'fr', 'salut'), 'es'), undefined);
  });
});

describe('obs output settings and backoff', () => {
  test('refuses a non-websocket url and impossible caption rows with what to write instead', () => {
    assert.throws(() => obsOutputSettings({ url: 'http://x' }), /must look like ws:\/\/127\.0\.0\.1:4455/);
    assert.throws(() => obsOutputSettings({ captionMaxRows: 5 }), /1 to 4/);
    assert.equal(obsOutputSettings({ url: undefined }).url, 'ws://127.0.0.1:4455');
  });

  test('backoff doubles up to the cap and starts over after a reset', () => {
    const b = new ReconnectBackoff(100, 1000, () => 0.5);
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000]);
    b.reset();
    assert.equal(b.next(), 100);
  });
});
