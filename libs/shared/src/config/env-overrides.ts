import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import type { LayeredConfig } from './config-sources';
import { schemaAt } from './schema-walk';

export type EnvVars = Readonly<Record<string, string | undefined>>;

const PREFIX = 'OLT__';

/**
 * Applies `OLT__SECTION__KEY=value` variables (double underscores, any case). A value is read as a TOML
 * value when it parses as one (numbers, booleans, arrays, inline tables), else as a plain string; a key whose
 * schema wants a string gets the raw text, so `OLT__GATEWAY__ID=123` stays "123".
 */
export function applyPrefixedEnv(layers: LayeredConfig, env: EnvVars): void {
  const names = Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(PREFIX) && env[name] !== undefined)
    .sort();
  for (const name of names) {
    const path = name
      .slice(PREFIX.length)
      .split('__')
      .map((part) => part.toLowerCase());
    layers.set(path, typedEnvValue(path, env[name] as string), `env ${name}`);
  }
}

/** Conventional names that platforms and tools already set; `OLT__…` variables win over them. */
export function applyEnvAliases(layers: LayeredConfig, env: EnvVars): void {
  if (env.MODELS_DIR) layers.set(['models', 'dir'], env.MODELS_DIR, 'env MODELS_DIR');
  if (env.LOG_LEVEL) layers.set(['log', 'level'], env.LOG_LEVEL.toLowerCase(), 'env LOG_LEVEL');
}

/** REDIS_URL only fills Redis URLs still empty after the file and `OLT__…` variables. */
export function applyRedisUrlFallback(layers: LayeredConfig, env: EnvVars): void {
  if (!env.REDIS_URL) return;
  for (const key of ['queue_url', 'cache_url']) {
    if (!layers.get(['redis', key])) layers.set(['redis', key], env.REDIS_URL, 'env REDIS_URL');
  }
}

function typedEnvValue(path: string[], raw: string): unknown {
  const parsed = parseTomlValue(raw);
  if (parsed === undefined) return raw;
  const leaf = schemaAt(path)?.schema;
  if (leaf && !z.safeParse(leaf, parsed).success && z.safeParse(leaf, raw).success) return raw;
  return parsed;
}

function parseTomlValue(raw: string): unknown {
  try {
    const doc = parseToml(`value = ${raw}`);
    return Object.keys(doc).length === 1 ? doc.value : undefined;
  } catch {
    return undefined;
  }
}
