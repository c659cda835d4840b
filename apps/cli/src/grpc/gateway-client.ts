import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTO_PATH, type LiveTranslateClient, type ProtoGrpcType } from '@olt/shared';
import { usageError } from '../exit-codes';
import type { ChannelSecurity } from './channel-security';

/** host:port, [v6]:port or a bare host (port 50051). */
export function parseServer(server: string): string {
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$/.test(server)) {
    throw usageError(`--server "${server}" must be host:port, e.g. 127.0.0.1:50051`);
  }
  return /:\d+$/.test(server) ? server : `${server}:50051`;
}

export function createGatewayClient(server: string, security: ChannelSecurity): LiveTranslateClient {
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new proto.livetranslate.v1.LiveTranslate(server, security.credentials, {
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    ...security.channelOptions,
  });
}

export function authMetadata(key: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (key) md.set('authorization', `Bearer ${key}`);
  return md;
}

/** Unary call as a promise (deadline so a dead gateway cannot hang a script). */
export function unary<Req, Res>(
  method: (
    req: Req,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: Res) => void,
  ) => unknown,
  request: Req,
  key: string | undefined,
  timeoutMs = 30_000,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, authMetadata(key), { deadline: Date.now() + timeoutMs }, (err, res) =>
      err ? reject(err) : resolve(res as Res),
    ),
  );
}
