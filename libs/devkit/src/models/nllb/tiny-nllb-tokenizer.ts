import { FLORES200_CODES } from './flores200-codes';

/**
 * A tiny NLLB-style tokenizer: the same tokenizer.json layout as facebook/nllb-200-distilled-600M
 * (Metaspace "▁", BPE pieces after the fairseq specials, the 202 language codes and <mask> as added special
 * tokens) with a few hundred pieces learnt by real BPE training on a fixed word list, so any text
 * tokenizes the way the real file would treat it (known pieces, else characters, else <unk>).
 */

export const SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
export const BOS_ID = 0;
export const PAD_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;
const MERGE_COUNT = 360;

// Word list the pieces are learnt from: common English words first (higher weight), then a few Spanish,
// French and German ones so that other Latin-script text gets sub-word pieces too.
const CORPUS = `
  the of and to a in is it you that he was for on are with as I his they be at one have this from or had by
  hot word but what some we can out other were all there when up use your how said an each she which do
  their time if will way about many then them write would like so these her long make thing see him two
  has look more day could go come did number sound no most people my over know water than call first who
  may down side been now find any new work part take get place made live where after back little only
  round man year came show every good me give our under name very through just form sentence great think
  say help low line differ turn cause much mean before move right boy old too same tell does set three
  want air well also play small end put home read hand port large spell add even land here must big high
  such follow act why ask men change went light kind off need house picture try us again animal point
  mother world near build self earth father head stand own page should country found answer school grow
  study still learn plant cover food sun four between state keep eye never last let thought city tree
  cross farm hard start might story saw far sea draw left late run while press close night real life few
  north open seem together next white children begin got walk example ease paper group always music those
  both mark often letter until mile river car feet care second book carry took science eat room friend
  began idea fish mountain stop once base hear horse cut sure watch color face wood main enough plain girl
  usual young ready above ever red list though feel talk bird soon body dog family direct pose leave song
  measure door product black short numeral class wind question happen complete ship area half rock order
  fire south problem piece told knew pass since top whole king space heard best hour better true during
  hundred five remember step early hold west ground interest reach fast verb sing listen six table travel
  less morning ten simple several vowel toward war lay against pattern slow center love person money
  serve appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall lead
  cry dark machine note wait plan figure star box noun field rest correct able pound done beauty drive
  stood contain front teach week final gave green oh quick develop ocean warm free minute strong special
  mind behind clear tail produce fact street inch multiply nothing course stay wheel full force blue
  object decide surface deep moon island foot system busy test record boat common gold possible plane
  stead dry wonder laugh thousand ago ran check game shape equate miss brought heat snow tire bring yes
  distant fill east paint language among hello thanks please sorry today tomorrow stream chat live game
  el la de que y en los se del las un por con una su para es al lo como más pero sus le ya o este sí
  le la les des et en un une est pas que qui dans pour sur au avec il elle nous vous
  der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden
`;

/** Deterministic BPE training: most frequent adjacent pair wins, ties broken by the pair's text. */
function trainBpe(): { alphabet: string[]; merges: [string, string][] } {
  const words = CORPUS.trim().split(/\s+/);
  const counts = new Map<string, number>();
  // Zipf-like weights: earlier words are more frequent, as in real text.
  words.forEach((w, rank) => counts.set(w, (counts.get(w) ?? 0) + Math.max(1, Math.round(400 / (rank + 8)))));
  const split = [...counts].map(([w, c]) => ({ symbols: Array.from('▁' + w), count: c }));

  const charCounts = new Map<string, number>();
  for (const { symbols, count } of split)
    for (const s of symbols) charCounts.set(s, (charCounts.get(s) ?? 0) + count);
  // Every ASCII letter, digit and common punctuation is a piece even if the list lacks it, so names and
  // numbers still tokenize to characters instead of <unk>.
  const extra = Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?\'"-:;()');
  for (const c of extra) if (!charCounts.has(c)) charCounts.set(c, 0);
  const alphabet = [...charCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);

  const merges: [string, string][] = [];
  while (merges.length < MERGE_COUNT) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of split) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + ' ' + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 1;
    for (const [key, c] of pairs) {
      if (c > bestCount || (c === bestCount && best !== undefined && key < best))
        [best, bestCount] = [key, c];
    }
    if (!best) break;
    const [a, b] = best.split(' ') as [string, string];
    merges.push([a, b]);
    for (const word of split) {
      const out: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === a && word.symbols[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(word.symbols[i]);
      }
      word.symbols = out;
    }
  }
  return { alphabet, merges };
}

export interface TinyNllbVocab {
  /** Model (BPE) vocabulary: specials 0..3, then pieces. */
  pieces: string[];
  merges: [string, string][];
  /** Id of the first language code; codes follow in FLORES200_CODES order, then <mask>. */
  firstLanguageId: number;
  maskId: number;
  /** Total number of token ids (pieces + language codes + <mask>). */
  size: number;
  /** Ids of whole-word pieces ("▁house"): the only tokens the tiny decoder ever emits besides </s>. */
  wordIds: number[];
}

export function buildTinyNllbVocab(outputWords: number): TinyNllbVocab {
  const { alphabet, merges } = trainBpe();
  const pieces = [...SPECIAL_TOKENS, ...alphabet, ...merges.map(([a, b]) => a + b)];
  const corpusWords = new Set(CORPUS.trim().split(/\s+/));
  // Whole words only, so the tiny decoder's output reads as words ("house world"), not fragments.
  const wordIds = pieces
    .map((p, id) => ({ p, id }))
    .filter(({ p }) => /^▁[a-z]{3,}$/.test(p) && corpusWords.has(p.slice(1)))
    .slice(0, outputWords)
    .map(({ id }) => id);
  const firstLanguageId = pieces.length;
  const maskId = firstLanguageId + FLORES200_CODES.length;
  return { pieces, merges, firstLanguageId, maskId, size: maskId + 1, wordIds };
}

const addedToken = (id: number, content: string) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

/** tokenizer.json in the layout of the real NLLB file (non-legacy template: [src_lang] $A </s>). */
export function tinyNllbTokenizerJson(vocab: TinyNllbVocab): object {
  const languages = FLORES200_CODES.map((code, i) => addedToken(vocab.firstLanguageId + i, code));
  const metaspace = { replacement: '▁', prepend_scheme: 'always', split: true };
  const eng = vocab.firstLanguageId + FLORES200_CODES.indexOf('eng_Latn');
  const token = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const sequence = (id: string) => ({ Sequence: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      ...SPECIAL_TOKENS.map((t, id) => addedToken(id, t)),
      ...languages,
      addedToken(vocab.maskId, '<mask>'),
    ],
    // The real file has a Precompiled (SentencePiece NFKC) charsmap first; NFKC is its documented meaning.
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
    },
    pre_tokenizer: { type: 'Metaspace', ...metaspace },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('eng_Latn'), sequence('A'), token('</s>')],
      pair: [token('eng_Latn'), sequence('A'), sequence('B'), token('</s>')],
      special_tokens: {
        '</s>': { id: '</s>', ids: [EOS_ID], tokens: ['</s>'] },
        eng_Latn: { id: 'eng_Latn', ids: [eng], tokens: ['eng_Latn'] },
      },
    },
    decoder: { type: 'Metaspace', ...metaspace },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.pieces.map((p, id) => [p, id])),
      merges: vocab.merges,
    },
  };
}

export function tinyNllbTokenizerConfigJson(vocab: TinyNllbVocab): object {
  const decoderEntries = [
    ...SPECIAL_TOKENS.map((t, id) => [id, t] as const),
    ...FLORES200_CODES.map((code, i) => [vocab.firstLanguageId + i, code] as const),
    [vocab.maskId, '<mask>'] as const,
  ];
  return {
    added_tokens_decoder: Object.fromEntries(
      decoderEntries.map(([id, content]) => {
        const { id: _id, ...rest } = addedToken(id, content);
        return [String(id), rest];
      }),
    ),
    additional_special_tokens: [...FLORES200_CODES],
    bos_token: '<s>',
    clean_up_tokenization_spaces: true,
    cls_token: '<s>',
    eos_token: '</s>',
    legacy_behaviour: false,
    mask_token: '<mask>',
    model_max_length: 1024,
    pad_token: '<pad>',
    sep_token: '</s>',
    sp_model_kwargs: {},
    src_lang: null,
    tgt_lang: null,
    tokenizer_class: 'NllbTokenizer',
    unk_token: '<unk>',
  };
}

export function tinyNllbSpecialTokensMapJson(): object {
  return {
    additional_special_tokens: [...FLORES200_CODES],
    bos_token: '<s>',
    cls_token: '<s>',
    eos_token: '</s>',
    mask_token: { content: '<mask>', lstrip: true, normalized: true, rstrip: false, single_word: false },
    pad_token: '<pad>',
    sep_token: '</s>',
    unk_token: '<unk>',
  };
}
