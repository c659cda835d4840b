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

/** gRPC status numbers (from @grpc/grpc-js `status`), kept here so libs need not import grpc-js. */
const GRPC_STATUS: Record<ErrorCode, number> = {
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
};

export function toGrpcStatus(err: unknown): { code: number; details: string } {
  if (err instanceof AppError) return { code: GRPC_STATUS[err.code], details: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: GRPC_STATUS.INTERNAL, details: `internal error: ${message}` };
}

export function toHttpStatus(err: unknown): { status: number; message: string } {
  if (err instanceof AppError) return { status: HTTP_STATUS[err.code], message: err.message };
  return { status: 500, message: 'internal error' };
}
