import {
  createInferenceSession,
  selectBatchRows,
  type DecoderCacheLayout,
  failedPrecondition,
  invalidArgument,
  type LoadedInferenceSession,
  mergedDecoderLayout,
  type ModelInfo,
  type MtEngine,
  type MtRequest,
  type MtResult,
  resolveModelFile,
} from '@olt/shared';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { beamDecodeBatch } from './beam-batch-decoder';
import { greedyDecodeBatch } from './greedy-batch-decoder';
import { type NllbModelConfig, readNllbModelConfig } from './nllb-model-config';
import { NllbTokenizer } from './nllb-tokenizer';

export interface NllbLoadOptions {
  /** File variant: "fp32", "fp16", "int8", "q4", … or "auto" (the best one present). */
  precision: string;
  /** Execution providers to try in order ("cuda", "webgpu", …); CPU is always the last resort. */
  executionProviders: readonly string[];
  /** Cap on generated tokens per request; default min(256, 2 × source tokens + 10). */
  maxNewTokens?: number;
  /** Beams per request: 1 (the default) decodes greedily, 2…16 run beam search (length penalty 1.0). */
  beamSize?: number;
  /** Threads inside one ONNX operator; undefined or 0 = ONNX Runtime's default. */
  intraOpThreads?: number;
  /** ONNX Runtime's inter-op threads and spinning (config translate.inter_op_threads, allow_spinning). */
  interOpThreads?: number;
  allowSpinning?: boolean;
}

const DEFAULT_MAX_NEW_TOKENS_CAP = 256;
/** As translate.beam_size's bound: more beams cost linearly more decoder work for little gain. */
const MAX_BEAM_SIZE = 16;

/**
 * NLLB-200 translation on ONNX Runtime from a Hugging Face export directory (onnx/encoder_model*.onnx,
 * onnx/decoder_model_merged*.onnx, tokenizer.json). A batch may mix language pairs and lengths: one
 * encoder run over the right-padded sources, then greedy decoding or beam search of all rows together with
 * the KV cache, each row forced to start with [decoder_start, target language].
 */
export class NllbOnnxEngine implements MtEngine {
  private constructor(
    readonly info: ModelInfo,
    private readonly encoder: InferenceSession,
    private readonly decoder: InferenceSession,
    private readonly layout: DecoderCacheLayout,
    private readonly tokenizer: NllbTokenizer,
    private readonly config: NllbModelConfig,
    private readonly maxNewTokens: number | undefined,
    private readonly beamSize: number,
  ) {}

  static async load(dir: string, options: NllbLoadOptions): Promise<NllbOnnxEngine> {
    const beamSize = options.beamSize ?? 1;
    if (!(Number.isInteger(beamSize) && beamSize >= 1 && beamSize <= MAX_BEAM_SIZE)) {
      throw invalidArgument(
        `NLLB beamSize must be an integer from 1 (greedy) to ${MAX_BEAM_SIZE}, got ${beamSize}`,
      );
    }
    if (
      options.maxNewTokens !== undefined &&
      !(Number.isInteger(options.maxNewTokens) && options.maxNewTokens > 0)
    ) {
      throw invalidArgument(`NLLB maxNewTokens must be a positive integer, got ${options.maxNewTokens}`);
    }
    const config = readNllbModelConfig(dir);
    const tokenizer = NllbTokenizer.fromDir(dir, config.eosTokenId);
    const encoderFile = resolveModelFile(dir, 'encoder_model', options.precision);
    const decoderFile = resolveModelFile(dir, 'decoder_model_merged', options.precision);
    const sessionOptions = {
      executionProviders: options.executionProviders,
      // 0 = ONNX Runtime's default thread count (onnxruntime-node rejects an undefined value).
      intraOpThreads: options.intraOpThreads ?? 0,
      interOpThreads: options.interOpThreads,
      allowSpinning: options.allowSpinning,
    };
    const encoder = await createInferenceSession(encoderFile.file, sessionOptions);
    let decoder: LoadedInferenceSession;
    let layout: DecoderCacheLayout;
    try {
      decoder = await createInferenceSession(decoderFile.file, sessionOptions);
      layout = mergedDecoderLayout(decoder.session, config.raw);
    } catch (err) {
      await encoder.session.release();
      throw err;
    }
    const precision =
      encoderFile.precision === decoderFile.precision
        ? encoderFile.precision
        : `${encoderFile.precision}+${decoderFile.precision}`;
    const executionProvider =
      encoder.executionProvider === decoder.executionProvider
        ? encoder.executionProvider
        : `${encoder.executionProvider}+${decoder.executionProvider}`;
    const info: ModelInfo = {
      id: `${config.name}@${precision}`,
      path: dir,
      executionProvider,
      precision,
      isTestModel: config.isTestModel,
    };
    return new NllbOnnxEngine(
      info,
      encoder.session,
      decoder.session,
      layout,
      tokenizer,
      config,
      options.maxNewTokens,
      beamSize,
    );
  }

  /** FLORES-200 codes the model knows, in token order. */
  get languages(): string[] {
    return this.tokenizer.languageCodes;
  }

  async translate(batch: MtRequest[]): Promise<MtResult[]> {
    // Check every request before running anything, so one bad code fails fast with its name.
    const requests = batch.map((req) => ({
      text: req.text,
      sourceId: this.tokenizer.languageId(req.source, 'source'),
      targetId: this.tokenizer.languageId(req.target, 'target'),
    }));
    const results: MtResult[] = batch.map(() => ({ text: '', confidence: 1 }));
    const work = requests.map((req, index) => ({ ...req, index })).filter((req) => req.text.trim() !== '');
    if (work.length === 0) return results;

    // A text fanned out to several targets is encoded once; its rows share the encoder output.
    const sourceOf = new Map<string, number>();
    const sources: number[][] = [];
    const sourceRow = work.map((req) => {
      const key = `${req.sourceId}\u0000${req.text}`;
      let row = sourceOf.get(key);
      if (row === undefined) {
        row = sources.push(this.tokenizer.encodeSource(req.text, req.sourceId, this.config.maxPositions)) - 1;
        sourceOf.set(key, row);
      }
      return row;
    });
    const unique = await this.encode(sources);
    const encoded =
      sources.length === work.length
        ? unique
        : {
            encoderHiddenStates: selectBatchRows(unique.encoderHiddenStates, sourceRow),
            encoderAttentionMask: selectBatchRows(unique.encoderAttentionMask, sourceRow),
          };
    const search = {
      ...encoded,
      prefixes: work.map((req) => [this.config.decoderStartTokenId, req.targetId]),
      maxNewTokens: sourceRow.map((row) => this.maxNewTokensFor(sources[row].length)),
      eosId: this.config.eosTokenId,
    };
    // Beam size 1 stays on the greedy decoder: a width-1 beam search may outlive a greedy </s>.
    const decoded =
      this.beamSize === 1
        ? await greedyDecodeBatch(this.decoder, this.layout, search)
        : await beamDecodeBatch(this.decoder, this.layout, { ...search, beamSize: this.beamSize });
    work.forEach((req, row) => {
      const logProbs = decoded.logProbs[row];
      const meanLogProb = logProbs.reduce((a, b) => a + b, 0) / logProbs.length;
      results[req.index] = {
        text: this.tokenizer.decode(decoded.tokens[row]),
        confidence: Math.exp(meanLogProb),
      };
    });
    return results;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }

  /** One encoder run over the sources, right-padded with the pad id. */
  private async encode(
    sources: number[][],
  ): Promise<{ encoderHiddenStates: Tensor; encoderAttentionMask: Tensor }> {
    const length = Math.max(...sources.map((ids) => ids.length));
    const ids = new BigInt64Array(sources.length * length).fill(BigInt(this.config.padTokenId));
    const mask = new BigInt64Array(sources.length * length);
    sources.forEach((row, b) =>
      row.forEach((id, s) => {
        ids[b * length + s] = BigInt(id);
        mask[b * length + s] = 1n;
      }),
    );
    const dims = [sources.length, length];
    const encoderAttentionMask = new Tensor('int64', mask, dims);
    const available: Record<string, Tensor> = {
      input_ids: new Tensor('int64', ids, dims),
      attention_mask: encoderAttentionMask,
    };
    const feeds: Record<string, Tensor> = {};
    for (const name of this.encoder.inputNames) {
      if (!available[name])
        throw failedPrecondition(`NLLB encoder needs an input "${name}" this engine cannot give`);
      feeds[name] = available[name];
    }
    const outputs = await this.encoder.run(feeds);
    const encoderHiddenStates = outputs.last_hidden_state as Tensor | undefined;
    if (!encoderHiddenStates) throw failedPrecondition('NLLB encoder did not output last_hidden_state');
    return { encoderHiddenStates, encoderAttentionMask };
  }

  private maxNewTokensFor(sourceLength: number): number {
    const wanted = this.maxNewTokens ?? Math.min(DEFAULT_MAX_NEW_TOKENS_CAP, 2 * sourceLength + 10);
    // The forced prefix takes two decoder positions.
    return Math.max(1, Math.min(wanted, this.config.maxPositions - 2));
  }
}
