import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throwaway CA and a server certificate it signed (test-only, made fresh per run). */
export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Signs another server certificate (new key, new serial) into new files in `dir`: a "renewal". */
  renew(name: string): { certFile: string; keyFile: string };
}

/**
 * A CA and a server certificate for `hosts` (DNS names and IPs in the SAN), made with `openssl` so that
 * no private key is ever committed. Tests gate on `needsProgram('openssl', …)`.
 */
export function makeTestCertificates(
  hosts: readonly string[] = ['localhost', '127.0.0.1'],
): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'olt-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const caFile = join(dir, 'ca.pem');
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=olt test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  let serial = 1;
  const issue = (name: string) => {
    const certFile = join(dir, `${name}.pem`);
    const keyFile = join(dir, `${name}.key`);
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${hosts[0]}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      caFile,
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(serial++),
      '-days',
      '1',
      '-extfile',
      'server.ext',
      '-out',
      certFile,
    );
    return { certFile, keyFile };
  };
  return { dir, caFile, ...issue('server'), renew: issue };
}
