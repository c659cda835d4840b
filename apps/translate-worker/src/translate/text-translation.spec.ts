import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateTinyNllb } from '@olt/devkit';
import type { MtEngine, MtRequest, MtResult } from '@olt/shared';
import { protectTerms, restoreTerms } from './glossary-protector';
import { loadNllbEngine } from './nllb';
import { TranslationBatcher } from './translation-batcher';
import { joinSentences, splitSentences } from './sentence-splitter';
import { TextTranslator } from './text-translator';

/** Counts model calls and rows of the real engine it wraps. */
class CountingEngine implements MtEngine {
  calls: MtRequest[][] = [];
  constructor(private readonly inner: MtEngine) {}
  get info() {
    return this.inner.info;
  }
  get languages() {
    return this.inner.languages;
  }
  translate(batch: MtRequest[]): Promise<MtResult[]> {
    this.calls.push(batch);
    return this.inner.translate(batch);
  }
  dispose() {
    return Promise.resolve();
  }
}

/** MOCK engine that copies its input (what a good NMT model does with placeholders): the placeholder path. */
const copyingEngine: MtEngine = {
  info: { id: 'copy', path: '', executionProvider: 'cpu', precision: 'fp32', isTestModel: true },
  languages: ['eng_Latn', 'spa_Latn'],
  translate: (batch) => Promise.resolve(batch.map((r) => ({ text: `«${r.text}»`, confidence: 0.9 }))),
  dispose: () => Promise.resolve(),
};

const MIXED: MtRequest[] = [
  { text: 'Hello world, how are you?', source: 'eng_Latn', target: 'spa_Latn' },
  { text: 'hi', source: 'eng_Latn', target: 'fra_Latn' },
  { text: 'Good morning everyone, welcome back to the stream', source: 'eng_Latn', target: 'deu_Latn' },
  { text: '¿Dónde está la biblioteca?', source: 'spa_Latn', target: 'eng_Latn' },
  { text: 'I think this game is great', source: 'eng_Latn', target: 'spa_Latn' },
  { text: 'Bonjour à tous', source: 'fra_Latn', target: 'eng_Latn' },
  {
    text: 'the quick brown fox jumps over the lazy dog again and again',
    source: 'eng_Latn',
    target: 'spa_Latn',
  },
  { text: 'hi', source: 'eng_Latn', target: 'fra_Latn' },
];

describe('translation of job text on the tiny NLLB model', () => {
  let dir: string;
  let nllb: MtEngine;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olt-text-tr-'));
    await generateTinyNllb(dir);
    nllb = await loadNllbEngine(dir, { precision: 'fp32', executionProviders: ['cpu'] });
  });
  after(async () => {
    await nllb?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const checkEqualsAlone = async (batched: MtResult[], requests: MtRequest[]) => {
    for (const [i, req] of requests.entries()) {
      const [alone] = await nllb.translate([req]);
      assert.equal(batched[i].text, alone.text, `request ${i} (${req.source}>${req.target})`);
      assert.ok(Math.abs(batched[i].confidence - alone.confidence) < 1e-5, `request ${i} confidence`);
    }
  };

  it('batches concurrent sentences by source: all targets in one mixed call, results equal one-at-a-time', async () => {
    const engine = new CountingEngine(nllb);
    const batcher = new TranslationBatcher(engine, { maxBatchSize: 16, maxWaitMs: 20, concurrency: 1 });
    const batched = await Promise.all(MIXED.map((r) => batcher.translate(r)));
    assert.equal(engine.calls.length, new Set(MIXED.map((r) => r.source)).size, 'one call per source');
    for (const call of engine.calls) {
      assert.equal(new Set(call.map((r) => r.source)).size, 1, 'a batch holds one source');
    }
    const english = engine.calls.find((c) => c[0].source === 'eng_Latn')!;
    assert.deepEqual(new Set(english.map((r) => r.target)), new Set(['spa_Latn', 'fra_Latn', 'deu_Latn']));
    assert.equal(english.length, 5, 'the repeated (text, target) is decoded once');
    await checkEqualsAlone(batched, MIXED);
  });

  it('decodes one text fanned out to many targets (and another stream’s text) in one call', async () => {
    const engine = new CountingEngine(nllb);
    const batcher = new TranslationBatcher(engine, { maxBatchSize: 16, maxWaitMs: 20, concurrency: 1 });
    const targets = ['spa_Latn', 'fra_Latn', 'deu_Latn', 'ita_Latn', 'por_Latn'];
    const requests: MtRequest[] = [
      ...targets.map((target) => ({
        text: 'Welcome back to the stream, everyone',
        source: 'eng_Latn',
        target,
      })),
      { text: 'Nice shot', source: 'eng_Latn', target: 'spa_Latn' },
    ];
    const batched = await Promise.all(requests.map((r) => batcher.translate(r)));
    assert.equal(engine.calls.length, 1);
    assert.equal(engine.calls[0].length, requests.length);
    await checkEqualsAlone(batched, requests);
  });

  it('batchBy "pair" keeps one call per language pair (the old path)', async () => {
    const engine = new CountingEngine(nllb);
    const batcher = new TranslationBatcher(engine, {
      maxBatchSize: 16,
      maxWaitMs: 20,
      concurrency: 1,
      batchBy: 'pair',
    });
    const batched = await Promise.all(MIXED.map((r) => batcher.translate(r)));
    const pairs = new Set(MIXED.map((r) => `${r.source}>${r.target}`));
    assert.equal(engine.calls.length, pairs.size, 'one call per language pair');
    for (const call of engine.calls) {
      assert.equal(new Set(call.map((r) => `${r.source}>${r.target}`)).size, 1, 'a batch holds one pair');
    }
    await checkEqualsAlone(batched, MIXED);
  });

  it('caps batches at maxBatchSize', async () => {
    const engine = new CountingEngine(nllb);
    const batcher = new TranslationBatcher(engine, { maxBatchSize: 2, maxWaitMs: 20, concurrency: 1 });
    await Promise.all(
      ['one', 'two', 'three', 'four', 'five'].map((text) =>
        batcher.translate({ text, source: 'eng_Latn', target: 'spa_Latn' }),
      ),
    );
    assert.deepEqual(engine.calls.map((c) => c.length).sort(), [1, 2, 2]);
  });

  it('keeps glossary terms unchanged through the tiny model (parts between terms translated)', async () => {
    const translator = new TextTranslator(
      new TranslationBatcher(nllb, { maxBatchSize: 8, maxWaitMs: 1, concurrency: 1 }),
      { splitSentences: true },
    );
    const text = 'We play Valorant tonight with the OBS team, GG everyone';
    const glossary = [
      { source: 'Valorant', target: '' },
      { source: 'OBS', target: '' },
      { source: 'gg', target: 'GG!' },
    ];
    const out = await translator.translate({ text, source: 'eng_Latn', target: 'spa_Latn', glossary });
    assert.ok(out.text.includes('Valorant'), out.text);
    assert.ok(out.text.includes('OBS'), out.text);
    assert.ok(out.text.includes('GG!'), out.text);
    const plain = await translator.translate({ text, source: 'eng_Latn', target: 'spa_Latn' });
    assert.ok(!plain.text.includes('Valorant'), `the tiny model itself drops the term: ${plain.text}`);
  });

  it('translates a long transcript sentence by sentence and joins per target script', async () => {
    const engine = new CountingEngine(nllb);
    const translator = new TextTranslator(
      new TranslationBatcher(engine, { maxBatchSize: 8, maxWaitMs: 5, concurrency: 1 }),
      { splitSentences: true },
    );
    const text = 'Welcome back everyone. Today we try the new map! Are you ready?';
    const out = await translator.translate({ text, source: 'eng_Latn', target: 'spa_Latn' });
    assert.equal(engine.calls.length, 1, 'the sentences share one batch');
    assert.equal(engine.calls[0].length, 3);
    const alone = await Promise.all(
      splitSentences(text, 'eng_Latn').map(
        async (s) => (await nllb.translate([{ text: s, source: 'eng_Latn', target: 'spa_Latn' }]))[0].text,
      ),
    );
    assert.equal(out.text, alone.join(' '));
  });
});

describe('glossary placeholders', () => {
  it('replaces whole-word terms (case-insensitive, longest first) and restores them', () => {
    const p = protectTerms('gg, the GG Bridge is not eggs', [
      { source: 'GG', target: '' },
      { source: 'GG Bridge', target: 'Puente GG' },
    ])!;
    assert.equal(p.masked, '[0], the [1] is not eggs');
    assert.deepEqual(p.replacements, ['gg', 'Puente GG']);
    assert.deepEqual(p.parts, [
      { fixed: 'gg' },
      { translate: ', the' },
      { fixed: 'Puente GG' },
      { translate: 'is not eggs' },
    ]);
    assert.equal(restoreTerms('[1] y [ 0 ]', p.replacements), 'Puente GG y gg');
    assert.equal(restoreTerms('[1] y', p.replacements), undefined, 'a dropped placeholder is detected');
    assert.equal(restoreTerms('[0] [0] [1]', p.replacements), undefined, 'a repeated one too');
    assert.equal(protectTerms('nothing here', [{ source: 'GG', target: '' }]), undefined);
  });

  it('uses the whole sentence when the model carries the placeholders (MOCK copying engine)', async () => {
    const translator = new TextTranslator(
      new TranslationBatcher(copyingEngine, { maxBatchSize: 8, maxWaitMs: 0, concurrency: 1 }),
      { splitSentences: false },
    );
    const out = await translator.translate({
      text: 'I love Valorant so much',
      source: 'eng_Latn',
      target: 'spa_Latn',
      glossary: [{ source: 'valorant', target: '' }],
    });
    assert.equal(out.text, '«I love Valorant so much»');
  });
});

describe('sentence splitting', () => {
  it('splits on sentence ends in many scripts and joins without spaces for CJK and Thai', () => {
    assert.deepEqual(splitSentences('Hi there. How are you?  Fine!', 'eng_Latn'), [
      'Hi there.',
      'How are you?',
      'Fine!',
    ]);
    assert.deepEqual(splitSentences('你好。今天天气很好！', 'zho_Hans'), ['你好。', '今天天气很好！']);
    assert.deepEqual(splitSentences('   ', 'eng_Latn'), []);
    assert.equal(joinSentences(['a.', 'b.'], 'spa_Latn'), 'a. b.');
    assert.equal(joinSentences(['你好。', '再见。'], 'zho_Hans'), '你好。再见。');
  });
});
