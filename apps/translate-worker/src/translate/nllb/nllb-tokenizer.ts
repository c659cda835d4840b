import { Tokenizer } from '@huggingface/tokenizers';
import { failedPrecondition, findLanguage, invalidArgument, readModelJson } from '@olt/shared';

const FLORES_CODE = /^[a-z]{3}_[A-Z][a-z]{3}$/;

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
}

/**
 * NLLB tokenization on @huggingface/tokenizers, stateless per request: the source language token is put
 * in front by id ([src_lang, pieces…, </s>], the non-legacy NLLB layout) instead of switching the
 * tokenizer's src_lang, so concurrent requests with different pairs never affect each other.
 */
export class NllbTokenizer {
  private readonly languages: ReadonlyMap<string, number>;
  private readonly specialIds: ReadonlySet<number>;
  private readonly unknownId: number | undefined;

  private constructor(
    private readonly tokenizer: Tokenizer,
    addedTokens: readonly AddedTokenJson[],
    readonly eosId: number,
  ) {
    this.languages = new Map(
      addedTokens.filter((t) => FLORES_CODE.test(t.content)).map((t) => [t.content, t.id] as const),
    );
    this.specialIds = new Set(addedTokens.filter((t) => t.special).map((t) => t.id));
    this.unknownId = tokenizer.token_to_id('<unk>');
  }

  /** Reads tokenizer.json and tokenizer_config.json of a Hugging Face NLLB export. */
  static fromDir(dir: string, eosId: number): NllbTokenizer {
    const json = readModelJson<{ added_tokens?: AddedTokenJson[] }>(dir, 'tokenizer.json');
    const config = readModelJson(dir, 'tokenizer_config.json');
    const nllb = new NllbTokenizer(new Tokenizer(json, config), json.added_tokens ?? [], eosId);
    if (nllb.languages.size === 0) {
      throw failedPrecondition(
        `${dir}/tokenizer.json has no FLORES-200 language tokens; is this an NLLB model?`,
      );
    }
    return nllb;
  }

  /** FLORES-200 codes this model knows, in token-id order. */
  get languageCodes(): string[] {
    return [...this.languages].sort((a, b) => a[1] - b[1]).map(([code]) => code);
  }

  /** Token id of a FLORES-200 code; INVALID_ARGUMENT naming the code (and a likely fix) otherwise. */
  languageId(code: string, role: 'source' | 'target'): number {
    const id = this.languages.get(code);
    if (id !== undefined) return id;
    const flores = findLanguage(code)?.flores;
    const hint = flores && this.languages.has(flores) ? ` (did you mean "${flores}"?)` : '';
    throw invalidArgument(
      `unknown ${role} language "${code}" for NLLB${hint}; expected a FLORES-200 code such as eng_Latn or ` +
        `spa_Latn (this model knows ${this.languages.size} codes)`,
    );
  }

  /**
   * Source ids [src_lang, pieces…, </s>], at most `maxLength` long (longer text keeps its beginning).
   * Special tokens typed in the text ("</s>", "spa_Latn") are dropped: user text must not steer the model.
   */
  encodeSource(text: string, sourceId: number, maxLength: number): number[] {
    const pieces = this.tokenizer
      .encode(text, { add_special_tokens: false })
      .ids.filter((id) => !this.specialIds.has(id) || id === this.unknownId);
    return [sourceId, ...pieces.slice(0, Math.max(0, maxLength - 2)), this.eosId];
  }

  /** Text of generated ids, special tokens skipped. */
  decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode([...ids], { skip_special_tokens: true }).trim();
  }
}
