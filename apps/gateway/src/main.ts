import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigService, loadConfig } from '@olt/shared';
import { AppModule } from './app.module';
import { grpcHealth, grpcServerOptions } from './grpc/grpc-server.options';
import { configureHttp } from './http-setup';
import { installProcessGuards } from './process-guards';
import { UnexpectedErrors } from './infra/unexpected-errors';
import { GatewayTls } from './tls';

async function bootstrap(): Promise<void> {
  // TLS must be known before Nest creates the HTTP server, so before the ConfigService exists.
  const tls = GatewayTls.fromConfig(loadConfig().gateway);
  // bodyParser: false: configureHttp registers the one JSON parser, with its limit.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
    ...(tls ? { httpsOptions: tls.httpsOptions } : {}),
  });
  const logger = app.get(Logger);
  tls?.followRenewals(app.getHttpServer(), logger);
  app.useLogger(logger);
  installProcessGuards({ unexpected: app.get(UnexpectedErrors) });
  app.enableShutdownHooks();
  const cfg = app.get(ConfigService).current;
  app.connectMicroservice(grpcServerOptions(cfg, tls?.grpcCredentials), { inheritAppConfig: true });
  // After connectMicroservice, as before: the global filter passes non-HTTP contexts to Nest's RPC handling.
  configureHttp(app);
  await app.startAllMicroservices();
  await app.listen(cfg.gateway.httpPort, cfg.gateway.host);
  process.once('SIGTERM', () => grpcHealth.setStatus('', 'NOT_SERVING'));
  logger.log(
    `gateway listening${tls ? ' (TLS)' : ''}: gRPC ${cfg.gateway.host}:${cfg.gateway.grpcPort}, HTTP ${cfg.gateway.host}:${cfg.gateway.httpPort}, ` +
      `admin (metrics, probes) ${cfg.gateway.host}:${cfg.gateway.adminPort}`,
  );
}

bootstrap().catch((err: unknown) => {
  // Config and Redis-policy errors land here: print the message a person can act on, not a stack dump.
  console.error(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
