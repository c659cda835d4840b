import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCacheEvent, encodeCacheEvent, type CacheEventV1 } from './cache-events';

const lookup: CacheEventV1 = {
  v: 1, kind: 'miss', key: 'tr:v1:en:es:m:abc', tenant: 't1', stream: 's1', src: 'en', dst: 'es', model: 'm',
  text: 'thanks for the follow', tenantScoped: false, atMs: 1234,
}; // prettier-ignore

describe('cache event stream contract (v1)', () => {
  it('a worker write round-trips with its warming flag', () => {
    for (const warming of [true, false]) {
      const write: CacheEventV1 = { ...lookup, kind: 'write', warming };
      assert.deepEqual(decodeCacheEvent(encodeCacheEvent(write)), write);
    }
  });

  it('a lookup round-trips unchanged and carries no warming flag', () => {
    assert.deepEqual(decodeCacheEvent(encodeCacheEvent(lookup)), lookup);
  });

  it('an event from an older producer (no warm field) still decodes; an unknown kind is skipped', () => {
    const fields = encodeCacheEvent({ ...lookup, kind: 'write' });
    const withoutWarm = fields.slice(0, fields.indexOf('warm'));
    assert.equal(decodeCacheEvent(withoutWarm)?.warming, false);
    const future = encodeCacheEvent(lookup).map((f) => (f === 'miss' ? 'evict' : f));
    assert.equal(decodeCacheEvent(future), undefined);
  });
});
