import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigService } from '@olt/shared';
import { AppModule } from './app.module';
import { grpcHealth, grpcServerOptions } from './grpc/grpc-server.options';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  const cfg = app.get(ConfigService).current;
  app.connectMicroservice(grpcServerOptions(cfg), { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(cfg.gateway.httpPort, cfg.gateway.host);
  process.once('SIGTERM', () => grpcHealth.setStatus('', 'NOT_SERVING'));
  logger.log(
    `gateway listening: gRPC ${cfg.gateway.host}:${cfg.gateway.grpcPort}, HTTP ${cfg.gateway.host}:${cfg.gateway.httpPort}`,
  );
}

bootstrap().catch((err: unknown) => {
  // Config and Redis-policy errors land here: print the message a person can act on, not a stack dump.
  console.error(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
