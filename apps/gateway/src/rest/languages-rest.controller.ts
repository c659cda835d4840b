import { Controller, Get, Inject, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import { QUEUE_REDIS, listLanguages } from '@olt/shared';
import { DeploymentLanguages } from '../languages/deployment-languages';
import { ApiKeyGuard } from './api-key.guard';
import { HttpErrorFilter } from './http-error.filter';
import { ErrorDto, LanguagesResponseDto } from './rest-dto';

@ApiTags('languages')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('v1')
@UseGuards(ApiKeyGuard)
@UseFilters(HttpErrorFilter)
export class LanguagesRestController {
  private readonly deployment: DeploymentLanguages;

  constructor(@Inject(QUEUE_REDIS) redis: Redis) {
    this.deployment = new DeploymentLanguages(redis);
  }

  @Get('languages')
  @ApiOperation({
    summary: 'Languages and their codes (the ListLanguages RPC over HTTP)',
    description: 'mtTarget is true when a running translate worker can produce the language now.',
  })
  @ApiOkResponse({ type: LanguagesResponseDto })
  async languages(): Promise<LanguagesResponseDto> {
    const targets = await this.deployment.mtTargets();
    return {
      languages: listLanguages().map((l) => ({
        code: l.bcp47,
        floresCode: l.flores,
        whisperCode: l.whisper,
        name: l.name,
        asrSource: l.whisper !== '',
        mtTarget: l.flores !== '' && targets.has(l.flores),
      })),
    };
  }
}
