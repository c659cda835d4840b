import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, parseRedisEndpoint } from '@olt/shared';
import { CHART_DIR, helmLint, helmTemplate, helmTemplateError, type K8sObject } from './helm';
import { find, podSpec } from './rendered-chart';

const MINIMAL = join(CHART_DIR, 'ci', 'minimal-values.yaml');
const P = 'olt-obs-live-translator';

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Container = { name: string; env?: EnvVar[]; volumeMounts?: Array<{ name: string; mountPath: string }> };

/** External HA Redis: a Sentinel group for the queue, a Redis Cluster for the cache, both with auth and TLS. */
const HA = [
  'redis.queue.sentinel.endpoints[0]=sentinel-0.redis:26379',
  'redis.queue.sentinel.endpoints[1]=sentinel-1.redis:26379',
  'redis.queue.sentinel.endpoints[2]=sentinel-2.redis:26379',
  'redis.queue.sentinel.masterName=olt-queue',
  'redis.queue.sentinel.auth.existingSecret=sentinel-auth',
  'redis.queue.auth.existingSecret=queue-auth',
  'redis.queue.tls.enabled=true',
  'redis.queue.tls.caSecret=redis-ca',
  'redis.cache.cluster.nodes[0]=cache-0.redis:6379',
  'redis.cache.cluster.nodes[1]=cache-1.redis:7001',
  'redis.cache.auth.existingSecret=cache-auth',
  'redis.cache.auth.passwordKey=redis-password',
];

const appContainers = (objects: K8sObject[]): Container[] =>
  objects
    .filter((o) => o.kind === 'Deployment')
    .flatMap((d) => podSpec(d).containers as unknown as Container[]);

describe('Helm chart: external Sentinel group and Redis Cluster', () => {
  const objects = helmTemplate({ valuesFiles: [MINIMAL], set: HA });

  it('passes redis+sentinel:// and redis+cluster:// URLs the apps parse, with no password in them', () => {
    const secret = find(objects, 'Secret', `${P}-redis`) as unknown as { stringData?: Record<string, string> };
    const urls = secret.stringData!;
    assert.equal(
      urls.OLT__REDIS__QUEUE_URL,
      'rediss+sentinel://sentinel-0.redis:26379,sentinel-1.redis:26379,sentinel-2.redis:26379/olt-queue',
    );
    assert.equal(urls.OLT__REDIS__CACHE_URL, 'redis+cluster://cache-0.redis:6379,cache-1.redis:7001');
    const config = loadConfig({ env: { ...urls }, file: undefined });
    assert.equal(parseRedisEndpoint(config.redis.queueUrl).masterName, 'olt-queue');
    assert.equal(parseRedisEndpoint(config.redis.cacheUrl).nodes.length, 2);
  });

  it('deploys no Redis of its own', () => {
    assert.ok(!objects.some((o) => o.kind === 'StatefulSet' && /redis/.test(o.metadata.name)));
  });

  it('every app container gets the passwords from their Secrets and the CA file from a mounted Secret', () => {
    const containers = appContainers(objects);
    assert.ok(containers.length >= 4, 'gateway, cache service and worker pools');
    for (const c of containers) {
      const env = new Map((c.env ?? []).map((e) => [e.name, e]));
      assert.deepEqual(env.get('OLT__REDIS__QUEUE_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'queue-auth', key: 'password' }, c.name);
      assert.deepEqual(env.get('OLT__REDIS__QUEUE_SENTINEL_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'sentinel-auth', key: 'password' }, c.name);
      assert.deepEqual(env.get('OLT__REDIS__CACHE_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'cache-auth', key: 'redis-password' }, c.name);
      assert.equal(env.get('OLT__REDIS__QUEUE_TLS_CA_FILE')?.value, '/etc/olt/redis-ca/queue/ca.crt', c.name);
      assert.equal(env.has('OLT__REDIS__CACHE_TLS_CA_FILE'), false, `${c.name}: no CA for the cache`);
      assert.ok(
        c.volumeMounts?.some((m) => m.name === 'redis-ca-queue' && m.mountPath === '/etc/olt/redis-ca/queue'),
        c.name,
      );
    }
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const volumes = (podSpec(d) as unknown as { volumes: Array<{ name: string; secret?: { secretName: string } }> })
        .volumes;
      assert.deepEqual(volumes.find((v) => v.name === 'redis-ca-queue')?.secret, { secretName: 'redis-ca' }, d.metadata.name);
    }
  });

  it('NetworkPolicies let the pods reach Sentinels and cluster nodes on their ports', () => {
    const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `${P}-gateway`);
    const egress = JSON.stringify((np as unknown as { spec: { egress: unknown[] } }).spec.egress);
    for (const port of [26379, 6379, 7001]) assert.match(egress, new RegExp(`"port":${port}\\b`));
  });

  it('helm lint --strict passes with these values', () => {
    const run = helmLint({ valuesFiles: [MINIMAL], set: HA });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('refuses a Sentinel group without a master name, and a URL beside endpoints', () => {
    assert.match(
      helmTemplateError({ valuesFiles: [MINIMAL], set: ['redis.queue.sentinel.endpoints[0]=s:26379'] }),
      /masterName is empty/,
    );
    assert.match(
      helmTemplateError({
        valuesFiles: [MINIMAL],
        set: ['redis.cache.cluster.nodes[0]=c:6379', 'redis.cache.url=redis://x:6379'],
      }),
      /either redis\.cache\.url or redis\.cache\.cluster\.nodes/,
    );
    assert.match(
      helmTemplateError({ valuesFiles: [MINIMAL], set: ['redis.queue.url=redis+cluster://a:6379'] }),
      /\/redis\/queue\/url.*does not match/,
    );
  });

  it('refuses TLS towards the built-in Redis, which serves none', () => {
    assert.match(
      helmTemplateError({ valuesFiles: [MINIMAL], set: ['redis.cache.tls.enabled=true'] }),
      /redis\.cache\.tls\.enabled is true but the cache Redis is the chart's own StatefulSet/,
    );
  });

  it('without these values nothing changes: built-in Redis, plain URLs, no Redis password env', () => {
    const plain = helmTemplate({ valuesFiles: [MINIMAL] });
    const secret = find(plain, 'Secret', `${P}-redis`) as unknown as { stringData: Record<string, string> };
    assert.equal(secret.stringData.OLT__REDIS__QUEUE_URL, `redis://${P}-redis-queue:6379`);
    for (const c of appContainers(plain))
      assert.ok(!(c.env ?? []).some((e) => e.name.startsWith('OLT__REDIS__')), c.name);
  });
});
