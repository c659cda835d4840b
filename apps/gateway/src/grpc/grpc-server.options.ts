import { Transport, type GrpcOptions } from '@nestjs/microservices';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import {
  FULL_SERVICE_NAME,
  PROTO_FILE,
  PROTO_LOADER_OPTIONS,
  PROTO_PACKAGE,
  PROTO_ROOT,
  type AppConfig,
} from '@olt/shared';

/** Standard grpc.health.v1 service; the gateway flips it to NOT_SERVING while draining. */
export const grpcHealth = new HealthImplementation({ '': 'SERVING', [FULL_SERVICE_NAME]: 'SERVING' });

/** `credentials`: TLS (GatewayTls) or, when absent, plain text. */
export function grpcServerOptions(cfg: AppConfig, credentials?: ServerCredentials): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: PROTO_PACKAGE,
      protoPath: PROTO_FILE,
      url: `${cfg.gateway.host}:${cfg.gateway.grpcPort}`,
      ...(credentials ? { credentials } : {}),
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
      // grpc-js rejects larger messages with RESOURCE_EXHAUSTED before our handler sees them.
      maxReceiveMessageLength: cfg.gateway.maxMessageBytes,
      keepalive: { keepaliveTimeMs: 30_000, keepaliveTimeoutMs: 10_000 },
      // tryShutdown: the statuses of drained streams reach clients before the server closes.
      gracefulShutdown: true,
      onLoadPackageDefinition: (pkg, server) => {
        grpcHealth.addToServer(server as unknown as Server);
        new ReflectionService(pkg).addToServer(server as unknown as Server);
      },
    },
  };
}
