import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { PinoLogger } from 'nestjs-pino';
import { startRedisServer, type RedisServer } from '@olt/devkit';
import { ConfigService } from '@olt/shared';
import { TenantStreamLeases } from './tenant-stream-leases';

const quietLogger = { warn: () => undefined } as unknown as PinoLogger;

describe('TenantStreamLeases (two gateways sharing one queue Redis)', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const gateways: TenantStreamLeases[] = [];

  const gateway = (ttlMs = 1000): TenantStreamLeases => {
    const redis = new Redis(server.url);
    clients.push(redis);
    const config = new ConfigService({ env: {}, overrides: { gateway: { streamLeaseTtlMs: ttlMs } } });
    const leases = new TenantStreamLeases(redis, config, quietLogger);
    gateways.push(leases);
    return leases;
  };

  before(async () => {
    server = await startRedisServer({ policy: 'noeviction', name: 'leases' });
  });
  after(async () => {
    gateways.forEach((g) => g.onModuleDestroy());
    await Promise.all(clients.map((c) => c.quit()));
    await server.stop();
  });

  it("counts a tenant's streams across gateways and frees a slot on release", async () => {
    const [a, b] = [gateway(), gateway()];
    const first = await a.acquire('acme', 'a:1', 2);
    const second = await b.acquire('acme', 'b:1', 2);
    assert.equal(first.admitted && second.admitted, true);
    const third = await a.acquire('acme', 'a:2', 2);
    assert.deepEqual(third, { admitted: false, held: 2 });
    assert.equal((await b.acquire('other', 'b:2', 2)).admitted, true, 'other tenants are counted apart');
    if (second.admitted) second.lease.release();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await a.acquire('acme', 'a:3', 2)).admitted, true);
  });

  it('keeps refreshed leases past their TTL and lets a dead gateway’s leases expire', async () => {
    const [alive, dying, newcomer] = [gateway(1000), gateway(1000), gateway(1000)];
    assert.equal((await alive.acquire('beta', 'alive:1', 2)).admitted, true);
    assert.equal((await dying.acquire('beta', 'dying:1', 2)).admitted, true);
    // The dying gateway stops refreshing (SIGKILL: no shutdown hook releases anything).
    dying.onModuleDestroy();
    assert.equal((await newcomer.acquire('beta', 'new:1', 2)).admitted, false);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await newcomer.acquire('beta', 'new:2', 2);
    assert.equal(after.admitted, true, "the dead gateway's lease expired; the refreshed one holds");
    assert.deepEqual(await newcomer.acquire('beta', 'new:3', 2), { admitted: false, held: 2 });
  });
});
