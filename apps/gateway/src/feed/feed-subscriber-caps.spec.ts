import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '@olt/devkit';
import { type AppError, ConfigService } from '@olt/shared';
import { FeedSubscriberCaps } from './feed-subscriber-caps';

describe('FeedSubscriberCaps (viewers counted across two gateways sharing one queue Redis)', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const gateways: FeedSubscriberCaps[] = [];

  const gateway = (ttlMs = 1000, redisUrl = server.url): FeedSubscriberCaps => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    clients.push(redis);
    const config = new ConfigService({
      env: {},
      overrides: {
        gateway: { streamLeaseTtlMs: ttlMs },
        limits: { maxFeedSubscribersPerSession: 2, maxFeedSubscribersPerTenant: 3 },
      },
    });
    const caps = new FeedSubscriberCaps(redis, config);
    gateways.push(caps);
    return caps;
  };

  const refusal = async (p: Promise<unknown>): Promise<AppError> => {
    try {
      await p;
    } catch (err) {
      return err as AppError;
    }
    assert.fail('admitted a viewer over the limit');
  };

  before(async () => {
    server = await startRedisServer({ policy: 'noeviction', name: 'viewer-caps' });
  });
  after(async () => {
    gateways.forEach((g) => g.onModuleDestroy());
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server.stop();
  });

  it('holds the per-session and per-tenant caps whichever gateway each viewer reaches', async () => {
    const [a, b] = [gateway(), gateway()];
    const one = await a.admit('acme', 'show');
    await b.admit('acme', 'show');
    const session = await refusal(a.admit('acme', 'show'));
    assert.equal(session.code, 'RESOURCE_EXHAUSTED');
    assert.match(session.message, /session "show" already has 2 feed viewers .*all gateways/);
    await b.admit('acme', 'other-show'); // third of the tenant's 3
    const tenant = await refusal(a.admit('acme', 'third-show'));
    assert.match(tenant.message, /this tenant already has 3 feed viewers/);
    // A refused admission took nothing: after one release exactly one more gets in.
    one();
    one(); // idempotent
    await new Promise((r) => setTimeout(r, 30));
    await b.admit('acme', 'show');
    await refusal(a.admit('acme', 'show'));
    await a.admit('globex', 'show'); // other tenants are counted apart
  });

  it("lets a dead gateway's viewers lapse while refreshed ones hold", async () => {
    const [alive, dying, newcomer] = [gateway(1000), gateway(1000), gateway(1000)];
    await alive.admit('beta', 'live');
    await dying.admit('beta', 'live');
    dying.onModuleDestroy(); // SIGKILL: it stops refreshing, nothing releases
    await refusal(newcomer.admit('beta', 'live'));
    await new Promise((r) => setTimeout(r, 1500));
    await newcomer.admit('beta', 'live');
    await refusal(newcomer.admit('beta', 'live'));
    assert.equal(alive.size, 1);
  });

  it('answers UNAVAILABLE, not an uncounted admission, when the queue Redis is away', async () => {
    const down = await startRedisServer({ policy: 'noeviction', name: 'viewer-caps-down' });
    const caps = gateway(1000, down.url);
    await down.stop();
    const err = await refusal(caps.admit('acme', 'show'));
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, /cannot count this session's feed viewers/);
  });
});
