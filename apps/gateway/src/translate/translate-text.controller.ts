import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import {
  ConfigService,
  SERVICE_NAME,
  invalidArgument,
  resolveLanguage,
  type TranslateTextRequest__Output,
  type TranslateTextResponse,
} from '@olt/shared';
import { toRpcException } from '../grpc/rpc-error';
import { parseTargets } from '../session/session-settings';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import { TranslationService } from './translation.service';

@Controller()
export class TranslateTextController {
  constructor(
    private readonly translation: TranslationService,
    private readonly auth: ApiKeyAuthenticator,
    private readonly config: ConfigService,
  ) {}

  @GrpcMethod(SERVICE_NAME, 'TranslateText')
  async translateText(req: TranslateTextRequest__Output, metadata: Metadata): Promise<TranslateTextResponse> {
    try {
      const tenant = this.auth.authenticate(metadata.get('authorization')[0]?.toString());
      const limits = this.config.current.limits;
      const text = req.text;
      if (text.includes('\uFFFD')) {
        throw invalidArgument(
          'text is not valid UTF-8 (it contains U+FFFD replacement characters after decoding)',
        );
      }
      if (text.trim() === '') throw invalidArgument('text is empty: send the text to translate');
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > limits.maxTextBytes) {
        throw invalidArgument(
          `text is ${bytes} bytes; the limit is ${limits.maxTextBytes} bytes: split it into smaller requests`,
        );
      }
      if (!req.sourceLanguage.trim() || req.sourceLanguage.trim().toLowerCase() === 'auto') {
        throw invalidArgument(
          'source_language is required for TranslateText (text language is not detected)',
        );
      }
      const source = resolveLanguage(req.sourceLanguage, 'target');
      if (req.targetLanguages.length === 0)
        throw invalidArgument('target_languages is empty: name at least one language');
      const targets = parseTargets(req.targetLanguages, limits.maxTargets);
      const translations = await Promise.all(
        targets.map(async (target) => {
          const out = await this.translation.translate({
            text,
            source: source.flores,
            target: target.flores,
            sessionId: 'translate-text',
            tenantId: tenant.id,
            plan: tenant.plan,
            priority: 'NORMAL',
            segmentId: '',
            revision: 0,
            isFinal: true,
          });
          return { targetLanguage: target.bcp47, text: out.text, fromCache: out.fromCache };
        }),
      );
      return { translations, sourceLanguage: source.bcp47 };
    } catch (err) {
      throw toRpcException(err);
    }
  }
}
