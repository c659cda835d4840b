import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { __resetOutOfContextForTests as forgetPreviousRootLogger } from 'nestjs-pino/PinoLogger';
import type { DestinationStream, Logger } from 'pino';
import { ConfigService } from '../config/config.service';
import { createLogger } from './create-logger';
import { redactUrl } from './redaction';
import { requestIdOf } from './request-id';

/** Injection token of the process's root pino Logger (for `sessionLogger(root, …)` and child loggers). */
export const ROOT_LOGGER = 'OLT_ROOT_LOGGER';

export interface LoggingModuleOptions {
  /** App name carried by every line, e.g. "gateway". */
  name: string;
  /** Where lines go; default stdout. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

/** Probes and scrapes hit these every few seconds; logging each would drown the useful lines. */
const QUIET_PATHS = /^\/(metrics|healthz|readyz|livez)(\/|\?|$)/;

@Module({})
class RootLoggerModule {}

interface SerializedRequest {
  url?: string;
  query?: unknown;
  [key: string]: unknown;
}

function redactSerializedRequest(req: SerializedRequest): SerializedRequest {
  if (typeof req.url === 'string') req.url = redactUrl(req.url);
  delete req.query;
  return req;
}

/**
 * Global module: nestjs-pino's LoggerModule (Logger, PinoLogger, HTTP request logs except probes and
 * /metrics) on one root pino logger, provided as ROOT_LOGGER. The level comes from ConfigService and follows
 * reloads of log.level. Apps create with `{ bufferLogs: true }` and call `app.useLogger(app.get(Logger))`
 * (Logger from nestjs-pino) so Nest's own lines are JSON too.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingModuleOptions): DynamicModule {
    const root: DynamicModule = {
      module: RootLoggerModule,
      providers: [
        {
          provide: ROOT_LOGGER,
          inject: [ConfigService],
          useFactory: (config: ConfigService): Logger => {
            // nestjs-pino keeps the first app's logger in a module global for logs outside a request; a
            // process that builds a second app (tests, the in-process stack) must log through the new one.
            forgetPreviousRootLogger();
            const { level, pretty } = config.current.log;
            const logger = createLogger({
              name: options.name,
              level,
              pretty,
              destination: options.destination,
            });
            // Children (session loggers, request loggers) follow the root's level unless given their own.
            config.onChange((next) => {
              if (next.log.level !== logger.level) logger.level = next.log.level;
            });
            return logger;
          },
        },
      ],
      exports: [ROOT_LOGGER],
    };
    return {
      module: LoggingModule,
      imports: [
        root,
        LoggerModule.forRootAsync({
          imports: [root],
          inject: [ROOT_LOGGER],
          useFactory: (logger: Logger) => ({
            pinoHttp: {
              logger,
              autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.test(req.url ?? '') },
              genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
              // Overlay links carry their token in the query: log the URL without it (and no parsed
              // query object, which would repeat it).
              serializers: { req: redactSerializedRequest },
              customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
                err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            },
          }),
        }),
      ],
      exports: [root, LoggerModule],
    };
  }
}
