import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { invalidArgument } from '@olt/shared';
import type { Tenant } from '../tenancy/tenant';
import { TranslateTextUseCase } from '../translate/translate-text.usecase';
import type { TranslateResponseDto } from './rest-dto';

const body = z.strictObject({
  text: z.string({ error: 'text must be a string' }),
  sourceLanguage: z.string({ error: 'sourceLanguage must be a string such as "en"' }),
  targetLanguages: z.array(z.string(), { error: 'targetLanguages must be an array of codes such as ["es"]' }),
  glossary: z
    .array(z.strictObject({ source: z.string(), target: z.string() }), {
      error: 'glossary must be an array of {"source", "target"} terms',
    })
    .optional(),
});

/**
 * POST /v1/translate: checks the JSON body's shape, then runs the same use case as the TranslateText RPC.
 */
@Injectable()
export class TextTranslation {
  constructor(private readonly translateText: TranslateTextUseCase) {}

  async execute(input: unknown, tenant: Tenant): Promise<TranslateResponseDto> {
    const parsed = body.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      throw invalidArgument(
        `request body ${where}${issue.message} (expected {"text", "sourceLanguage", "targetLanguages"})`,
      );
    }
    return this.translateText.execute({ tenant, ...parsed.data, api: 'rest' });
  }
}
