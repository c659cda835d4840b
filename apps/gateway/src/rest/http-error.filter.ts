import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Injectable,
  Optional,
} from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, redactUrl, requestIdOf, toHttpStatus } from '@olt/shared';
import { UnexpectedErrors } from '../infra/unexpected-errors';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** HTTP statuses (Nest exceptions, or body-parser/router/static errors) → the API's error codes. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  406: 'INVALID_ARGUMENT',
  408: 'DEADLINE_EXCEEDED',
  411: 'INVALID_ARGUMENT',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  414: 'INVALID_ARGUMENT',
  415: 'INVALID_ARGUMENT',
  416: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  431: 'INVALID_ARGUMENT',
  503: 'UNAVAILABLE',
};

/**
 * Errors of Express's own layers (body-parser, router, serve-static/send) follow the http-errors shape:
 * a numeric `status` and `expose` for client errors. Before this mapping they all answered 500.
 */
interface ClientHttpError {
  status: number;
  message: string;
  type?: string;
  limit?: number;
  charset?: string;
  encoding?: string;
}

function asClientHttpError(err: unknown): ClientHttpError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499 || e.expose === false) return undefined;
  return { ...(err as object), status, message: String(e.message ?? '') } as ClientHttpError;
}

/** body-parser's words, made into messages a client can act on. */
function clientMessage(e: ClientHttpError): string {
  switch (e.type) {
    case 'entity.too.large':
      return `request body is larger than ${e.limit} bytes (gateway.max_http_body_bytes)`;
    case 'charset.unsupported':
      return `${e.message}: send UTF-8 JSON (Content-Type: application/json; charset=utf-8)`;
    case 'encoding.unsupported':
      return `unsupported Content-Encoding "${e.encoding}": send identity, gzip, deflate or br`;
    case 'entity.parse.failed':
      return `request body is not valid JSON: ${e.message}`;
    default:
      return e.message;
  }
}

/**
 * The one place HTTP errors are shaped: AppError → status via toHttpStatus (the same table gRPC uses), body
 * `{ "error": { "code", "message" } }`. Registered globally in main.ts (so errors before routing, like a
 * malformed JSON body or an unknown path, get the same shape) and on each REST/overlay controller. Anything
 * that is not HTTP (gRPC handlers of this hybrid app) goes to Nest's default RPC handling untouched.
 */
@Catch()
@Injectable()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly rpcDefault = new BaseRpcExceptionFilter();
  private readonly unexpected: UnexpectedErrors;

  constructor(@Optional() unexpected?: UnexpectedErrors) {
    this.unexpected = unexpected ?? new UnexpectedErrors();
  }

  catch(err: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return this.rpcDefault.catch(err, host);
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage & { log?: unknown }>();
    const res = http.getResponse<ServerResponse>();
    const requestId = requestIdOf(req, res);
    const where = { requestId, method: req.method, url: redactUrl(req.url ?? '') };
    const { status, body } = httpError(err, requestId);
    if (isUnexpected(err, status)) this.unexpected.report('http', err, where);
    // Express's own layers (body parser, query check) run before the request logger: log those here.
    else if (!req.log) this.unexpected.rejected(status, body.error.message, where);
    if (res.headersSent) {
      // An SSE stream already started: nothing to report but the end of the stream.
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

/** A 500 that no layer meant: a bug to count and log, never bad input. */
function isUnexpected(err: unknown, status: number): boolean {
  if (status < 500) return false;
  if (err instanceof HttpException) return false;
  return !(err instanceof AppError) || err.code === 'INTERNAL';
}

export function httpError(err: unknown, requestId?: string): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const { status, message } = toHttpStatus(err);
    return { status, body: { error: { code: err.code, message } } };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : err.message;
    return { status, body: { error: { code: CODE_BY_STATUS[status] ?? 'INTERNAL', message } } };
  }
  const client = asClientHttpError(err);
  if (client) {
    const code = CODE_BY_STATUS[client.status] ?? 'INVALID_ARGUMENT';
    return { status: client.status, body: { error: { code, message: clientMessage(client) } } };
  }
  const ref = requestId ? ` (request id ${requestId}; the details are in the gateway log)` : '';
  return { status: 500, body: { error: { code: 'INTERNAL', message: `internal error${ref}` } } };
}
