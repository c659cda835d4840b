import { RpcException } from '@nestjs/microservices';
import { AppError, toGrpcStatus } from '@olt/shared';
import type { UnexpectedErrors } from '../infra/unexpected-errors';

/**
 * Maps any error to the gRPC status a unary handler should return (the one place for unary calls). An
 * error that is not an AppError is a bug, not bad input: it is logged and counted before the caller gets
 * INTERNAL, and only that call fails.
 */
export function toRpcException(err: unknown, unexpected?: UnexpectedErrors, method?: string): RpcException {
  if (!(err instanceof AppError)) unexpected?.report('grpc', err, { method });
  const { code, details } = toGrpcStatus(err);
  return new RpcException({ code, message: details, details });
}
