import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamResponse__Output } from '@olt/shared';
import { tallyStream } from './fault-tally';

const r = (x: object) => x as StreamResponse__Output;
const start = (id: string) => r({ event: { type: 'SPEECH_START', segmentId: id } });
const final = (id: string, text = 'hi') => r({ transcript: { segmentId: id, isFinal: true, text } });
const tr = (id: string, lang: string) =>
  r({ translation: { segmentId: id, isFinal: true, targetLanguage: lang } });

describe('tallyStream', () => {
  it('counts a segment without a final and a missing translation as lost, repeats as duplicated', () => {
    const t = tallyStream(
      [start('a'), final('a'), tr('a', 'es'), tr('a', 'es'), start('b'), final('b'), final('b'), start('c')],
      ['es'],
    );
    assert.deepEqual(t, { segments: 3, finals: 3, translations: 2, lost: 2, duplicated: 2 });
  });

  it('finds nothing lost or duplicated in a complete stream, empty finals needing no translation', () => {
    const t = tallyStream(
      [start('a'), final('a'), tr('a', 'es'), tr('a', 'de'), start('b'), final('b', '')],
      ['es', 'de'],
    );
    assert.deepEqual(t, { segments: 2, finals: 2, translations: 2, lost: 0, duplicated: 0 });
  });
});
