import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigService } from '@olt/shared';
import { CacheModule } from './cache.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(CacheModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Hot-key imports carry thousands of entries.
  app.useBodyParser('json', { limit: '32mb' });
  app.enableShutdownHooks();
  const cfg = app.get(ConfigService).current;
  await app.listen(cfg.cacheService.adminPort, cfg.gateway.host);
}

bootstrap().catch((err: unknown) => {
  console.error(`cache service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
