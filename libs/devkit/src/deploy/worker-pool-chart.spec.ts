import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { TIER_TABLE } from '@olt/shared/dist/hardware';
import { loadConfig } from '@olt/shared/dist/config';
import { CHART_DIR, helmTemplate, type K8sObject } from './helm';
import { find, nodeAffinity, podSpec, type Container, type PodSpec } from './rendered-chart';
import { repoRoot } from '../stack/repo-root';

const CI = (name: string) => join(CHART_DIR, 'ci', `${name}-values.yaml`);
const P = 'olt-obs-live-translator';
const GIB_MIB = 1024;

type Mount = { name: string; mountPath: string; readOnly?: boolean };
type Volume = { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: object };
type FullPodSpec = PodSpec & {
  initContainers?: Array<Container & { command: string[]; volumeMounts: Mount[] }>;
  volumes: Volume[];
  securityContext: { runAsNonRoot?: boolean; supplementalGroups?: number[] };
  runtimeClassName?: string;
  priorityClassName?: string;
  topologySpreadConstraints?: Array<{ topologyKey: string }>;
};
const pod = (objects: K8sObject[], name: string) => podSpec(find(objects, 'Deployment', `${P}-${name}`)) as FullPodSpec;
const mounts = (c: Container) => (c as unknown as { volumeMounts: Mount[] }).volumeMounts;
const modelsVolume = (spec: FullPodSpec) => spec.volumes.find((v) => v.name === 'models')!;

/** Worker pods that can run on a real cluster: model cache, /dev/dri access, VRAM floors, labels that exist. */
describe('Helm chart: worker pools on real GPU nodes', () => {
  const all = helmTemplate({ valuesFiles: [CI('all-vendors')] });
  const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
    tiers: Record<string, { vram: { nvidiaMinMiB: number; amd: string[]; intelMinBytes: number } }>;
  };

  describe('a writable model cache', () => {
    it('creates a shared PVC when persistence is on, and every worker mounts it writable', () => {
      const objects = helmTemplate({ valuesFiles: [CI('minimal')] });
      const pvc = find(objects, 'PersistentVolumeClaim', `${P}-models`);
      assert.deepEqual((pvc.spec as { accessModes: string[] }).accessModes, ['ReadWriteMany']);
      for (const name of ['asr-cpu', 'translate-cpu']) {
        const spec = pod(objects, name);
        assert.equal(modelsVolume(spec).persistentVolumeClaim?.claimName, `${P}-models`);
        const mount = mounts(spec.containers[0]).find((m) => m.name === 'models')!;
        assert.equal(mount.readOnly, false, `${name}: the worker downloads missing models (auto_download)`);
      }
    });

    it('uses an emptyDir and creates no PVC when persistence is off; an existing claim is used as is', () => {
      const off = helmTemplate({ valuesFiles: [CI('minimal')], set: ['models.persistence.enabled=false'] });
      assert.ok(!off.some((o) => o.kind === 'PersistentVolumeClaim'));
      assert.deepEqual(modelsVolume(pod(off, 'asr-cpu')).emptyDir, {});
      const existing = helmTemplate({ valuesFiles: [CI('minimal')], set: ['models.persistence.existingClaim=my-models'] });
      assert.ok(!existing.some((o) => o.kind === 'PersistentVolumeClaim'));
      assert.equal(modelsVolume(pod(existing, 'asr-cpu')).persistentVolumeClaim?.claimName, 'my-models');
    });

    it("an init container pulls the pool's own model with the product's CLI, at the path the image has it", () => {
      const spec = pod(all, 'asr-nvidia-high');
      const init = spec.initContainers?.find((c) => c.name === 'models-pull');
      assert.ok(init, 'models-pull init container');
      assert.deepEqual(init.command, [
        'node',
        'libs/shared/dist/bin/models.js',
        'pull',
        'whisper-large-v3-turbo',
        '--precision',
        'fp16',
        '--dir',
        '/models',
      ]);
      assert.equal(init.image, spec.containers[0].image, 'the worker image carries the CLI');
      assert.notEqual(init.volumeMounts.find((m) => m.name === 'models')?.readOnly, true, 'pull writes /models');
      // The runtime image's WORKDIR holds libs/shared/dist, so the relative path resolves there.
      const dockerfile = readFileSync(join(repoRoot(), 'deploy/docker/Dockerfile'), 'utf8');
      assert.match(dockerfile, /WORKDIR \/app[\s\S]*COPY --from=build \/src\/libs\/shared\/dist \.\/libs\/shared\/dist/);
      assert.equal(pod(all, 'translate-amd-low').initContainers?.[0].command[3], 'nllb-200-distilled-600M');
    });

    it('mounts models read-only only when asked', () => {
      const ro = helmTemplate({ valuesFiles: [CI('minimal')], set: ['models.readOnly=true'] });
      assert.equal(mounts(pod(ro, 'asr-cpu').containers[0]).find((m) => m.name === 'models')?.readOnly, true);
    });
  });

  it('AMD and Intel pods run non-root in the video and render groups (configurable GIDs); NVIDIA and CPU pods do not need them', () => {
    for (const name of ['asr-amd-high', 'translate-intel-low']) {
      const sc = pod(all, name).securityContext;
      assert.equal(sc.runAsNonRoot, true);
      assert.deepEqual(sc.supplementalGroups, [44, 109], name);
    }
    for (const name of ['asr-nvidia-high', 'asr-cpu']) assert.equal(pod(all, name).securityContext.supplementalGroups, undefined);
    const custom = helmTemplate({ valuesFiles: [CI('all-vendors')], set: ['devDriGroups.videoGid=39', 'devDriGroups.renderGid=998'] });
    assert.deepEqual(pod(custom, 'asr-intel-medium').securityContext.supplementalGroups, [39, 998]);
  });

  describe("VRAM floors include the worker's reserve", () => {
    const reserve = loadConfig({ env: {} }).hardware.vramReserve;
    for (const spec of TIER_TABLE.filter((t) => t.minUsableMiB > 0)) {
      it(`${spec.tier}: a card the worker would not run at ${spec.tier} (usable < ${spec.minUsableMiB} MiB) is not selected`, () => {
        const floorMiB = spec.minUsableMiB / (1 - reserve);
        const vram = values.tiers[spec.tier].vram;
        assert.ok(vram.nvidiaMinMiB >= floorMiB, `nvidia ${vram.nvidiaMinMiB} MiB < ${floorMiB}`);
        assert.ok(vram.intelMinBytes >= floorMiB * 1024 * 1024, `intel ${vram.intelMinBytes} B`);
        for (const size of vram.amd) assert.ok(Number(size.slice(0, -1)) * GIB_MIB >= floorMiB, `amd ${size}`);
        const nvidia = nodeAffinity(pod(all, `asr-nvidia-${spec.tier}`));
        assert.deepEqual(nvidia, [{ key: 'nvidia.com/gpu.memory', operator: 'Gt', values: [String(vram.nvidiaMinMiB - 1)] }]);
      });
    }
    it('a high pool needs at least 7.5 GiB of card (6 GiB usable after 20%)', () => {
      const [rule] = nodeAffinity(pod(all, 'asr-nvidia-high'));
      assert.equal(Number(rule.values[0]) + 1, 7680);
      assert.ok(!values.tiers.high.vram.amd.includes('6G'), 'a 6 GB AMD card is a medium card');
    });
  });

  describe('AMD and Intel affinity matches labels their plugins publish', () => {
    it('AMD: amd.com/gpu.vram is a size string ("16G"): matched with In, never Gt', () => {
      const rules = nodeAffinity(pod(all, 'asr-amd-medium'));
      assert.deepEqual(rules, [{ key: 'amd.com/gpu.vram', operator: 'In', values: values.tiers.medium.vram.amd }]);
      for (const v of rules[0].values) assert.match(v, /^\d+G$/);
    });

    it('Intel: the NFD GPU label by default; memory.max (a node total) only when configured', () => {
      assert.deepEqual(nodeAffinity(pod(all, 'asr-intel-high')), [
        { key: 'intel.feature.node.kubernetes.io/gpu', operator: 'In', values: ['true'] },
      ]);
      const withLabel = helmTemplate({ valuesFiles: [CI('all-vendors')], set: ['vendors.intel.vramLabel=gpu.intel.com/memory.max'] });
      assert.deepEqual(nodeAffinity(pod(withLabel, 'asr-intel-high'))[1], {
        key: 'gpu.intel.com/memory.max',
        operator: 'Gt',
        values: [String(values.tiers.high.vram.intelMinBytes - 1)],
      });
    });
  });

  it('runtimeClassName, priorityClassName and topology spread are settable per component', () => {
    const spread = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' };
    const objects = helmTemplate({
      valuesFiles: [CI('all-vendors')],
      set: [
        'gateway.priorityClassName=olt-edge',
        'gateway.topologySpreadConstraints[0].maxSkew=1',
        'gateway.topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone',
        'gateway.topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway',
        'gpuPoolDefaults.priorityClassName=olt-gpu',
        'asrWorker.gpu.nvidia.high.runtimeClassName=nvidia',
      ],
    });
    const gw = pod(objects, 'gateway');
    assert.equal(gw.priorityClassName, 'olt-edge');
    assert.deepEqual(gw.topologySpreadConstraints, [spread]);
    assert.equal(gw.runtimeClassName, undefined);
    assert.equal(pod(objects, 'asr-nvidia-high').runtimeClassName, 'nvidia');
    assert.equal(pod(objects, 'asr-nvidia-high').priorityClassName, 'olt-gpu');
    assert.equal(pod(objects, 'asr-nvidia-medium').runtimeClassName, undefined);
    assert.equal(pod(objects, 'asr-cpu').priorityClassName, undefined);
  });
});
