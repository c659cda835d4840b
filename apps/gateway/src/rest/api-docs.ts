import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * OpenAPI document generated from the controllers' decorators, served at /docs (Swagger UI, its assets
 * from the installed swagger-ui-dist, no CDN) and /docs-json.
 */
export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('OBS Live Translator HTTP API')
    .setDescription(
      'Text translation, languages, live sessions and their subtitle feeds (SSE and WebSocket), the OBS ' +
        'overlay page, health and metrics. Streaming audio is gRPC only (docs/protocol.md).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key of a [[tenants]] entry' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
