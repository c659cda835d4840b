import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelSecurity, isLoopback } from './channel-security';

test('plain text only for loopback or when asked; --ca and --server-name imply TLS', () => {
  assert.ok(isLoopback('127.0.0.1:50051') && isLoopback('localhost:1') && isLoopback('[::1]:50051'));
  assert.ok(!isLoopback('subs.example.com:443') && !isLoopback('10.0.0.5:50051'));
  assert.equal(channelSecurity({ server: '127.0.0.1:50051' }).tls, false);
  assert.equal(channelSecurity({ server: 'subs.example.com:443' }).tls, true);
  assert.equal(channelSecurity({ server: 'subs.example.com:443', plaintext: true }).tls, false);
  assert.equal(channelSecurity({ server: '127.0.0.1:50051', serverName: 'gw' }).tls, true);
  assert.throws(() => channelSecurity({ server: 'x:1', plaintext: true, tls: true }), /excludes/);
  assert.throws(
    () => channelSecurity({ server: 'x:1', ca: '/no/such/ca.pem' }),
    /--ca \/no\/such\/ca\.pem cannot be read/,
  );
});
