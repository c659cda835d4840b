export { CertificateFiles, type CertificateLog, type KeyPair } from './certificate-files';
export { GatewayTls } from './gateway-tls';
export { ReloadingServerCredentials } from './reloading-server-credentials';
