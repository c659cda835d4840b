import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Request and response shapes of the REST API, for the generated OpenAPI document. Field names are the
 * proto's JSON names (lowerCamelCase), so REST and gRPC clients read the same words.
 */
export class TranslateRequestDto {
  @ApiProperty({
    example: 'Welcome to the stream!',
    description: 'UTF-8 text, at most limits.max_text_bytes',
  })
  text!: string;

  @ApiProperty({ example: 'en', description: 'BCP-47, Whisper or FLORES-200 code; required (no detection)' })
  sourceLanguage!: string;

  @ApiProperty({ example: ['es', 'fr'], type: [String], description: 'one or more target languages' })
  targetLanguages!: string[];
}

export class TranslatedTextDto {
  @ApiProperty({ example: 'es' }) targetLanguage!: string;
  @ApiProperty({ example: '¡Bienvenidos al directo!' }) text!: string;
  @ApiProperty({ description: 'served from the translation cache' }) fromCache!: boolean;
}

export class TranslateResponseDto {
  @ApiProperty({ example: 'en' }) sourceLanguage!: string;
  @ApiProperty({ type: [TranslatedTextDto] }) translations!: TranslatedTextDto[];
}

export class LanguageDto {
  @ApiProperty({ example: 'es', description: 'BCP-47 code used in results' }) code!: string;
  @ApiProperty({ example: 'spa_Latn' }) floresCode!: string;
  @ApiProperty({ example: 'es' }) whisperCode!: string;
  @ApiProperty({ example: 'Spanish' }) name!: string;
  @ApiProperty({ description: 'Whisper can transcribe it' }) asrSource!: boolean;
  @ApiProperty({ description: 'NLLB can translate into it' }) mtTarget!: boolean;
}

export class LanguagesResponseDto {
  @ApiProperty({ type: [LanguageDto] }) languages!: LanguageDto[];
}

export class SessionDto {
  @ApiProperty({ example: 'my-stream' }) sessionId!: string;
  @ApiProperty({ enum: ['live', 'ended'] }) state!: 'live' | 'ended';
  @ApiProperty({ example: '2026-01-01T20:00:00.000Z' }) startedAt!: string;
  @ApiPropertyOptional({ example: '2026-01-01T22:00:00.000Z' }) endedAt?: string;
  @ApiProperty({ description: 'time of the latest result' }) lastActivityAt!: string;
  @ApiPropertyOptional({ example: 'en', description: 'language of the latest transcript' })
  sourceLanguage?: string;
  @ApiProperty({ example: ['es', 'fr'], type: [String], description: 'targets seen in translations so far' })
  targetLanguages!: string[];
  @ApiProperty({ description: 'final transcripts and translations sent' }) finals!: number;
  @ApiProperty({ description: 'streams that carried this session id (> 1 after resumes)' }) streams!: number;
  @ApiProperty({ description: 'viewers following the feed on this gateway' }) viewers!: number;
  @ApiProperty({ description: 'a fresh signed browser-source link for OBS' }) overlayUrl!: string;
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] }) sessions!: SessionDto[];
}

export class ErrorDetailDto {
  @ApiProperty({ example: 'INVALID_ARGUMENT' }) code!: string;
  @ApiProperty({ example: 'text is empty: send the text to translate' }) message!: string;
}

export class ErrorDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}
