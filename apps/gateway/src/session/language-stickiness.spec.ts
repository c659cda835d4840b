import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LanguageStickiness } from './language-stickiness';

const settings = { stickProbability: 0.7, switchProbability: 0.9, redetectEvery: 3 };

describe('LanguageStickiness (source "auto")', () => {
  it('detects until a final is detected with enough confidence, then sends that language with every job', () => {
    const s = new LanguageStickiness(() => settings);
    assert.equal(s.languageFor(true), undefined);
    assert.equal(s.observeFinal(undefined, 'es', 0.5, true), undefined, 'not sure enough to stick');
    assert.equal(s.languageFor(false), undefined);
    assert.deepEqual(s.observeFinal(undefined, 'es', 0.8, true), { kind: 'stuck', language: 'es' });
    assert.equal(s.languageFor(false), 'es');
    assert.equal(s.languageFor(true), 'es');
  });

  it('ignores detections from empty finals (nothing was heard to detect from)', () => {
    const s = new LanguageStickiness(() => settings);
    assert.equal(s.observeFinal(undefined, 'en', 0.99, false), undefined);
    assert.equal(s.language, undefined);
  });

  it('re-detects on every Nth final and switches only on a confident disagreement', () => {
    const s = new LanguageStickiness(() => settings);
    s.observeFinal(undefined, 'es', 0.95, true);
    const sent: Array<string | undefined> = [];
    const final = (language: string, probability: number) => {
      const requested = s.languageFor(true);
      sent.push(requested);
      return s.observeFinal(requested, requested ?? language, requested ? 1 : probability, true);
    };
    assert.equal(final('es', 1), undefined);
    assert.equal(final('es', 1), undefined);
    // Third final since the detection: sent without a language; a weak "pt" does not switch.
    assert.equal(final('pt', 0.6), undefined);
    assert.equal(s.language, 'es');
    assert.equal(final('es', 1), undefined);
    assert.equal(final('es', 1), undefined);
    assert.deepEqual(final('pt', 0.95), { kind: 'switched', language: 'pt', previous: 'es' });
    assert.deepEqual(sent, ['es', 'es', undefined, 'es', 'es', undefined]);
    assert.equal(s.languageFor(true), 'pt');
  });

  it('never re-detects with redetectEvery = 0, unless a reply doubts the held language', () => {
    const s = new LanguageStickiness(() => ({ ...settings, redetectEvery: 0 }));
    s.observeFinal(undefined, 'de', 0.9, true);
    for (let i = 0; i < 20; i++) s.observeFinal(s.languageFor(true), 'de', 1, true);
    assert.equal(s.languageFor(true), 'de');
    // The worker reports the forced language's probability where it can: a low one calls for a re-detection.
    s.observeFinal('de', 'de', 0.3, true);
    assert.equal(s.languageFor(true), undefined);
    assert.equal(s.languageFor(false), 'de', 'interims keep the held language');
    assert.equal(s.observeFinal(undefined, 'de', 0.8, true), undefined);
    assert.equal(s.languageFor(true), 'de', 'the doubt is settled by the re-detection');
  });
});
