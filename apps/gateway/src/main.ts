import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigService } from '@olt/shared';
import { AppModule } from './app.module';
import { grpcHealth, grpcServerOptions } from './grpc/grpc-server.options';
import { configureHttp } from './http-setup';
import { installProcessGuards } from './process-guards';
import { UnexpectedErrors } from './rest/unexpected-errors';

async function bootstrap(): Promise<void> {
  // bodyParser: false: configureHttp registers the one JSON parser, with its limit.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  installProcessGuards({ unexpected: app.get(UnexpectedErrors) });
  app.enableShutdownHooks();
  const cfg = app.get(ConfigService).current;
  app.connectMicroservice(grpcServerOptions(cfg), { inheritAppConfig: true });
  // After connectMicroservice, as before: the global filter passes non-HTTP contexts to Nest's RPC handling.
  configureHttp(app);
  await app.startAllMicroservices();
  await app.listen(cfg.gateway.httpPort, cfg.gateway.host);
  process.once('SIGTERM', () => grpcHealth.setStatus('', 'NOT_SERVING'));
  logger.log(
    `gateway listening: gRPC ${cfg.gateway.host}:${cfg.gateway.grpcPort}, HTTP ${cfg.gateway.host}:${cfg.gateway.httpPort}, ` +
      `admin (metrics, probes) ${cfg.gateway.host}:${cfg.gateway.adminPort}`,
  );
}

bootstrap().catch((err: unknown) => {
  // Config and Redis-policy errors land here: print the message a person can act on, not a stack dump.
  console.error(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
