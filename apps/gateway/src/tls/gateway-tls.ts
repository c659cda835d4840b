import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { ServerCredentials } from '@grpc/grpc-js';
import type { AppConfig } from '@olt/shared';
import { CertificateFiles } from './certificate-files';
import { ReloadingServerCredentials } from './reloading-server-credentials';

/**
 * TLS for the gateway's two public listeners from `gateway.tls_cert_file` / `tls_key_file`: gRPC
 * credentials and Nest's `httpsOptions`, both following certificate renewals. Absent (undefined) when
 * the gateway serves plain text, the default behind an Ingress that terminates TLS.
 */
export class GatewayTls {
  readonly files: CertificateFiles;
  readonly grpcCredentials: ServerCredentials;

  private constructor(cfg: AppConfig['gateway']) {
    this.files = new CertificateFiles(cfg.tlsCertFile, cfg.tlsKeyFile).watch(cfg.tlsReloadIntervalMs);
    this.grpcCredentials = new ReloadingServerCredentials(this.files);
  }

  static fromConfig(cfg: AppConfig['gateway']): GatewayTls | undefined {
    return cfg.tlsCertFile ? new GatewayTls(cfg) : undefined;
  }

  /** For `NestFactory.create(…, { httpsOptions })`. */
  get httpsOptions(): { cert: Buffer; key: Buffer } {
    return { ...this.files.pair };
  }

  /** New HTTPS connections use each reloaded pair (open ones keep theirs); reloads are logged to `log`. */
  followRenewals(
    server: HttpServer | HttpsServer,
    log: { log(m: string, ctx: string): void; warn(m: string, ctx: string): void },
  ): void {
    this.files.log = { info: (m) => log.log(m, 'GatewayTls'), warn: (m) => log.warn(m, 'GatewayTls') };
    // Nest types its server as http.Server; with httpsOptions it is an https.Server.
    const https = server as HttpsServer;
    this.files.onChange((pair) => https.setSecureContext(pair));
  }
}
