import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHART_DIR, helmTemplate, type K8sObject } from './helm';
import { find, podSpec } from './rendered-chart';

const CI = (name: string) => join(CHART_DIR, 'ci', `${name}-values.yaml`);
const CRD_APIS = ['keda.sh/v1alpha1/ScaledObject', 'monitoring.coreos.com/v1'];
const P = 'olt-obs-live-translator';

type Env = Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
const gatewayEnv = (objects: K8sObject[]): Env =>
  (podSpec(find(objects, 'Deployment', `${P}-gateway`)).containers[0] as unknown as { env: Env }).env;
const spec = <T>(o: K8sObject) => (o as unknown as { spec: T }).spec;

/** The chart items that make several gateways and pools work as one service on a real cluster. */
describe('Helm chart: fleet and real-cluster settings', () => {
  const rendered = helmTemplate({ valuesFiles: [CI('all-vendors')], apiVersions: CRD_APIS });

  it('every gateway signs overlay links with one key from a Secret the chart creates, and runs as a fleet', () => {
    const env = gatewayEnv(rendered);
    assert.equal(env.find((e) => e.name === 'OLT__GATEWAY__FLEET')?.value, 'true');
    const ref = env.find((e) => e.name === 'OLT__OVERLAY__TOKEN_SECRET')?.valueFrom?.secretKeyRef;
    assert.deepEqual(ref, { name: `${P}-overlay-key`, key: 'OLT__OVERLAY__TOKEN_SECRET' });
    const secret = find(rendered, 'Secret', `${P}-overlay-key`) as unknown as { data: Record<string, string> };
    assert.ok(Buffer.from(secret.data.OLT__OVERLAY__TOKEN_SECRET, 'base64').length >= 32, 'a long random key');
  });

  it('uses an existing overlay key Secret when named, and creates none', () => {
    const objects = helmTemplate({ valuesFiles: [CI('minimal')], set: ['gateway.overlayKey.existingSecret=my-key'] });
    assert.equal(
      gatewayEnv(objects).find((e) => e.name === 'OLT__OVERLAY__TOKEN_SECRET')?.valueFrom?.secretKeyRef?.name,
      'my-key',
    );
    assert.ok(!objects.some((o) => o.kind === 'Secret' && o.metadata.name === `${P}-overlay-key`));
  });

  it('the gRPC Ingress has no body size limit (a stream is one request body)', () => {
    const objects = helmTemplate({ valuesFiles: [CI('minimal')], set: ['gateway.ingress.enabled=true'] });
    const annotations = (o: K8sObject) =>
      (o.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    const ingress = objects.find(
      (o) => o.kind === 'Ingress' && annotations(o)['nginx.ingress.kubernetes.io/backend-protocol'] === 'GRPC',
    );
    assert.ok(ingress, 'a gRPC Ingress');
    assert.equal(annotations(ingress)['nginx.ingress.kubernetes.io/proxy-body-size'], '0');
  });

  it('the ServiceMonitor carries the release label kube-prometheus-stack selects, configurable', () => {
    const sm = find(rendered, 'ServiceMonitor', P);
    assert.equal(sm.metadata.labels?.release, 'kube-prometheus-stack');
    const custom = helmTemplate({
      valuesFiles: [CI('all-vendors')],
      apiVersions: CRD_APIS,
      set: ['monitoring.serviceMonitor.releaseLabel=prom', 'monitoring.serviceMonitor.labels.team=subs'],
    });
    assert.deepEqual(
      { release: find(custom, 'ServiceMonitor', P).metadata.labels?.release, team: find(custom, 'ServiceMonitor', P).metadata.labels?.team },
      { release: 'prom', team: 'subs' },
    );
  });

  it('NetworkPolicies admit scrapes from configurable peers', () => {
    const objects = helmTemplate({
      valuesFiles: [CI('minimal')],
      set: [
        'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team=obs',
        'networkPolicy.metricsFrom[0].podSelector.matchLabels.app=prometheus',
      ],
    });
    for (const name of [`${P}-gateway`, `${P}-workers`]) {
      const np = spec<{ ingress: Array<{ from?: unknown[] }> }>(find(objects, 'NetworkPolicy', name));
      assert.ok(
        np.ingress.some(
          (rule) =>
            JSON.stringify(rule.from) ===
            JSON.stringify([{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'prometheus' } } }]),
        ),
        `${name}: ${JSON.stringify(np.ingress)}`,
      );
    }
  });

  it('the queue Redis runs noeviction with a maxmemory and AOF, on a maintained image', () => {
    const sts = podSpec(find(rendered, 'StatefulSet', `${P}-redis-queue`));
    const args = (sts.containers[0] as unknown as { args: string[] }).args;
    const arg = (name: string) => args[args.indexOf(name) + 1];
    assert.equal(arg('--maxmemory-policy'), 'noeviction');
    assert.match(arg('--maxmemory'), /^[0-9]+mb$/);
    assert.equal(arg('--appendonly'), 'yes');
    for (const role of ['queue', 'cache']) {
      const image = podSpec(find(rendered, 'StatefulSet', `${P}-redis-${role}`)).containers[0].image;
      const [major, minor, patch] = /redis:(\d+)\.(\d+)\.(\d+)/.exec(image)!.slice(1).map(Number);
      // The 2025 Lua fixes (CVE-2025-49844): 7.2.11, 7.4.6, 8.0.4, 8.2.2 and later.
      const fixed = major > 8 || (major === 8 && (minor > 0 ? patch >= 2 || minor > 2 : patch >= 4)) || (major === 7 && ((minor === 4 && patch >= 6) || (minor === 2 && patch >= 11)));
      assert.ok(fixed, `${role} image ${image} predates the 2025 Lua fixes`);
    }
  });

  it('every worker pool has its own PodDisruptionBudget', () => {
    const pools = rendered.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['olt.dev/pool']);
    assert.ok(pools.length > 2);
    for (const pool of pools) {
      const pdb = find(rendered, 'PodDisruptionBudget', pool.metadata.name);
      const selector = spec<{ selector: { matchLabels: Record<string, string> } }>(pdb).selector.matchLabels;
      assert.equal(selector['olt.dev/pool'], pool.metadata.labels?.['olt.dev/pool']);
    }
  });

  describe('each worker pool scales on its own queue, in this namespace, with a real fallback', () => {
    type Trigger = { name: string; metadata: Record<string, string> };
    type ScaledObjectSpec = { triggers: Trigger[]; fallback?: { failureThreshold: number; replicas: number }; minReplicaCount: number };
    const scaled = rendered.filter((o) => o.kind === 'ScaledObject');
    const queueOf = (pool: K8sObject) => {
      const env = (podSpec(pool).containers[0].env ?? []) as Env;
      const kind = pool.metadata.labels?.['olt.dev/pool']?.startsWith('asr') ? 'ASR' : 'TRANSLATE';
      return kind === 'ASR' ? `asr-v1-${env.find((e) => e.name === 'OLT__ASR__TIER')?.value}` : 'translate-v1';
    };

    it('renders one ScaledObject per pool', () => {
      const pools = rendered.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['olt.dev/pool']);
      assert.deepEqual(scaled.map((o) => o.metadata.name).sort(), pools.map((o) => o.metadata.name).sort());
    });

    it('every query names the release namespace and never hides a missing metric with `or vector(0)`', () => {
      for (const so of scaled) {
        for (const t of spec<ScaledObjectSpec>(so).triggers) {
          assert.match(t.metadata.query, /namespace="subs"/, `${so.metadata.name}/${t.name}: ${t.metadata.query}`);
          assert.doesNotMatch(t.metadata.query, /or\s+vector\(/, `${so.metadata.name}/${t.name}`);
        }
      }
    });

    it('a missing backlog series is an error, so KEDA holds the fallback replicas', () => {
      for (const so of scaled) {
        const s = spec<ScaledObjectSpec>(so);
        assert.ok(s.fallback && s.fallback.failureThreshold > 0 && s.fallback.replicas >= 1, `${so.metadata.name} fallback`);
        const depth = s.triggers.find((t) => t.name === 'queue-depth')!;
        assert.equal(depth.metadata.ignoreNullValues, 'false', so.metadata.name);
      }
    });

    it('each pool reads the backlog of the queue its workers consume, split among the pools sharing it', () => {
      const pools = rendered.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['olt.dev/pool']);
      const sharing = new Map<string, number>();
      for (const pool of pools) sharing.set(queueOf(pool), (sharing.get(queueOf(pool)) ?? 0) + 1);
      for (const pool of pools) {
        const so = find(rendered, 'ScaledObject', pool.metadata.name);
        const queue = queueOf(pool);
        for (const t of spec<ScaledObjectSpec>(so).triggers.filter((t) => t.name !== 'wake-on-demand')) {
          const queues = [...t.metadata.query.matchAll(/queue="([^"]+)"/g)].map((m) => m[1]);
          assert.deepEqual(queues, [queue], `${pool.metadata.name}/${t.name}`);
        }
        const depth = spec<ScaledObjectSpec>(so).triggers.find((t) => t.name === 'queue-depth')!.metadata.query;
        assert.ok(depth.endsWith(`/ ${sharing.get(queue)}`), `${pool.metadata.name}: ${depth}`);
      }
      assert.equal(sharing.get('asr-v1-high'), 3, 'three vendors serve the high ASR tier');
    });

    it('an idle ASR GPU pool wakes only on demand for its own tier, not on every open stream', () => {
      for (const so of scaled) {
        const wake = spec<ScaledObjectSpec>(so).triggers.find((t) => t.name.startsWith('wake'));
        if (!wake) continue;
        const tier = so.metadata.labels?.['olt.dev/pool']?.split('-').pop();
        assert.match(wake.metadata.query, new RegExp(`olt_asr_jobs_routed_total\\{namespace="subs",wanted_tier="${tier}"\\}`));
        assert.doesNotMatch(wake.metadata.query, /streams_active/);
      }
    });

    it('the gateways route by plan (`auto`) by default, and a tier can still be pinned', () => {
      assert.equal(gatewayEnv(rendered).find((e) => e.name === 'OLT__ASR__TIER')?.value, 'auto');
      const pinned = helmTemplate({ valuesFiles: [CI('all-vendors')], set: ['gateway.asrTier=medium'] });
      assert.equal(gatewayEnv(pinned).find((e) => e.name === 'OLT__ASR__TIER')?.value, 'medium');
    });
  });
});
