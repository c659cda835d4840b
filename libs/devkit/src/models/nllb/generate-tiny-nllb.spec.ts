import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FLORES200_CODES } from './flores200-codes';
import { generateTinyNllb } from './generate-tiny-nllb';

const EOS = 2;

function filesOf(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub)).flatMap((name) =>
    statSync(join(dir, sub, name)).isDirectory() ? filesOf(dir, join(sub, name)) : [join(sub, name)],
  );
}

const ints = (rows: number[][]) =>
  new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

describe('generateTinyNllb', () => {
  let dir: string;
  let tokenizer: Tokenizer;
  let encoder: InferenceSession;
  let decoder: InferenceSession;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olt-tiny-nllb-'));
    await generateTinyNllb(join(dir, 'a'));
    const json = (name: string) => JSON.parse(readFileSync(join(dir, 'a', name), 'utf8'));
    tokenizer = new Tokenizer(json('tokenizer.json'), json('tokenizer_config.json'));
    encoder = await InferenceSession.create(join(dir, 'a', 'onnx', 'encoder_model.onnx'));
    decoder = await InferenceSession.create(join(dir, 'a', 'onnx', 'decoder_model_merged.onnx'));
  });

  after(async () => {
    await encoder?.release();
    await decoder?.release();
    await rm(dir, { recursive: true, force: true });
  });

  async function encode(rows: number[][], lengths = rows.map((r) => r.length)) {
    const mask = rows.map((r, b) => r.map((_, s) => (s < lengths[b] ? 1 : 0)));
    const { last_hidden_state } = await encoder.run({ input_ids: ints(rows), attention_mask: ints(mask) });
    return { states: last_hidden_state, mask: ints(mask) };
  }

  /** Logits at the last position of `prefix` for each row, no KV cache (use_cache_branch = false). */
  async function nextLogits(
    enc: { states: Tensor; mask: Tensor },
    prefixes: number[][],
  ): Promise<Float32Array[]> {
    const batch = prefixes.length;
    const feeds: Record<string, Tensor> = {
      input_ids: ints(prefixes),
      encoder_hidden_states: enc.states,
      encoder_attention_mask: enc.mask,
      use_cache_branch: new Tensor('bool', [false], [1]),
    };
    for (const name of decoder.inputNames.filter((n) => n.startsWith('past_key_values.')))
      feeds[name] = new Tensor('float32', new Float32Array(0), [batch, 4, 0, 16]);
    const { logits } = await decoder.run(feeds);
    const [, seq, vocab] = logits.dims;
    const data = logits.data as Float32Array;
    return prefixes.map((_, b) => data.slice((b * seq + seq - 1) * vocab, (b * seq + seq) * vocab));
  }

  async function greedy(text: string, target: string) {
    const source = [
      tokenizer.token_to_id('eng_Latn')!,
      ...tokenizer.encode(text, { add_special_tokens: false }).ids,
      EOS,
    ];
    const enc = await encode([source]);
    const prefix = [EOS, tokenizer.token_to_id(target)!];
    const gaps: number[] = [];
    const winners: number[] = [];
    for (let step = 0; step < 30; step++) {
      const [row] = await nextLogits(enc, [[...prefix, ...winners]]);
      const sorted = [...row].sort((a, b) => b - a);
      gaps.push(sorted[0] - sorted[1]);
      const best = row.indexOf(sorted[0]);
      if (best === EOS) return { winners, gaps, ended: true };
      winners.push(best);
    }
    return { winners, gaps, ended: false };
  }

  it('writes the Hugging Face NLLB export layout, about 1 MB', () => {
    const files = filesOf(join(dir, 'a')).sort();
    assert.deepEqual(files, [
      'config.json',
      'generation_config.json',
      join('onnx', 'decoder_model_merged.onnx'),
      join('onnx', 'encoder_model.onnx'),
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const bytes = files.reduce((sum, f) => sum + statSync(join(dir, 'a', f)).size, 0);
    assert.ok(bytes > 200_000 && bytes < 1_500_000, `${bytes} bytes`);
    const config = JSON.parse(readFileSync(join(dir, 'a', 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'm2m_100');
    assert.equal(config.olt_test_model, true);
    assert.deepEqual(
      [config.bos_token_id, config.pad_token_id, config.eos_token_id, config.decoder_start_token_id],
      [0, 1, 2, 2],
    );
    assert.equal(config.vocab_size, tokenizer.get_vocab(true).size);
  });

  it('writes the same bytes every time', async () => {
    await generateTinyNllb(join(dir, 'b'));
    const digest = (sub: string) =>
      filesOf(join(dir, sub))
        .sort()
        .map(
          (f) =>
            `${f}:${createHash('sha256')
              .update(readFileSync(join(dir, sub, f)))
              .digest('hex')}`,
        );
    assert.deepEqual(digest('b'), digest('a'));
  });

  it('has the NLLB special tokens, then pieces, then all 202 FLORES-200 codes in order, then <mask>', () => {
    assert.deepEqual(
      ['<s>', '<pad>', '</s>', '<unk>'].map((t) => tokenizer.token_to_id(t)),
      [0, 1, 2, 3],
    );
    assert.equal(FLORES200_CODES.length, 202);
    assert.equal(new Set(FLORES200_CODES).size, 202);
    const first = tokenizer.token_to_id('ace_Arab')!;
    FLORES200_CODES.forEach((code, i) => assert.equal(tokenizer.token_to_id(code), first + i, code));
    assert.equal(tokenizer.token_to_id('<mask>'), first + 202);
    assert.ok(first > 300, 'a few hundred pieces come first');
    const encoded = tokenizer.encode('Hello world, how are you?');
    assert.equal(encoded.tokens[0], 'eng_Latn');
    assert.equal(encoded.tokens.at(-1), '</s>');
    assert.ok(encoded.tokens.includes('▁how'));
    assert.equal(tokenizer.decode(encoded.ids, { skip_special_tokens: true }), 'Hello world, how are you?');
  });

  it('declares the exact input and output names of the real export', () => {
    assert.deepEqual(encoder.inputNames, ['input_ids', 'attention_mask']);
    assert.deepEqual(encoder.outputNames, ['last_hidden_state']);
    const kv = (prefix: string) =>
      [0, 1].flatMap((i) =>
        ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value'].map((p) => `${prefix}.${i}.${p}`),
      );
    assert.deepEqual(decoder.inputNames, [
      'encoder_attention_mask',
      'input_ids',
      'encoder_hidden_states',
      ...kv('past_key_values'),
      'use_cache_branch',
    ]);
    assert.deepEqual([...decoder.outputNames].sort(), [...kv('present'), 'logits'].sort());
  });

  it('ignores padded source positions in the encoder and in cross-attention', async () => {
    const source = tokenizer.encode('the house is big').ids;
    const alone = await encode([source]);
    const padded = await encode([[...source, 1, 1, 1, 1, 1]], [source.length]);
    const d = alone.states.dims[2];
    const a = alone.states.data as Float32Array;
    const p = (padded.states.data as Float32Array).subarray(0, source.length * d);
    assert.ok(
      a.every((v, i) => Math.abs(v - p[i]) < 1e-5),
      'encoder states of real tokens changed',
    );
    const prefix = [[EOS, tokenizer.token_to_id('spa_Latn')!, tokenizer.token_to_id('▁the')!]];
    const [x] = await nextLogits(alone, prefix);
    const [y] = await nextLogits(padded, prefix);
    assert.ok(
      x.every((v, i) => Math.abs(v - y[i]) < 1e-4),
      'decoder logits changed with padding',
    );
  });

  it('decodes greedily to a few whole words, then </s>, with a clear winner at every step', async () => {
    const words = new Set(
      [...tokenizer.get_vocab(false)].filter(([piece]) => /^▁[a-z]{3,}$/.test(piece)).map(([, id]) => id),
    );
    const texts = [
      'Hello world, how are you?',
      'hi',
      'The quick brown fox jumps over the lazy dog.',
      'I love this game',
    ];
    for (const text of texts) {
      for (const target of ['spa_Latn', 'fra_Latn', 'zho_Hans']) {
        const { winners, gaps, ended } = await greedy(text, target);
        assert.ok(ended, `${text} → ${target} did not end`);
        assert.ok(
          winners.length >= 2 && winners.length <= 8,
          `${text} → ${target}: ${winners.length} tokens`,
        );
        assert.ok(
          winners.every((id) => words.has(id)),
          `${text} → ${target}: non-word token won`,
        );
        assert.ok(Math.min(...gaps) > 0.5, `${text} → ${target}: top-2 gap ${Math.min(...gaps)}`);
      }
    }
  });

  it('depends on the source text and on the target language', async () => {
    const text = 'Hello world, how are you?';
    const byTarget = await Promise.all(['spa_Latn', 'fra_Latn', 'deu_Latn'].map((t) => greedy(text, t)));
    assert.equal(new Set(byTarget.map((r) => r.winners.join())).size, 3);
    const bySource = await Promise.all(['hi', 'good night', text].map((t) => greedy(t, 'spa_Latn')));
    assert.equal(new Set(bySource.map((r) => r.winners.join())).size, 3);
  });
});
