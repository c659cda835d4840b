import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { SERVICE_NAME, type TranslateTextRequest__Output, type TranslateTextResponse } from '@olt/shared';
import { toRpcException } from '../grpc/rpc-error';
import { UnexpectedErrors } from '../infra/unexpected-errors';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import { TranslateTextUseCase } from './translate-text.usecase';

@Controller()
export class TranslateTextController {
  constructor(
    private readonly translateText: TranslateTextUseCase,
    private readonly auth: ApiKeyAuthenticator,
    private readonly unexpected: UnexpectedErrors,
  ) {}

  @GrpcMethod(SERVICE_NAME, 'TranslateText')
  async translate(req: TranslateTextRequest__Output, metadata: Metadata): Promise<TranslateTextResponse> {
    try {
      const tenant = this.auth.authenticateMetadata(metadata.get('authorization'));
      return await this.translateText.execute({
        tenant,
        text: req.text,
        sourceLanguage: req.sourceLanguage,
        targetLanguages: req.targetLanguages,
        glossary: req.glossary,
        api: 'grpc',
      });
    } catch (err) {
      throw toRpcException(err, this.unexpected, 'TranslateText');
    }
  }
}
