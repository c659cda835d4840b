import type { K8sObject } from './helm';

/** Typed views into rendered objects, for assertions on what the chart wires. */
export interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}
export interface PodSpec {
  containers: Container[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: Array<{ matchExpressions: Array<{ key: string; operator: string; values: string[] }> }>;
      };
    };
  };
  tolerations?: Array<{ key?: string; operator?: string; effect?: string }>;
  terminationGracePeriodSeconds?: number;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const hit = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!hit) {
    const names = objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    throw new Error(`no ${kind} ${name}; rendered ${kind}s: ${names.join(', ') || 'none'}`);
  }
  return hit;
}

export function podSpec(deployment: K8sObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

export function envOf(container: Container): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

export function nodeAffinity(spec: PodSpec): Array<{ key: string; operator: string; values: string[] }> {
  return (
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.flatMap(
      (t) => t.matchExpressions,
    ) ?? []
  );
}

/** Environment a container really gets: its env values plus every key of the Secrets it loads with envFrom. */
export function effectiveEnv(objects: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === from.secretRef?.name);
    Object.assign(env, (secret?.stringData as Record<string, string> | undefined) ?? {});
  }
  return { ...env, ...envOf(container) };
}
