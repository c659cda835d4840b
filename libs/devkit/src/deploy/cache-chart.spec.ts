import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHART_DIR, helmTemplate, helmTemplateError, type K8sObject } from './helm';
import { envOf, find, podSpec, type Container } from './rendered-chart';

const CI = (name: string) => join(CHART_DIR, 'ci', `${name}-values.yaml`);
const CRD_APIS = ['keda.sh/v1alpha1/ScaledObject', 'monitoring.coreos.com/v1'];
const P = 'olt-obs-live-translator';
const TOKEN_SHA = createHash('sha256').update('ops-token').digest('hex');

type Env = Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
type CacheContainer = Omit<Container, 'env'> & { env: Env; ports: Array<{ name: string; containerPort: number }> };
const cacheContainer = (objects: K8sObject[]) =>
  podSpec(find(objects, 'Deployment', `${P}-cache`)).containers[0] as unknown as CacheContainer;
interface NetworkPolicySpec {
  podSelector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; values: string[] }> };
  ingress: Array<{ ports: Array<{ port: number }>; from?: unknown[] }>;
  egress?: Array<{ ports?: Array<{ port: number }>; to?: unknown[] }>;
}

/** apps/cache in the chart: its Deployment, the Service the ServiceMonitor scrapes, the token Secret, the policies. */
describe('Helm chart: the cache service (apps/cache)', () => {
  const rendered = helmTemplate({
    valuesFiles: [CI('all-vendors')],
    apiVersions: CRD_APIS,
    set: [`cacheService.adminToken.sha256=${TOKEN_SHA}`],
  });

  it('runs by default with the cache Redis maxmemory, the admin port and warming from values', () => {
    const c = cacheContainer(rendered);
    assert.match(c.image, /\/cache:[^:]+$/);
    const env = envOf(c as unknown as Container);
    assert.equal(env.OLT__CACHE_SERVICE__ADMIN_PORT, '9470');
    assert.equal(env.OLT__CACHE_SERVICE__MAXMEMORY, '1600mb', 'same bound as redis.cache.maxmemory');
    assert.equal(env.OLT__CACHE_SERVICE__WARMING_ENABLED, 'true');
    assert.deepEqual(c.ports.map((p) => [p.name, p.containerPort]), [['admin', 9470]]);
    assert.ok(c.envFrom?.some((e) => e.secretRef?.name === `${P}-redis`), 'Redis URLs from the Secret');
  });

  it('takes the admin token hash from a Secret, never a plain env value', () => {
    const ref = cacheContainer(rendered).env.find((e) => e.name === 'OLT__CACHE_SERVICE__ADMIN_TOKEN_SHA256');
    assert.equal(ref?.value, undefined);
    assert.deepEqual(ref?.valueFrom?.secretKeyRef, { name: `${P}-cache-admin`, key: 'OLT__CACHE_SERVICE__ADMIN_TOKEN_SHA256' });
    const secret = find(rendered, 'Secret', `${P}-cache-admin`) as unknown as { stringData: Record<string, string> };
    assert.equal(secret.stringData.OLT__CACHE_SERVICE__ADMIN_TOKEN_SHA256, TOKEN_SHA);

    const existing = helmTemplate({ valuesFiles: [CI('minimal')], set: ['cacheService.adminToken.existingSecret=ops-cache'] });
    const name = cacheContainer(existing).env.find((e) => e.name === 'OLT__CACHE_SERVICE__ADMIN_TOKEN_SHA256')
      ?.valueFrom?.secretKeyRef?.name;
    assert.equal(name, 'ops-cache');
    assert.ok(!existing.some((o) => o.kind === 'Secret' && o.metadata.name === `${P}-cache-admin`));
    // Neither: no env at all, so the admin API stays closed (401) instead of reading an empty Secret.
    const closed = helmTemplate({ valuesFiles: [CI('minimal')] });
    assert.ok(!cacheContainer(closed).env.some((e) => e.name === 'OLT__CACHE_SERVICE__ADMIN_TOKEN_SHA256'));
  });

  it('is scraped through a ClusterIP Service port named "admin" that the ServiceMonitor selects', () => {
    const svc = find(rendered, 'Service', `${P}-cache`) as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { type: string; ports: Array<{ name: string; port: number }> };
    };
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.deepEqual(svc.spec.ports.map((p) => [p.name, p.port]), [['admin', 9470]]);
    assert.equal(svc.metadata.labels['olt.dev/metrics'], 'true');
    const monitor = find(rendered, 'ServiceMonitor', P).spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: Array<{ port: string; path: string }>;
    };
    assert.equal(monitor.selector.matchLabels['olt.dev/metrics'], 'true');
    assert.ok(monitor.endpoints.some((e) => e.port === 'admin' && e.path === '/metrics'));
    const routed = JSON.stringify(rendered.filter((o) => /Ingress|Route$/.test(o.kind)));
    assert.doesNotMatch(routed, /9470|-cache\b/, 'no Ingress or route reaches the cache admin API');
  });

  it('NetworkPolicy: admin port from scrapers and adminFrom only, egress to Redis; Redis admits the cache pods', () => {
    const objects = helmTemplate({
      valuesFiles: [CI('minimal')],
      set: ['cacheService.adminFrom[0].namespaceSelector.matchLabels.team=ops'],
    });
    const np = find(objects, 'NetworkPolicy', `${P}-cache`).spec as NetworkPolicySpec;
    assert.equal(np.podSelector.matchLabels?.['app.kubernetes.io/component'], 'cache');
    assert.deepEqual(np.ingress.map((r) => r.ports.map((p) => p.port)), [[9470]]);
    assert.match(JSON.stringify(np.ingress[0].from), /"team":"ops"/);
    assert.match(JSON.stringify(np.ingress[0].from), /monitoring/, 'metrics scrapers keep access');
    assert.ok(np.egress?.some((r) => r.ports?.some((p) => p.port === 6379)), 'egress to Redis');
    assert.ok(!np.egress?.some((r) => r.ports?.some((p) => p.port === 443)), 'no internet egress');
    const redis = find(objects, 'NetworkPolicy', `${P}-redis`).spec as {
      ingress: Array<{ from: Array<{ podSelector: { matchExpressions: Array<{ key: string; values: string[] }> } }> }>;
    };
    const components = redis.ingress[0].from[0].podSelector.matchExpressions.find((e) => e.key === 'app.kubernetes.io/component');
    assert.ok(components?.values.includes('cache'), `Redis admits ${components?.values.join(', ')}`);
  });

  it('cacheService.enabled=false renders no cache objects', () => {
    const objects = helmTemplate({ valuesFiles: [CI('minimal')], set: ['cacheService.enabled=false'] });
    assert.deepEqual(
      objects.filter((o) => String(o.metadata.name).startsWith(`${P}-cache`)).map((o) => `${o.kind}/${o.metadata.name}`),
      [],
    );
  });

  it('values.schema.json refuses a token in clear where its sha256 belongs', () => {
    const err = helmTemplateError({ set: ['tenants.allowAnonymous=true', 'cacheService.adminToken.sha256=hunter2'] });
    assert.match(err, /cacheService\/adminToken\/sha256'?: 'hunter2' does not match pattern/);
  });
});
