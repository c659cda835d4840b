import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { usageError } from '../exit-codes';

export interface SecurityOptions {
  /** host:port as given to --server (already checked by parseServer). */
  server: string;
  tls?: boolean;
  plaintext?: boolean;
  /** PEM file of the CA(s) to trust instead of the system's. */
  ca?: string;
  /** Name expected in the gateway's certificate (and sent as SNI/authority) when it differs from the host. */
  serverName?: string;
}

export interface ChannelSecurity {
  credentials: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
  tls: boolean;
}

/** localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopback(server: string): boolean {
  const host = server.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * TLS unless the user asked for plain text (--plaintext) or the gateway is on this machine: an API key
 * never crosses a network in clear by default. --ca and --server-name imply TLS.
 */
export function channelSecurity(opts: SecurityOptions): ChannelSecurity {
  if (opts.plaintext && (opts.tls || opts.ca || opts.serverName))
    throw usageError('--plaintext excludes --tls, --ca and --server-name');
  const tls = Boolean(
    opts.tls || opts.ca || opts.serverName || (!opts.plaintext && !isLoopback(opts.server)),
  );
  if (!tls) return { credentials: grpc.credentials.createInsecure(), channelOptions: {}, tls };
  let ca: Buffer | null = null;
  if (opts.ca) {
    try {
      ca = readFileSync(opts.ca);
    } catch (err) {
      throw usageError(`--ca ${opts.ca} cannot be read: ${(err as Error).message}`);
    }
  }
  return {
    credentials: grpc.credentials.createSsl(ca),
    channelOptions: opts.serverName
      ? { 'grpc.ssl_target_name_override': opts.serverName, 'grpc.default_authority': opts.serverName }
      : {},
    tls,
  };
}
