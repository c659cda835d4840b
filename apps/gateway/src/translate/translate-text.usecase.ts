import { Injectable } from '@nestjs/common';
import {
  AppError,
  ConfigService,
  findLanguage,
  invalidArgument,
  resolveLanguage,
  type LanguageInfo,
} from '@olt/shared';
import { DeploymentLanguages } from '../languages/deployment-languages';
import { parseTargets } from '../session/session-settings';
import type { Tenant } from '../tenancy/tenant';
import { parseGlossary } from './glossary-terms';
import { maxTargetsFor } from './target-limits';
import { TranslationService } from './translation.service';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface TranslateTextCommand {
  tenant: Tenant;
  text: string;
  sourceLanguage: string;
  targetLanguages: string[];
  glossary?: Array<{ source: string; target: string }>;
  /** Names the fields in error messages the way the caller's API spells them. */
  api: 'grpc' | 'rest';
}

export interface TranslateTextResult {
  sourceLanguage: string;
  translations: Array<{ targetLanguage: string; text: string; fromCache: boolean }>;
}

/**
 * Text translation as one use case, so the TranslateText RPC and POST /v1/translate check and answer
 * exactly alike: validation (UTF-8, size, languages, plan's target limit, glossary), then each target
 * through TranslationService (cache first, then a translate job).
 */
@Injectable()
export class TranslateTextUseCase {
  constructor(
    private readonly translation: TranslationService,
    private readonly config: ConfigService,
    private readonly deployment: DeploymentLanguages,
  ) {}

  async execute(cmd: TranslateTextCommand): Promise<TranslateTextResult> {
    const field = (grpc: string, rest: string) => (cmd.api === 'grpc' ? grpc : rest);
    const limits = this.config.current.limits;
    const text = cmd.text;
    // The transport decodes invalid UTF-8 into U+FFFD (or lone surrogates): refuse rather than translate mojibake.
    if (text.includes('\uFFFD') || LONE_SURROGATE.test(text)) {
      throw invalidArgument(
        'text is not valid UTF-8 (it contains U+FFFD replacement characters after decoding): send UTF-8 text',
      );
    }
    if (text.trim() === '') throw invalidArgument('text is empty: send the text to translate');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxTextBytes) {
      throw invalidArgument(
        `text is ${bytes} bytes; the limit is ${limits.maxTextBytes} bytes (limits.max_text_bytes): ` +
          'split it into smaller requests',
      );
    }
    const source = this.resolveSource(cmd.sourceLanguage, field('source_language', 'sourceLanguage'));
    if (cmd.targetLanguages.length === 0) {
      throw invalidArgument(
        `${field('target_languages', 'targetLanguages')} is empty: name at least one language`,
      );
    }
    const targets = parseTargets(cmd.targetLanguages, maxTargetsFor(limits, cmd.tenant.plan));
    await this.requireOnDeployment([source, ...targets.filter((t) => t.flores !== source.flores)]);
    const glossary = parseGlossary(cmd.glossary ?? [], limits);
    const translations = await Promise.all(
      targets.map(async (target) => {
        const out = await this.translation.translate({
          text,
          source: source.flores,
          target: target.flores,
          sessionId: `${cmd.api}-translate-text`,
          tenantId: cmd.tenant.id,
          plan: cmd.tenant.plan,
          priority: 'NORMAL',
          segmentId: '',
          revision: 0,
          isFinal: true,
          glossary,
        });
        return { targetLanguage: target.bcp47, text: out.text, fromCache: out.fromCache };
      }),
    );
    return { sourceLanguage: source.bcp47, translations };
  }

  private resolveSource(code: string, fieldName: string): LanguageInfo {
    if (!code.trim() || code.trim().toLowerCase() === 'auto') {
      throw invalidArgument(`${fieldName} is required (text language is not detected): e.g. "en"`);
    }
    const info = findLanguage(code);
    if (info && !info.flores) {
      throw invalidArgument(
        `${fieldName} "${code}" (${info.name}) cannot be translated from: NLLB does not support it`,
      );
    }
    return info ?? resolveLanguage(code, 'target');
  }

  /** A language the loaded model lacks is the deployment's limit, not a bad request. */
  private async requireOnDeployment(languages: LanguageInfo[]): Promise<void> {
    const available = await this.deployment.mtTargets();
    // No announcement at all: let the job queue wait for a worker rather than fail.
    if (available.size === 0) return;
    const missing = languages.filter((l) => !available.has(l.flores));
    if (missing.length) {
      throw new AppError(
        'FAILED_PRECONDITION',
        `the translation model on this deployment does not support ${missing
          .map((l) => `"${l.bcp47}" (${l.flores})`)
          .join(', ')}; see ListLanguages (mt_target)`,
      );
    }
  }
}
