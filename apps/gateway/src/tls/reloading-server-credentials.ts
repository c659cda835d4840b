import { ServerCredentials } from '@grpc/grpc-js';
import type { CertificateFiles } from './certificate-files';

/**
 * gRPC server credentials whose certificate follows CertificateFiles. grpc-js's `createSsl` is fixed at
 * bind time; its server calls `setSecureContext` for every update a credentials object announces, which
 * is what this subclass does on each reload. (grpc-js's experimental certificate-provider credentials do
 * the same, but their exported factory passes its two providers in swapped order in 1.14.)
 */
export class ReloadingServerCredentials extends ServerCredentials {
  constructor(files: CertificateFiles) {
    // Non-null constructor options make the server secure; no client certificate is requested.
    super({}, { ...files.pair });
    files.onChange((pair) => this.updateSecureContextOptions({ ...pair }));
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}
