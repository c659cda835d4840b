import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { TranslateWorkerModule } from './translate-worker.module';

async function bootstrap(): Promise<void> {
  // An application context: no HTTP stack; the worker's own tiny server serves health and metrics.
  const app = await NestFactory.createApplicationContext(TranslateWorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((err: unknown) => {
  console.error(`translate-worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
