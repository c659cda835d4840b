import type { GlossaryTerm, MtResult } from '@olt/shared';
import { protectTerms, restoreTerms } from './glossary-protector';
import type { TranslationBatcher } from './translation-batcher';
import { joinSentences, splitSentences } from './sentence-splitter';

export interface TextTranslationRequest {
  text: string;
  /** FLORES-200 codes. */
  source: string;
  target: string;
  glossary?: readonly GlossaryTerm[];
}

export interface TextTranslatorOptions {
  splitSentences: boolean;
}

/**
 * Turns one job's text into model sentences and back: sentence splitting, glossary protection, then each
 * sentence through the pair batcher (so a job's sentences and other jobs' sentences share batches).
 * Confidence is the lowest of the sentences': one bad sentence makes the whole text doubtful.
 */
export class TextTranslator {
  constructor(
    private readonly batcher: TranslationBatcher,
    private readonly opts: TextTranslatorOptions,
  ) {}

  async translate(req: TextTranslationRequest): Promise<MtResult> {
    const sentences = this.opts.splitSentences ? splitSentences(req.text, req.source) : [req.text.trim()];
    if (sentences.length === 0) return { text: '', confidence: 1 };
    const results = await Promise.all(sentences.map((s) => this.translateSentence(s, req)));
    return {
      text: joinSentences(
        results.map((r) => r.text),
        req.target,
      ),
      confidence: Math.min(...results.map((r) => r.confidence)),
    };
  }

  private async translateSentence(sentence: string, req: TextTranslationRequest): Promise<MtResult> {
    const run = (text: string) => this.batcher.translate({ text, source: req.source, target: req.target });
    const protectedText = protectTerms(sentence, req.glossary ?? []);
    if (!protectedText) return run(sentence);
    // First the whole sentence with placeholders (the model sees the context); if the model did not
    // carry every placeholder through exactly once, translate the stretches between the terms instead,
    // which keeps the terms whatever the model does.
    const whole = await run(protectedText.masked);
    const restored = restoreTerms(whole.text, protectedText.replacements);
    if (restored !== undefined) return { text: restored, confidence: whole.confidence };
    const parts = await Promise.all(
      protectedText.parts.map(async (part) =>
        'fixed' in part ? { text: part.fixed, confidence: 1 } : run(part.translate),
      ),
    );
    return {
      text: joinSentences(
        parts.map((p) => p.text),
        req.target,
      ),
      confidence: Math.min(...parts.map((p) => p.confidence)),
    };
  }
}
