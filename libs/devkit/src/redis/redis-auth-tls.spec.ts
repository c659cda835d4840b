import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { closeRedis, connectRedisForRole, type RedisLogPort } from '@olt/shared';
import { makeTestCertificates, needsProgram } from '../testing';
import { freeLocalPort, type RedisServer, startRedisServer } from './redis-server';

class RecordingLog implements RedisLogPort {
  readonly lines: string[] = [];
  info = (o: object, msg: string) => void this.lines.push(`${msg} ${JSON.stringify(o)}`);
  warn = (o: object, msg: string) => void this.lines.push(`${msg} ${JSON.stringify(o)}`);
  error = (o: object, msg: string) => void this.lines.push(`${msg} ${JSON.stringify(o)}`);
}

const PASSWORD = 's3cret-Redis-pw';
const noOpenssl = needsProgram('openssl', 'Redis over TLS with a private CA and a password');

describe('a role connection over TLS with a password', { skip: noOpenssl }, () => {
  let server: RedisServer;
  let tlsPort: number;
  let caFile: string;
  before(async () => {
    const certs = makeTestCertificates(['127.0.0.1']);
    caFile = certs.caFile;
    tlsPort = await freeLocalPort();
    server = await startRedisServer({
      policy: 'noeviction',
      name: 'tls',
      extraArgs: [
        '--tls-port', String(tlsPort),
        '--tls-cert-file', certs.certFile,
        '--tls-key-file', certs.keyFile,
        '--tls-ca-cert-file', certs.caFile,
        '--tls-auth-clients', 'no',
      ], // prettier-ignore
    });
    // Set after start: the launcher's readiness PING on the plain port has no password.
    const plain = new Redis(server.url, { maxRetriesPerRequest: 0 });
    await plain.config('SET', 'requirepass', PASSWORD);
    plain.disconnect();
  });
  after(() => server?.stop());

  test('rediss:// with the password and the CA file from the config connects and passes the policy check', async () => {
    const log = new RecordingLog();
    const client = await connectRedisForRole(
      'queue',
      { url: `rediss://127.0.0.1:${tlsPort}`, password: PASSWORD, tlsCaFile: caFile },
      log,
      { connectTimeoutMs: 5000 },
    );
    try {
      assert.equal(await client.ping(), 'PONG');
    } finally {
      await closeRedis(client);
    }
  });

  test('without the CA the certificate is refused; a wrong password is refused; neither error shows a password', async () => {
    const log = new RecordingLog();
    await assert.rejects(
      connectRedisForRole('queue', { url: `rediss://127.0.0.1:${tlsPort}`, password: PASSWORD }, log, {
        connectTimeoutMs: 1500,
      }),
      /not reachable within 1500 ms \(.*(self[- ]signed|unable to verify|certificate).*\)/i,
    );
    await assert.rejects(
      connectRedisForRole(
        'queue',
        { url: `rediss://:url-pw-ignored@127.0.0.1:${tlsPort}`, password: 'wrong-pw', tlsCaFile: caFile },
        log,
        { connectTimeoutMs: 1500 },
      ),
      (err: Error) => {
        assert.match(err.message, /WRONGPASS|invalid username-password/);
        assert.doesNotMatch(err.message, /wrong-pw|url-pw-ignored/);
        return true;
      },
    );
    const all = log.lines.join('\n');
    assert.doesNotMatch(all, new RegExp(`${PASSWORD}|wrong-pw|url-pw-ignored`));
  });
});
