import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  logitsAt,
  mergedDecoderLayout,
  MergedDecoderCache,
  runMergedDecoder,
  suppressTokens,
  WHISPER_LANGUAGES,
} from '@olt/shared';
import { SeededRandom } from '../onnx-graph';
import { generateTinyWhisper } from './generate-tiny-whisper';
import { WORDS } from './tiny-whisper-tokenizer';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MELS = 80;
const FRAMES = 3000;

/**
 * Log-mel-like features without the engine's extractor: the clamp floor everywhere, and for the first
 * `frames` frames a seeded texture plus bright bands at the given mel bins (like a chord).
 */
function features(frames: number, bands: number[], seed: number): Float32Array {
  const out = new Float32Array(MELS * FRAMES).fill(-0.5);
  const rng = new SeededRandom(seed);
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < MELS; m++)
      out[m * FRAMES + t] = -0.5 + 0.6 * rng.next() + (bands.includes(m) ? 1.4 : 0);
  }
  return out;
}

interface Greedy {
  language: number;
  languageLogits: number[];
  tokens: number[];
  /** top-1 minus top-2 logit at every greedy step (after suppression). */
  gaps: number[];
  ended: boolean;
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('generateTinyWhisper', () => {
  const root = mkdtempSync(join(tmpdir(), 'olt-tiny-whisper-'));
  const dir = join(root, 'a');
  let config: Json;
  let generation: Json;
  let encoder: InferenceSession;
  let decoder: InferenceSession;

  before(async () => {
    await generateTinyWhisper(dir);
    config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    generation = JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8'));
    encoder = await InferenceSession.create(join(dir, 'onnx', 'encoder_model.onnx'));
    decoder = await InferenceSession.create(join(dir, 'onnx', 'decoder_model_merged.onnx'));
  });
  after(async () => {
    await encoder?.release();
    await decoder?.release();
    rmSync(root, { recursive: true, force: true });
  });

  async function greedy(input: Float32Array, maxSteps = 12): Promise<Greedy> {
    const states = (await encoder.run({ input_features: new Tensor('float32', input, [1, MELS, FRAMES]) }))
      .last_hidden_state as Tensor;
    const cache = new MergedDecoderCache(mergedDecoderLayout(decoder, config), 1);
    const feeds = { encoder_hidden_states: states };
    const langIds = Object.values(generation.lang_to_id as Record<string, number>);
    const first = logitsAt(
      await runMergedDecoder(decoder, cache, [[generation.decoder_start_token_id]], feeds),
    )[0];
    const languageLogits = langIds.map((id) => first[id]);
    const language = langIds[languageLogits.indexOf(Math.max(...languageLogits))];
    const prompt = [language, generation.task_to_id.transcribe, generation.no_timestamps_token_id];
    let logits = logitsAt(await runMergedDecoder(decoder, cache, [prompt], feeds))[0];
    const result: Greedy = { language, languageLogits, tokens: [], gaps: [], ended: false };
    for (let step = 0; step < maxSteps; step++) {
      suppressTokens(logits, generation.suppress_tokens);
      if (step === 0) suppressTokens(logits, generation.begin_suppress_tokens);
      const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
      result.gaps.push(logits[order[0]] - logits[order[1]]);
      if (order[0] === generation.eos_token_id) {
        result.ended = true;
        break;
      }
      result.tokens.push(order[0]);
      logits = logitsAt(await runMergedDecoder(decoder, cache, [[order[0]]], feeds))[0];
    }
    return result;
  }

  it('writes the Hugging Face Whisper export layout with the test-model marker', () => {
    assert.deepEqual(readdirSync(join(dir, 'onnx')).sort(), [
      'decoder_model_merged.onnx',
      'decoder_model_merged_fp16.onnx',
      'decoder_model_merged_int8.onnx',
      'decoder_model_merged_q4.onnx',
      'encoder_model.onnx',
      'encoder_model_fp16.onnx',
      'encoder_model_int8.onnx',
      'encoder_model_q4.onnx',
    ]);
    for (const f of ['preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'README.md']) {
      assert.ok(statSync(join(dir, f)).size > 0, f);
    }
    assert.equal(config.olt_test_model, true);
    assert.equal(config.model_type, 'whisper');
    assert.equal(config.num_mel_bins, 80);
    assert.equal(config.max_source_positions, 1500);
    const pre = JSON.parse(readFileSync(join(dir, 'preprocessor_config.json'), 'utf8'));
    assert.deepEqual(
      [pre.feature_size, pre.sampling_rate, pre.hop_length, pre.n_fft, pre.n_samples],
      [80, 16000, 160, 400, 480000],
    );
    const total = readdirSync(join(dir, 'onnx')).reduce((s, f) => s + statSync(join(dir, 'onnx', f)).size, 0);
    assert.ok(total < 1.6e6, `onnx files take ${total} bytes`);
  });

  it('has all 99 language tokens in Whisper order, right after <|startoftranscript|>', () => {
    const entries = Object.entries(generation.lang_to_id as Record<string, number>).sort(
      (a, b) => a[1] - b[1],
    );
    assert.equal(entries.length, 99);
    assert.deepEqual(
      entries.map(([t]) => t),
      WHISPER_LANGUAGES.slice(0, 99).map(([code]) => `<|${code}|>`),
    );
    assert.equal(entries[0][1], generation.decoder_start_token_id + 1);
    assert.equal(generation.task_to_id.transcribe, entries[98][1] + 2);
    assert.equal(generation.no_timestamps_token_id, entries[98][1] + 6);
    assert.equal(generation.is_multilingual, true);
  });

  it('ships a tokenizer.json that @huggingface/tokenizers loads, with word tokens and Whisper specials', () => {
    const tokenizer = new Tokenizer(
      JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')),
    );
    const ids = tokenizer.encode(' river stone open', { add_special_tokens: false }).ids;
    assert.equal(ids.length, 3);
    assert.equal(tokenizer.decode(ids), ' river stone open');
    assert.equal(tokenizer.token_to_id('<|endoftext|>'), generation.eos_token_id);
    assert.equal(tokenizer.token_to_id('<|startoftranscript|>'), generation.decoder_start_token_id);
    assert.equal(tokenizer.token_to_id('<|de|>'), generation.lang_to_id['<|de|>']);
    const withSpecials = [generation.decoder_start_token_id, ...ids, generation.eos_token_id];
    assert.equal(tokenizer.decode(withSpecials, { skip_special_tokens: true }), ' river stone open');
    assert.equal(config.vocab_size, tokenizer.get_vocab(true).size);
  });

  it('writes identical bytes on every run', async () => {
    const again = join(root, 'b');
    await generateTinyWhisper(again);
    for (const f of [
      ...readdirSync(dir).filter((n) => n !== 'onnx'),
      ...readdirSync(join(dir, 'onnx')).map((n) => `onnx/${n}`),
    ]) {
      assert.equal(sha(join(again, f)), sha(join(dir, f)), f);
    }
  });

  it('greedy decoding gives 3–8 word tokens then <|endoftext|>, with a top-2 gap > 0.5 at every step', async () => {
    const wordTokens = new Set(WORDS.map((w) => `Ġ${w}`));
    const vocab = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')).model.vocab as Record<
      string,
      number
    >;
    const byId = new Map(Object.entries(vocab).map(([t, id]) => [id, t]));
    const inputs = [
      features(50, [10], 1),
      features(200, [40, 41], 2),
      features(900, [70], 3),
      features(120, [], 4),
    ];
    const texts = new Set<string>();
    for (const input of inputs) {
      const run = await greedy(input);
      assert.ok(run.ended, 'ends with <|endoftext|>');
      assert.ok(run.tokens.length >= 3 && run.tokens.length <= 8, `${run.tokens.length} tokens`);
      for (const id of run.tokens)
        assert.ok(wordTokens.has(byId.get(id)!), `token ${id} (${byId.get(id)}) is a word`);
      assert.ok(Math.min(...run.gaps) > 0.5, `gaps ${run.gaps.map((g) => g.toFixed(2)).join(' ')}`);
      texts.add(run.tokens.join(','));
    }
    assert.equal(texts.size, inputs.length, 'different audio gives different words');
  });

  it('the same input gives the same tokens, and language logits follow the audio', async () => {
    const a = await greedy(features(300, [20], 9));
    const b = await greedy(features(300, [20], 9));
    const c = await greedy(features(300, [60], 10));
    assert.deepEqual(a.tokens, b.tokens);
    assert.deepEqual(a.languageLogits, b.languageLogits);
    const spread = a.languageLogits.map((x, i) => Math.abs(x - c.languageLogits[i]));
    assert.ok(Math.max(...spread) > 0.5, 'language logits change with the audio');
  });

  it('the KV cache path equals a full no-cache run (the decoder really uses its past)', async () => {
    const states = (
      await encoder.run({ input_features: new Tensor('float32', features(100, [30], 5), [1, MELS, FRAMES]) })
    ).last_hidden_state as Tensor;
    const feeds = { encoder_hidden_states: states };
    const layout = mergedDecoderLayout(decoder, config);
    const ids = [
      generation.decoder_start_token_id,
      generation.lang_to_id['<|en|>'],
      generation.task_to_id.transcribe,
      generation.no_timestamps_token_id,
    ];
    const stepwise = new MergedDecoderCache(layout, 1);
    let last: Float32Array = new Float32Array(0);
    for (const id of ids) last = logitsAt(await runMergedDecoder(decoder, stepwise, [[id]], feeds))[0];
    const whole = logitsAt(
      await runMergedDecoder(decoder, new MergedDecoderCache(layout, 1), [ids], feeds),
    )[0];
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++)
      if (whole[i] > -1e4) maxDiff = Math.max(maxDiff, Math.abs(whole[i] - last[i]));
    assert.ok(maxDiff < 0.05, `max logit difference ${maxDiff}`);
    // Shifting one past token changes the next logits: position and history matter.
    const shifted = new MergedDecoderCache(layout, 1);
    for (const id of [ids[0], ids[0], ...ids.slice(1)])
      last = logitsAt(await runMergedDecoder(decoder, shifted, [[id]], feeds))[0];
    assert.notDeepEqual(Array.from(last), Array.from(whole));
  });

  it('the fp16 variant takes and returns float16 tensors', async () => {
    const session = await InferenceSession.create(join(dir, 'onnx', 'decoder_model_merged_fp16.onnx'));
    const types = Object.fromEntries(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : '']));
    assert.equal(types.encoder_hidden_states, 'float16');
    assert.equal(types['past_key_values.1.encoder.value'], 'float16');
    assert.equal(types.input_ids, 'int64');
    assert.equal(types.use_cache_branch, 'bool');
    await session.release();
  });
});
