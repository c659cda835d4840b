import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../stack/repo-root';
import { CRD_SCHEMAS, KEDA_TRIGGER_METADATA } from './crd-schemas';
import type { K8sObject } from './helm';
import { checkSchema } from './schema-check';

interface ModelClass {
  new (data: unknown): { validate(): void };
  kind: string;
}

// kubernetes-models' "exports" map offers no "require" condition, so its files are loaded by absolute path:
// the CommonJS build (<Kind>.js) where it exists, else the ES module (<Kind>.mjs) through a real dynamic
// import (tsc would compile import() into require() in this CommonJS package; a Function-built one stays).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

/** The kubernetes-models class for an apiVersion/kind, or undefined when the package has none. */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const base = join(repoRoot(), 'node_modules', 'kubernetes-models', group, version, kind);
  if (existsSync(`${base}.js`)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(`${base}.js`) as Record<string, ModelClass>)[kind];
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw err;
    }
  }
  if (existsSync(`${base}.mjs`)) {
    return ((await importEsm(pathToFileURL(`${base}.mjs`).href)) as Record<string, ModelClass>)[kind];
  }
  return undefined;
}

/**
 * Problems with one rendered object: the Kubernetes schema (kubernetes-models, the OpenAPI of the API
 * server) for core kinds; hand-written CRD subsets for KEDA, Prometheus operator and Gateway API kinds.
 * An object of a kind neither knows is itself a problem, so nothing goes unchecked.
 */
export async function validateManifest(obj: K8sObject): Promise<string[]> {
  const id = `${obj.kind}/${obj.metadata?.name}`;
  const crd = CRD_SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
  if (crd) {
    const problems = checkSchema(obj, crd);
    if (obj.kind === 'ScaledObject') {
      const triggers = (obj.spec as { triggers?: Array<{ type: string; metadata: unknown }> }).triggers ?? [];
      triggers.forEach((t, i) => {
        const meta = KEDA_TRIGGER_METADATA[t.type];
        if (!meta) problems.push(`/spec/triggers/${i}: trigger type "${t.type}" has no schema here`);
        else problems.push(...checkSchema(t.metadata, meta, `/spec/triggers/${i}/metadata`));
      });
    }
    return problems.map((p) => `${id}: ${p}`);
  }
  const Model = await modelClass(obj.apiVersion, obj.kind);
  if (!Model) return [`${id}: no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${id}: ${(err as Error).message}`];
  }
}

export async function validateManifests(objects: K8sObject[]): Promise<string[]> {
  return (await Promise.all(objects.map((o) => validateManifest(o)))).flat();
}
