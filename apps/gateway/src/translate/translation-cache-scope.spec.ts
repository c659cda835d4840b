import { testQueueBreaker } from '../infra/queue-breaker.testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import {
  Metrics,
  NoCacheEvents,
  type ConfigService,
  type JobQueue,
  type TranslateJobData,
  type TranslationCache,
} from '@olt/shared';
import type { GatewayIdentity } from '../infra/gateway-identity';
import type { ReplyRouter } from '../results/reply-router.service';
import { TranslationService, type TranslateRequest } from './translation.service';

/**
 * Which tenants a cached translation can answer. A fake queue plays the worker (it writes the job's
 * cacheKey, as the real worker does) so the second request shows whether it was served from the cache.
 */
function service(opts: {
  shareAcrossTenants: boolean;
  tenantGlossary?: Array<{ source: string; target: string }>;
}) {
  const entries = new Map<string, string>();
  const cache: TranslationCache = {
    get: async (key) => entries.get(key),
    set: async (key, text) => void entries.set(key, text),
  };
  const queue = {
    add: async (_q: string, _n: string, data: TranslateJobData) => {
      entries.set(data.cacheKey, `${data.target}:${data.text}`);
    },
  } as unknown as JobQueue;
  const router = {
    exchange: async (o: { enqueue: () => Promise<unknown> }) => {
      await o.enqueue();
      return { kind: 'translate', ok: true, text: 'translated', fromCache: false };
    },
  } as unknown as ReplyRouter;
  const config = {
    current: {
      cache: { enabled: true, shareAcrossTenants: opts.shareAcrossTenants },
      translate: { model: 'tiny' },
      queue: { resultTimeoutMs: 1000 },
      resilience: {
        requestTimeoutMs: 1000,
        breakerErrorPercent: 50,
        breakerMinCalls: 5,
        breakerWindowMs: 10_000,
        breakerResetMs: 5000,
      },
      tenants: [
        { id: 'tenant-a', glossary: opts.tenantGlossary ?? [], maskProfanity: false },
        { id: 'tenant-b', glossary: [], maskProfanity: false },
      ],
    },
  } as unknown as ConfigService;
  const svc = new TranslationService(
    queue,
    cache,
    router,
    { id: 'gw' } as GatewayIdentity,
    config,
    new Metrics(new Registry(), 'gateway'),
    new NoCacheEvents(),
    testQueueBreaker(config),
  );
  return { svc, entries };
}

const req = (tenantId: string, glossary: TranslateRequest['glossary'] = []): TranslateRequest => ({
  text: 'thanks for the follow',
  source: 'eng_Latn',
  target: 'spa_Latn',
  sessionId: 's',
  tenantId,
  plan: 'pro',
  priority: 'NORMAL',
  segmentId: '',
  revision: 0,
  isFinal: true,
  glossary,
});

describe('translation cache scope across tenants', () => {
  it('shares plain entries across tenants when cache.share_across_tenants is on (the default)', async () => {
    const { svc } = service({ shareAcrossTenants: true });
    assert.equal((await svc.translate(req('tenant-a'))).fromCache, false);
    assert.equal((await svc.translate(req('tenant-b'))).fromCache, true);
  });

  it('keys every entry by tenant when it is off: no hit and no from_cache hint across tenants', async () => {
    const { svc, entries } = service({ shareAcrossTenants: false });
    await svc.translate(req('tenant-a'));
    assert.equal((await svc.translate(req('tenant-b'))).fromCache, false);
    assert.equal((await svc.translate(req('tenant-a'))).fromCache, true);
    assert.deepEqual([...entries.keys()].map((k) => /:t\.(tenant-[ab]):/.exec(k)?.[1]).sort(), [
      'tenant-a',
      'tenant-b',
    ]);
  });

  it("never serves an entry shaped by one tenant's glossary to another tenant with the same glossary", async () => {
    const glossary = [{ source: 'follow', target: 'follow' }];
    const { svc } = service({ shareAcrossTenants: true });
    await svc.translate(req('tenant-a', glossary));
    assert.equal((await svc.translate(req('tenant-b', glossary))).fromCache, false);
    assert.equal((await svc.translate(req('tenant-a', glossary))).fromCache, true);
  });

  it("a tenant's configured glossary scopes its entries too", async () => {
    const { svc } = service({ shareAcrossTenants: true, tenantGlossary: [{ source: 'follow', target: '' }] });
    await svc.translate(req('tenant-a'));
    assert.equal((await svc.translate(req('tenant-b'))).fromCache, false, "B must not get A's glossary text");
  });
});
