import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ConfigService, ROOT_LOGGER } from '@olt/shared';
import { HttpErrorFilter, setupApiDocs } from './rest';
import { answerClientErrors } from './rest/client-errors';
import { rejectRepeatedQueryParams } from './rest/single-valued-query';

/**
 * Everything about the public HTTP listener that is not a route, in the order it must run: parser-level
 * refusals, one JSON body parser with a size limit, the repeated-query check, the one error filter, docs.
 * The app must be created with `bodyParser: false` (this registers the only parser).
 */
export function configureHttp(app: NestExpressApplication): void {
  const cfg = app.get(ConfigService).current;
  const server = app.getHttpServer() as Server;
  answerClientErrors(server, app.get<Logger>(ROOT_LOGGER));
  // A client that promises a body (or headers) and never sends it holds a socket: bound the wait (Node's
  // default is 5 min). Only the upload is timed; an SSE response may stream for hours.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // JSON only (the API takes nothing else); charset and Content-Encoding outside body-parser's set → 415.
  app.useBodyParser('json', { limit: cfg.gateway.maxHttpBodyBytes });
  app.use(rejectRepeatedQueryParams);
  // JSON errors { error: { code, message } } for every HTTP route, also before routing (bad JSON body, 404).
  // The filter passes non-HTTP contexts to Nest's default RPC handling.
  app.useGlobalFilters(app.get(HttpErrorFilter));
  // OpenAPI of the HTTP API at /docs and /docs-json.
  setupApiDocs(app);
}
