import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalAgreement, splitWords, wordKey } from './local-agreement';
import { seededRandom, syntheticSegment } from './synthetic-decodes.testing';

const isWordPrefix = (prefix: string, text: string) => {
  const p = splitWords(prefix);
  const t = splitWords(text);
  return p.length <= t.length && p.every((w, i) => w === t[i]);
};

describe('LocalAgreement (LocalAgreement-2, word level)', () => {
  it('commits the words two successive decodes agree on, and only those', () => {
    const la = new LocalAgreement();
    assert.deepEqual(la.update('the cat'), {
      text: '',
      agreedWords: 0,
      hypothesisWords: 2,
      stability: 0,
      grew: false,
    });
    const second = la.update('the cat sat on');
    assert.equal(second.text, 'the cat');
    assert.equal(second.grew, true);
    assert.equal(second.stability, 0.5);
    const third = la.update('the cat sat in the');
    assert.equal(third.text, 'the cat sat');
    assert.equal(third.stability, 3 / 5);
  });

  it('never takes committed words back when a decode contradicts them, and resumes once decodes agree with them again', () => {
    const la = new LocalAgreement();
    la.update('one two three');
    la.update('one two three four');
    assert.equal(la.text, 'one two three');
    const contradiction = la.update('one too three four five');
    assert.equal(contradiction.text, 'one two three');
    assert.equal(contradiction.grew, false);
    // The next decode agrees with the committed words but its predecessor did not: still nothing new.
    assert.equal(la.update('one two three four five').grew, false);
    assert.equal(la.update('one two three four five six').text, 'one two three four five');
  });

  it('treats case and surrounding punctuation as the same word; committed words keep their spelling', () => {
    const la = new LocalAgreement();
    la.update('Hello world');
    // Newly agreed words take the latest decode's spelling (it heard more context)…
    assert.equal(la.update('hello, World! again').text, 'hello, World!');
    // …and keep it afterwards.
    assert.equal(la.update('Hello world again today').text, 'hello, World! again');
    assert.equal(wordKey('"Hello,"'), 'hello');
  });

  it('reports stability 1 for an empty hypothesis with nothing committed, and commits nothing from silence', () => {
    const la = new LocalAgreement();
    assert.equal(la.update('').stability, 1);
    assert.equal(la.update('').grew, false);
    assert.equal(la.text, '');
  });

  describe('property: on random decode sequences (200 seeds each)', () => {
    const noiseLevels = [
      { name: 'clean', noise: { tailError: 0, cosmetic: 0, revision: 0 } },
      { name: 'noisy tail', noise: { tailError: 0.5, cosmetic: 0.2, revision: 0 } },
      { name: 'the model changes its mind', noise: { tailError: 0.5, cosmetic: 0.2, revision: 0.2 } },
    ];
    for (const { name, noise } of noiseLevels) {
      it(`${name}: agreed text only grows, each is a prefix of the later ones, every committed word was in two successive decodes`, () => {
        for (let seed = 1; seed <= 200; seed++) {
          const random = seededRandom(seed);
          const seg = syntheticSegment(
            random,
            5 + Math.floor(random() * 30),
            3 + Math.floor(random() * 12),
            noise,
          );
          const la = new LocalAgreement();
          let prevText = '';
          let prevAgreed = 0;
          let prevHyp: string[] | undefined;
          for (const decode of seg.decodes) {
            const u = la.update(decode);
            const hyp = splitWords(decode);
            const why = `seed ${seed}: after "${decode}"`;
            assert.ok(isWordPrefix(prevText, u.text), `${why}: "${prevText}" is not a prefix of "${u.text}"`);
            assert.ok(u.agreedWords >= prevAgreed, `${why}: agreed words went back`);
            assert.equal(u.grew, u.agreedWords > prevAgreed, why);
            assert.ok(u.stability >= 0 && u.stability <= 1, why);
            if (u.grew) {
              const fresh = splitWords(u.text).slice(prevAgreed);
              fresh.forEach((w, j) => {
                const i = prevAgreed + j;
                assert.equal(wordKey(w), wordKey(hyp[i]), `${why}: word ${i} not in this decode`);
                assert.equal(
                  wordKey(w),
                  wordKey(prevHyp![i]),
                  `${why}: word ${i} not in the previous decode`,
                );
              });
            }
            prevText = u.text;
            prevAgreed = u.agreedWords;
            prevHyp = hyp;
          }
          // The final (the full decode) replaces interims; with the final's words decoded twice, agreement
          // reaches all of them unless an earlier contradiction was committed.
          la.update(seg.final);
          const closing = la.update(seg.final);
          assert.ok(isWordPrefix(prevText, closing.text), `seed ${seed}: the closing agreement went back`);
          if (noise.revision === 0 && noise.tailError === 0)
            assert.equal(closing.text, seg.final, `seed ${seed}: clean decodes agree on everything`);
        }
      });
    }
  });
});
