import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { ServerResponse } from 'node:http';
import { AppError, toHttpStatus } from '@olt/shared';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Nest's HTTP exceptions (404 of an unknown route or session, 413 of a huge body) by status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
};

/**
 * The one place HTTP errors are shaped: AppError → status via toHttpStatus (the same table gRPC uses), body
 * `{ "error": { "code", "message" } }`. Registered globally in main.ts (so errors before routing, like a
 * malformed JSON body or an unknown path, get the same shape) and on each REST/overlay controller. Anything
 * that is not HTTP (gRPC handlers of this hybrid app) goes to Nest's default RPC handling untouched.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly rpcDefault = new BaseRpcExceptionFilter();

  catch(err: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return this.rpcDefault.catch(err, host);
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const { status, body } = httpError(err);
    if (res.headersSent) {
      // An SSE stream already started: nothing to report but the end of the stream.
      res.end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

export function httpError(err: unknown): { status: number; body: ErrorBody } {
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
  const { status, message } = toHttpStatus(err);
  return { status, body: { error: { code: 'INTERNAL', message } } };
}
