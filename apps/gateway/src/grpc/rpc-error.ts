import { RpcException } from '@nestjs/microservices';
import { toGrpcStatus } from '@olt/shared';

/** Maps any error to the gRPC status a unary handler should return (the one place for unary calls). */
export function toRpcException(err: unknown): RpcException {
  const { code, details } = toGrpcStatus(err);
  return new RpcException({ code, message: details, details });
}
