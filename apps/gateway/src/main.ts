import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigService } from '@olt/shared';
import { AppModule } from './app.module';
import { grpcHealth, grpcServerOptions } from './grpc/grpc-server.options';
import { HttpErrorFilter, setupApiDocs } from './rest';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  const cfg = app.get(ConfigService).current;
  app.connectMicroservice(grpcServerOptions(cfg), { inheritAppConfig: true });
  // JSON errors { error: { code, message } } for every HTTP route, also before routing (bad JSON body, 404).
  // Added after connectMicroservice; the filter passes non-HTTP contexts to Nest's default RPC handling.
  app.useGlobalFilters(new HttpErrorFilter());
  await app.startAllMicroservices();
  // OpenAPI of the HTTP API at /docs and /docs-json.
  setupApiDocs(app);
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
