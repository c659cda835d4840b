/**
 * Errors carry a code a caller can branch on and a message a person can act on. The mapping to gRPC and
 * HTTP statuses lives here, once.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'FAILED_PRECONDITION'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalidArgument = (message: string) => new AppError('INVALID_ARGUMENT', message);
export const unauthenticated = (message: string) => new AppError('UNAUTHENTICATED', message);
export const resourceExhausted = (message: string) => new AppError('RESOURCE_EXHAUSTED', message);
export const unavailable = (message: string) => new AppError('UNAVAILABLE', message);
export const failedPrecondition = (message: string) => new AppError('FAILED_PRECONDITION', message);
export const deadlineExceeded = (message: string) => new AppError('DEADLINE_EXCEEDED', message);
export const cancelled = (message: string) => new AppError('CANCELLED', message);

/**
 * Status messages travel in HTTP/2 trailers, which clients cap (grpc-js: 16 KiB of headers): a message that
 * quotes client input is cut here so the status itself always arrives.
 */
const MAX_STATUS_MESSAGE_CHARS = 1024;
const clip = (message: string) =>
  message.length > MAX_STATUS_MESSAGE_CHARS ? `${message.slice(0, MAX_STATUS_MESSAGE_CHARS)}…` : message;

/** gRPC status numbers (from @grpc/grpc-js `status`), kept here so libs need not import grpc-js. */
const GRPC_STATUS: Record<ErrorCode, number> = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FAILED_PRECONDITION: 412,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  // nginx's "client closed request": the client stopped reading, nobody sees this answer but the logs.
  CANCELLED: 499,
};

export function toGrpcStatus(err: unknown): { code: number; details: string } {
  if (err instanceof AppError) return { code: GRPC_STATUS[err.code], details: clip(err.message) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: GRPC_STATUS.INTERNAL, details: clip(`internal error: ${message}`) };
}

export function toHttpStatus(err: unknown): { status: number; message: string } {
  if (err instanceof AppError) return { status: HTTP_STATUS[err.code], message: clip(err.message) };
  return { status: 500, message: 'internal error' };
}
