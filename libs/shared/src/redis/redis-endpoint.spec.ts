import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildRedisOptions,
  describeRedisEndpoint,
  parseRedisEndpoint,
  redactRedisUrl,
} from './redis-endpoint';

const base = { connectionName: 'olt-queue-main', maxRetriesPerRequest: null };
const noFile = (path: string): Buffer => {
  throw new Error(`unexpected read of ${path}`);
};

describe('parseRedisEndpoint', () => {
  it('reads a Sentinel URL: sentinels with the default port, master name, db and data-node credentials', () => {
    const e = parseRedisEndpoint('redis+sentinel://app:p%40ss@s1:26380,s2,[::1]:26381/olt-queue/2');
    assert.deepEqual(e.nodes, [
      { host: 's1', port: 26380 },
      { host: 's2', port: 26379 },
      { host: '::1', port: 26381 },
    ]);
    assert.equal(e.topology, 'sentinel');
    assert.equal(e.masterName, 'olt-queue');
    assert.equal(e.db, 2);
    assert.equal(e.username, 'app');
    assert.equal(e.password, 'p@ss');
    assert.equal(e.tls, false);
  });

  it('reads a TLS Cluster URL with seed nodes and a password but no user', () => {
    const e = parseRedisEndpoint('rediss+cluster://:secret@n1:7000,n2');
    assert.equal(e.topology, 'cluster');
    assert.equal(e.tls, true);
    assert.deepEqual(e.nodes, [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 6379 },
    ]);
    assert.equal(e.username, undefined);
    assert.equal(e.password, 'secret');
  });

  it('leaves redis:// and rediss:// URLs to ioredis', () => {
    assert.deepEqual(parseRedisEndpoint('rediss://u:p@h:6380/1'), {
      topology: 'single',
      tls: true,
      nodes: [],
      url: 'rediss://u:p@h:6380/1',
    });
  });

  it('refuses malformed URLs with a reason and without echoing the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['redis+sentinel://:hunter2@s1:26379', /names the master/],
      ['redis+cluster://:hunter2@n1/3', /Cluster has only db 0/],
      ['redis+sentinel://:hunter2@s1:99999/m', /"s1:99999" is not host\[:port\]/],
      ['redis+sentinel://:hunter2@s1/m?tls=1', /no query/],
      ['http://:hunter2@h', /must start with redis:\/\//],
    ];
    for (const [url, why] of cases) {
      assert.throws(
        () => parseRedisEndpoint(url),
        (err: Error) => {
          assert.match(err.message, why);
          assert.doesNotMatch(err.message, /hunter2/);
          return true;
        },
        url,
      );
    }
  });
});

describe('redactRedisUrl / describeRedisEndpoint', () => {
  it('hide passwords of every scheme', () => {
    assert.equal(redactRedisUrl('redis+sentinel://u:pw@s1,s2/m'), 'redis+sentinel://u:***@s1,s2/m');
    assert.equal(redactRedisUrl('rediss://:pw@h:6380'), 'rediss://:***@h:6380');
    assert.equal(
      describeRedisEndpoint(parseRedisEndpoint('redis+sentinel://u:pw@s1,s2/m')),
      'sentinel m@s1:26379,s2:26379',
    );
    assert.equal(describeRedisEndpoint(parseRedisEndpoint('redis+cluster://:pw@n1:7000')), 'cluster n1:7000');
    assert.equal(describeRedisEndpoint(parseRedisEndpoint('redis://:pw@h:6379/0')), 'h:6379/0');
  });
});

describe('buildRedisOptions', () => {
  it('Sentinel: sentinels, master, sentinel password, failover detection, TLS to both hops with the CA', () => {
    const read: string[] = [];
    const built = buildRedisOptions(
      parseRedisEndpoint('rediss+sentinel://app:from-url@s1,s2/olt-queue'),
      { password: 'from-secret', sentinelPassword: 'sentinel-secret', tlsCaFile: '/ca.pem' },
      base,
      (path) => (read.push(path), Buffer.from('CA')),
    );
    assert.equal(built.cluster, undefined);
    const o = built.redis;
    assert.deepEqual(o.sentinels, [
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ]);
    assert.equal(o.name, 'olt-queue');
    assert.equal(o.username, 'app');
    assert.equal(o.password, 'from-secret', 'the config key wins over the URL');
    assert.equal(o.sentinelPassword, 'sentinel-secret');
    assert.equal(o.failoverDetector, true);
    assert.equal(o.enableTLSForSentinelMode, true);
    assert.deepEqual(o.tls, { ca: Buffer.from('CA') });
    assert.deepEqual(o.sentinelTLS, { ca: Buffer.from('CA') });
    assert.deepEqual(read, ['/ca.pem']);
    assert.equal(o.maxRetriesPerRequest, null, 'keeps the role behaviour');
    assert.equal(o.connectionName, 'olt-queue-main');
  });

  it('Sentinel without TLS or secrets: the URL password, nothing else', () => {
    const o = buildRedisOptions(parseRedisEndpoint('redis+sentinel://:pw@s1/m'), {}, base, noFile).redis;
    assert.equal(o.password, 'pw');
    assert.equal(o.sentinelPassword, undefined);
    assert.equal(o.tls, undefined);
    assert.equal(o.enableTLSForSentinelMode, undefined);
  });

  it('Cluster: seeds, per-node options with auth and TLS, host names kept for certificate checks', () => {
    const built = buildRedisOptions(
      parseRedisEndpoint('rediss+cluster://n1:7000,n2:7001'),
      { password: 'pw' },
      base,
      noFile,
    );
    assert.deepEqual(built.cluster?.nodes, [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ]);
    const r = built.cluster!.options.redisOptions!;
    assert.equal(r.password, 'pw');
    assert.deepEqual(r.tls, {}, 'TLS with the system CAs');
    assert.equal(r.connectionName, 'olt-queue-main');
    assert.equal(typeof built.cluster!.options.dnsLookup, 'function');
  });

  it('single server: adds the secret and the CA on top of the URL', () => {
    const o = buildRedisOptions(
      parseRedisEndpoint('rediss://h:6380'),
      { password: 'pw', tlsCaFile: '/ca' },
      base,
      () => Buffer.from('X'),
    ).redis;
    assert.equal(o.password, 'pw');
    assert.deepEqual(o.tls, { ca: Buffer.from('X') });
    assert.equal(o.sentinels, undefined);
  });

  it('an unreadable CA file is an error naming the file', () => {
    assert.throws(
      () =>
        buildRedisOptions(parseRedisEndpoint('rediss://h'), { tlsCaFile: '/nope.pem' }, base, () => {
          throw new Error('ENOENT');
        }),
      /cannot read the Redis TLS CA file \/nope\.pem: ENOENT/,
    );
  });
});
