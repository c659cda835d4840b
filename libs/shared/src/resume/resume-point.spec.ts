import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamResponse__Output } from '../generated/livetranslate/v1/StreamResponse';
import { ResumePoint } from './resume-point';

const final = (id: string, startMs: number, endMs: number, text = 'hello') =>
  ({
    transcript: { segmentId: id, isFinal: true, startMs, endMs, text },
  }) as unknown as StreamResponse__Output;
const translation = (id: string, target: string) =>
  ({
    translation: { segmentId: id, isFinal: true, targetLanguage: target },
  }) as unknown as StreamResponse__Output;

describe('ResumePoint', () => {
  it('moves only when a segment has its final transcript and every final translation', () => {
    const p = new ResumePoint(2, 500);
    p.observe(final('a', 500, 1500));
    assert.equal(p.ms, 500, 'a final transcript alone does not move it');
    p.observe(translation('a', 'es'));
    p.observe(translation('a', 'es')); // a repeat does not count twice
    assert.equal(p.ms, 500);
    p.observe(translation('a', 'de'));
    assert.equal(p.ms, 1500);
  });

  it('never passes a segment still waiting for a translation, even when later ones are complete', () => {
    const p = new ResumePoint(1);
    p.observe(final('a', 0, 1000));
    p.observe(final('b', 1200, 2000));
    p.observe(translation('b', 'es'));
    assert.equal(p.ms, 0);
    p.observe(translation('a', 'es'));
    assert.equal(p.ms, 2000);
  });

  it('counts an empty final as complete (nothing to translate)', () => {
    const p = new ResumePoint(3);
    p.observe(final('a', 0, 800, ''));
    assert.equal(p.ms, 800);
  });
});
