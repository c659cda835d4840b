import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { SERVICE_NAME, listLanguages, type ListLanguagesResponse } from '@olt/shared';

@Controller()
export class LanguagesController {
  @GrpcMethod(SERVICE_NAME, 'ListLanguages')
  listLanguages(): ListLanguagesResponse {
    return {
      languages: listLanguages().map((l) => ({
        code: l.bcp47,
        floresCode: l.flores,
        whisperCode: l.whisper,
        name: l.name,
        asrSource: l.whisper !== '',
        mtTarget: l.flores !== '',
      })),
    };
  }
}
