import { WHISPER_LANGUAGES } from '@olt/shared';

/**
 * Vocabulary and tokenizer files of the tiny Whisper: a GPT-2 style byte-level BPE (256 byte symbols, then
 * merges that build each word of WORDS as one " word" token), followed by Whisper's added special tokens
 * in Whisper's order. @huggingface/tokenizers loads the result like a real Whisper tokenizer.json.
 */

/** Common lowercase English words; each becomes one token with a leading space ("Ġriver"). */
export const WORDS: readonly string[] = [
  'the',
  'a',
  'and',
  'of',
  'to',
  'in',
  'is',
  'it',
  'you',
  'that',
  'he',
  'was',
  'for',
  'on',
  'are',
  'with',
  'they',
  'be',
  'at',
  'one',
  'have',
  'this',
  'from',
  'by',
  'hot',
  'word',
  'but',
  'what',
  'some',
  'we',
  'can',
  'out',
  'other',
  'were',
  'all',
  'there',
  'when',
  'up',
  'use',
  'your',
  'how',
  'said',
  'an',
  'each',
  'she',
  'which',
  'do',
  'their',
  'time',
  'if',
  'will',
  'way',
  'about',
  'many',
  'then',
  'them',
  'write',
  'would',
  'like',
  'so',
  'these',
  'her',
  'long',
  'make',
  'thing',
  'see',
  'him',
  'two',
  'has',
  'look',
  'more',
  'day',
  'could',
  'go',
  'come',
  'did',
  'number',
  'sound',
  'no',
  'most',
  'people',
  'my',
  'over',
  'know',
  'water',
  'than',
  'call',
  'first',
  'who',
  'may',
  'down',
  'side',
  'been',
  'now',
  'find',
  'river',
  'stone',
  'open',
  'light',
  'green',
  'house',
  'music',
  'paper',
  'night',
  'story',
  'table',
  'window',
  'morning',
  'garden',
  'bridge',
  'yellow',
  'simple',
  'quiet',
  'voice',
  'friend',
  'small',
  'great',
  'blue',
  'cloud',
  'train',
  'snow',
  'rain',
  'apple',
  'bread',
  'chair',
  'city',
  'field',
  'forest',
  'ocean',
  'moon',
  'star',
  'song',
  'dance',
  'happy',
  'early',
  'late',
  'fast',
  'slow',
  'warm',
  'cold',
  'new',
  'old',
  'good',
  'little',
  'big',
  'high',
  'low',
  'left',
  'right',
  'north',
  'south',
  'east',
  'west',
  'red',
  'white',
];

/** Whisper's added tokens after the language tokens, in Whisper's order. */
const TASK_AND_CONTROL = [
  '<|translate|>',
  '<|transcribe|>',
  '<|startoflm|>',
  '<|startofprev|>',
  '<|nocaptions|>',
  '<|notimestamps|>',
];

/** The 99 languages of the multilingual Whisper models before large-v3 (which added Cantonese). */
export const TINY_WHISPER_LANGUAGES: readonly string[] = WHISPER_LANGUAGES.slice(0, 99).map(([code]) => code);

/** GPT-2's reversible byte → printable character map; its order is the order of the first 256 ids. */
function byteSymbols(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const bytes = [...printable];
  const chars = printable.map((b) => String.fromCharCode(b));
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) {
      bytes.push(b);
      chars.push(String.fromCharCode(256 + n++));
    }
  }
  return chars;
}

export interface TinyWhisperVocab {
  /** token string → id, for the BPE part (byte symbols and merged pieces). */
  vocab: Map<string, number>;
  merges: string[];
  /** Ids of the whole-word tokens ("Ġriver"): the only ordinary tokens the model lets win. */
  wordIds: number[];
  /** Special tokens with their ids, in Whisper's order. */
  specials: Map<string, number>;
  langIds: Map<string, number>;
  vocabSize: number;
  eot: number;
  sot: number;
  translate: number;
  transcribe: number;
  startOfPrev: number;
  startOfLm: number;
  noCaptions: number;
  noTimestamps: number;
  /** Id of the byte-level space symbol "Ġ" (Whisper suppresses it as the first token). */
  space: number;
  /** Id of <|0.00|> when the vocabulary has Whisper's 1501 timestamp tokens (0.02 s apart), else undefined. */
  timestampBegin?: number;
}

export interface TinyWhisperVocabOptions {
  /** Append Whisper's timestamp tokens <|0.00|> … <|30.00|> after <|notimestamps|>, as real exports do. */
  timestampTokens?: boolean;
}

/** Whisper's timestamp tokens: <|0.00|> … <|30.00|>, 0.02 s apart. */
export const WHISPER_TIMESTAMP_TOKENS = 1501;

export function buildTinyWhisperVocab(options: TinyWhisperVocabOptions = {}): TinyWhisperVocab {
  const vocab = new Map<string, number>();
  byteSymbols().forEach((c, i) => vocab.set(c, i));
  const merges: string[] = [];
  const wordIds: number[] = [];
  for (const word of WORDS) {
    // Chain merges "Ġ r" → "Ġr", "Ġr i" → "Ġri", …: only pieces that start with Ġ ever merge.
    let piece = 'Ġ';
    for (const ch of word) {
      const next = piece + ch;
      if (!vocab.has(next)) {
        merges.push(`${piece} ${ch}`);
        vocab.set(next, vocab.size);
      }
      piece = next;
    }
    wordIds.push(vocab.get(piece)!);
  }
  const specials = new Map<string, number>();
  const add = (t: string) => specials.set(t, vocab.size + specials.size);
  add('<|endoftext|>');
  add('<|startoftranscript|>');
  const langIds = new Map<string, number>();
  for (const code of TINY_WHISPER_LANGUAGES) {
    add(`<|${code}|>`);
    langIds.set(code, specials.get(`<|${code}|>`)!);
  }
  TASK_AND_CONTROL.forEach(add);
  if (options.timestampTokens) {
    for (let i = 0; i < WHISPER_TIMESTAMP_TOKENS; i++) add(`<|${(i * 0.02).toFixed(2)}|>`);
  }
  const id = (t: string) => specials.get(t)!;
  return {
    vocab,
    merges,
    wordIds: [...new Set(wordIds)],
    specials,
    langIds,
    vocabSize: vocab.size + specials.size,
    eot: id('<|endoftext|>'),
    sot: id('<|startoftranscript|>'),
    translate: id('<|translate|>'),
    transcribe: id('<|transcribe|>'),
    startOfPrev: id('<|startofprev|>'),
    startOfLm: id('<|startoflm|>'),
    noCaptions: id('<|nocaptions|>'),
    noTimestamps: id('<|notimestamps|>'),
    space: vocab.get('Ġ')!,
    timestampBegin: options.timestampTokens ? id('<|0.00|>') : undefined,
  };
}

/** tokenizer.json in the layout of openai/whisper-* on the Hugging Face hub. */
export function tokenizerJson(v: TinyWhisperVocab): object {
  const special = (tok: string) => ({ SpecialToken: { id: tok, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...v.specials].map(([content, id]) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        special('<|startoftranscript|>'),
        special('<|notimestamps|>'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('<|endoftext|>'),
      ],
      pair: [
        special('<|startoftranscript|>'),
        special('<|notimestamps|>'),
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        special('<|endoftext|>'),
      ],
      special_tokens: Object.fromEntries(
        ['<|startoftranscript|>', '<|notimestamps|>', '<|endoftext|>'].map((t) => [
          t,
          { id: t, ids: [v.specials.get(t)], tokens: [t] },
        ]),
      ),
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(v.vocab),
      merges: v.merges,
    },
  };
}

/** tokenizer_config.json as the Whisper repos ship it (the fields tokenizers.js and transformers read). */
export function tokenizerConfigJson(v: TinyWhisperVocab): object {
  return {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    clean_up_tokenization_spaces: true,
    errors: 'replace',
    model_max_length: 1024,
    processor_class: 'WhisperProcessor',
    tokenizer_class: 'WhisperTokenizer',
    return_attention_mask: false,
    additional_special_tokens: [...v.specials.keys()].filter((t) => t !== '<|endoftext|>'),
    added_tokens_decoder: Object.fromEntries(
      [...v.specials].map(([content, id]) => [
        String(id),
        { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
      ]),
    ),
  };
}
