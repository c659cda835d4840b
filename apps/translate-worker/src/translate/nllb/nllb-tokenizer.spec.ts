import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { generateTinyNllb } from '@olt/devkit';
import { AppError } from '@olt/shared';
import { NllbTokenizer } from './nllb-tokenizer';

describe('NllbTokenizer', () => {
  let dir: string;
  let tokenizer: NllbTokenizer;
  let reference: Tokenizer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olt-nllb-tok-'));
    await generateTinyNllb(dir);
    tokenizer = NllbTokenizer.fromDir(dir, 2);
    const json = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
    reference = new Tokenizer(json('tokenizer.json'), json('tokenizer_config.json'));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('builds [src_lang, pieces…, </s>] exactly as the tokenizer.json template does for eng_Latn', () => {
    const text = 'Hello world, how are you today?';
    const expected = reference.encode(text).ids; // template: eng_Latn $A </s>
    assert.deepEqual(
      tokenizer.encodeSource(text, tokenizer.languageId('eng_Latn', 'source'), 1024),
      expected,
    );
    assert.equal(expected[0], reference.token_to_id('eng_Latn'));
    assert.equal(expected.at(-1), 2);
  });

  it('keeps no language state between requests: interleaved pairs encode as they do alone', () => {
    const spa = tokenizer.languageId('spa_Latn', 'source');
    const fra = tokenizer.languageId('fra_Latn', 'source');
    const alone = tokenizer.encodeSource('the house', spa, 1024);
    tokenizer.encodeSource('the house', fra, 1024);
    assert.deepEqual(tokenizer.encodeSource('the house', spa, 1024), alone);
    assert.equal(alone[0], spa);
  });

  it('drops special tokens typed in the text but keeps <unk> for unknown characters', () => {
    const eng = tokenizer.languageId('eng_Latn', 'source');
    const ids = tokenizer.encodeSource('hello </s> spa_Latn <pad> 東', eng, 1024);
    const inner = ids.slice(1, -1);
    const languageIds = new Set(tokenizer.languageCodes.map((c) => tokenizer.languageId(c, 'source')));
    assert.ok(!inner.some((id) => id === 0 || id === 1 || id === 2 || languageIds.has(id)), `${inner}`);
    assert.ok(inner.includes(reference.token_to_id('<unk>')!));
  });

  it('truncates long text to the length limit, keeping the language code and </s>', () => {
    const eng = tokenizer.languageId('eng_Latn', 'source');
    const ids = tokenizer.encodeSource('word '.repeat(100), eng, 16);
    assert.equal(ids.length, 16);
    assert.equal(ids[0], eng);
    assert.equal(ids[15], 2);
  });

  it('knows all 202 FLORES-200 codes and names an unknown one, with a hint for BCP-47 tags', () => {
    assert.equal(tokenizer.languageCodes.length, 202);
    assert.ok(tokenizer.languageCodes.includes('zho_Hant'));
    assert.throws(
      () => tokenizer.languageId('fr', 'target'),
      (err: unknown) =>
        err instanceof AppError &&
        err.code === 'INVALID_ARGUMENT' &&
        err.message.includes('"fr"') &&
        err.message.includes('fra_Latn'),
    );
  });

  it('decodes generated ids to text, skipping special tokens', () => {
    const ids = reference.encode('hello world', { add_special_tokens: false }).ids;
    assert.equal(tokenizer.decode([...ids, 2]), 'hello world');
    assert.equal(tokenizer.decode([]), '');
  });
});
