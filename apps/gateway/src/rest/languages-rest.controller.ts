import { Controller, Get, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
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
  constructor(private readonly deployment: DeploymentLanguages) {}

  @Get('languages')
  @ApiOperation({
    summary: 'Languages and their codes (the ListLanguages RPC over HTTP)',
    description: 'mtTarget is true when a running translate worker can produce the language now.',
  })
  @ApiOkResponse({ type: LanguagesResponseDto })
  async languages(): Promise<LanguagesResponseDto> {
    return { languages: await this.deployment.catalogue() };
  }
}
