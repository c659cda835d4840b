import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../stack/repo-root';
import { kubectlLayer } from './kubectl-layer';

/** A rendered Kubernetes object (only the fields every object has are typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

export const CHART_DIR = join(repoRoot(), 'deploy', 'helm', 'obs-live-translator');

export function helm(args: string[]): HelmRun {
  const { helm: bin } = kubectlLayer();
  const res = spawnSync(bin, args, {
    encoding: 'utf8',
    // No kubeconfig, no repositories: every command here must work offline.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: '/dev/null' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  // Helm logs a line per symlinked chart file (files/ links to deploy/grafana and deploy/prometheus).
  const stderr = res.stderr
    .split('\n')
    .filter((l) => !l.includes('found symbolic link in path'))
    .join('\n')
    .trim();
  return { status: res.status ?? 1, stdout: res.stdout, stderr };
}

export interface TemplateOptions {
  valuesFiles?: string[];
  set?: string[];
  /** API groups the pretend cluster serves (e.g. keda.sh/v1alpha1/ScaledObject). */
  apiVersions?: string[];
}

function templateArgs(opts: TemplateOptions): string[] {
  return [
    ...(opts.valuesFiles ?? []).flatMap((f) => ['-f', f]),
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
    ...(opts.apiVersions ?? []).flatMap((a) => ['--api-versions', a]),
  ];
}

/** `helm template`; throws with Helm's message when rendering fails. */
export function helmTemplate(opts: TemplateOptions = {}): K8sObject[] {
  const run = helm(['template', 'olt', CHART_DIR, '--namespace', 'subs', ...templateArgs(opts)]);
  if (run.status !== 0) throw new Error(run.stderr || `helm template exited with ${run.status}`);
  return parseAllDocuments(run.stdout)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** `helm template` expected to fail: returns Helm's error text. */
export function helmTemplateError(opts: TemplateOptions): string {
  const run = helm(['template', 'olt', CHART_DIR, ...templateArgs(opts)]);
  if (run.status === 0) throw new Error(`helm template succeeded but was expected to fail (${JSON.stringify(opts)})`);
  return run.stderr;
}

export function helmLint(opts: TemplateOptions = {}): HelmRun {
  return helm(['lint', CHART_DIR, '--strict', ...templateArgs(opts)]);
}
