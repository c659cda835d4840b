import { Body, Controller, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Tenant } from '../tenancy/tenant';
import { ApiKeyGuard, CurrentTenant } from './api-key.guard';
import { HttpErrorFilter } from './http-error.filter';
import { ErrorDto, TranslateRequestDto, TranslateResponseDto } from './rest-dto';
import { TextTranslation } from './text-translation';

@ApiTags('translate')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorDto, description: 'missing or unknown API key' })
@Controller('v1')
@UseGuards(ApiKeyGuard)
@UseFilters(HttpErrorFilter)
export class TranslateRestController {
  constructor(private readonly textTranslation: TextTranslation) {}

  @Post('translate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Translate text into one or more languages (the TranslateText RPC over HTTP)' })
  @ApiOkResponse({ type: TranslateResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad JSON, empty text, unknown language, …' })
  translate(
    @Body() body: TranslateRequestDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<TranslateResponseDto> {
    return this.textTranslation.execute(body, tenant);
  }
}
