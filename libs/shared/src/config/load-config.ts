import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError } from './config-error';
import { LayeredConfig } from './config-sources';
import { deepFreeze } from './deep-freeze';
import { describeIssues } from './describe-issues';
import { applyEnvAliases, applyPrefixedEnv, applyRedisUrlFallback, type EnvVars } from './env-overrides';
import { camelToSnake, type DeepPartial, renameKeys, snakeToCamel } from './key-case';
import type { RedisEndpointConfig } from '../redis/redis-endpoint';
import { type AppConfig, configSchema, type RawAppConfig } from './schema';

export interface LoadConfigOptions {
  /** TOML file; default: env OLT_CONFIG, else config/default.toml found by walking up from this code. */
  file?: string;
  /** Environment to read overrides from; default: process.env. */
  env?: EnvVars;
  /** camelCase, applied last (tests use it); tables merge, arrays and values replace. */
  overrides?: DeepPartial<AppConfig>;
}

export const DEFAULT_CONFIG_RELATIVE = join('config', 'default.toml');

/**
 * The directory that holds config/default.toml: the repo root in a checkout, the app root in an image.
 * Found by walking up from this file (works from every workspace's dist/), then from the current directory.
 */
export function findConfigRoot(): string | undefined {
  for (const start of [__dirname, process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      if (existsSync(join(dir, DEFAULT_CONFIG_RELATIVE))) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** The file `loadConfig` reads for these options (absolute path). */
export function resolveConfigFile(options: Pick<LoadConfigOptions, 'file' | 'env'> = {}): string {
  const env = options.env ?? process.env;
  const explicit = options.file ?? (env.OLT_CONFIG || undefined);
  if (explicit) {
    const file = resolve(explicit);
    if (!existsSync(file)) {
      const origin = options.file ? 'the file option' : 'env OLT_CONFIG';
      throw new ConfigError([`config: file ${file} (from ${origin}) does not exist`]);
    }
    return file;
  }
  const root = findConfigRoot();
  if (!root) {
    throw new ConfigError([
      `config: ${DEFAULT_CONFIG_RELATIVE} not found above ${__dirname} or ${process.cwd()}; ` +
        'set OLT_CONFIG to the path of a TOML config file',
    ]);
  }
  return join(root, DEFAULT_CONFIG_RELATIVE);
}

/**
 * Reads the TOML file, applies env overrides and `overrides`, validates everything and returns a frozen
 * config. Throws ConfigError listing every problem at once.
 *
 * Precedence, lowest first: schema defaults < file < MODELS_DIR / LOG_LEVEL < OLT__SECTION__KEY <
 * REDIS_URL (only for Redis URLs still empty) < overrides.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const file = resolveConfigFile(options);
  return loadConfigText(readFileSync(file, 'utf8'), file, env, options.overrides);
}

/** `loadConfig` for text already read (the watcher reads the file once to compare and to parse). */
export function loadConfigText(
  text: string,
  file: string,
  env: EnvVars,
  overrides?: DeepPartial<AppConfig>,
): AppConfig {
  const shownFile = displayPath(file);
  const layers = new LayeredConfig();
  layers.merge(parseTomlFile(text, shownFile), `file ${shownFile}`);
  applyEnvAliases(layers, env);
  applyPrefixedEnv(layers, env);
  applyRedisUrlFallback(layers, env);
  if (overrides) layers.merge(renameKeys(overrides, camelToSnake) as Record<string, unknown>, 'overrides');

  const result = configSchema.safeParse(layers.data);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, layers));
  return deepFreeze(fillDerived(result.data));
}

function parseTomlFile(text: string, shownFile: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError([`config: ${shownFile} is not valid TOML${where}: ${message}`]);
  }
}

/** Fills the "empty means derive it" values so that no app derives them differently. */
function fillDerived(raw: RawAppConfig): AppConfig {
  const config = renameKeys(raw, snakeToCamel) as AppConfig;
  const { gateway, models } = config;
  if (!gateway.id) gateway.id = `${hostname()}-${process.pid}`;
  gateway.publicUrl = (gateway.publicUrl || `http://localhost:${gateway.httpPort}`).replace(/\/+$/, '');
  if (!isAbsolute(models.dir)) models.dir = resolve(findConfigRoot() ?? process.cwd(), models.dir);
  return config;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Start-up warnings about a valid but risky config (logged by ConfigService). */
export function configWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  config.tenants.forEach((tenant, i) => {
    if (tenant.apiKey !== undefined) {
      warnings.push(
        `config: tenants[${i}] (id "${tenant.id}") has a plain api_key: fine for development only; ` +
          `in production store api_key_sha256 = "${tenant.apiKeySha256}" instead`,
      );
    }
  });
  if (config.auth.allowAnonymous) {
    warnings.push('config: auth.allow_anonymous = true: streams without an API key are accepted');
  }
  if (config.redis.queueUrl && config.redis.queueUrl === config.redis.cacheUrl) {
    warnings.push(
      'config: redis.queue_url and redis.cache_url are the same server: fine for development; in production ' +
        'the cache needs its own Redis with allkeys-lfu while the queue Redis must use noeviction',
    );
  }
  return warnings;
}

/**
 * Directory of a model named in [asr] or [translate]: an absolute path is used as is, a name (which may
 * contain slashes, e.g. "onnx-community/whisper-base") lives under models.dir.
 */
export function resolveModelDir(config: AppConfig, model: string): string {
  return isAbsolute(model) ? model : resolve(config.models.dir, model);
}

/** URL and secrets of a role's Redis (see RedisEndpointConfig), or a ConfigError as requireRedisUrl. */
export function requireRedisEndpoint(config: AppConfig, role: 'queue' | 'cache'): RedisEndpointConfig {
  const r = config.redis;
  return role === 'queue'
    ? {
        url: requireRedisUrl(config, role),
        password: r.queuePassword,
        sentinelPassword: r.queueSentinelPassword,
        tlsCaFile: r.queueTlsCaFile,
      }
    : { url: requireRedisUrl(config, role), password: r.cachePassword, tlsCaFile: r.cacheTlsCaFile };
}

/** The Redis URL for a role, or a ConfigError telling the operator how to set it. */
export function requireRedisUrl(config: AppConfig, role: 'queue' | 'cache'): string {
  const url = role === 'queue' ? config.redis.queueUrl : config.redis.cacheUrl;
  if (url) return url;
  const key = `${role}_url`;
  throw new ConfigError([
    `config: redis.${key} is empty: set it in the config file, or env OLT__REDIS__${key.toUpperCase()} ` +
      `or REDIS_URL (e.g. redis://127.0.0.1:6379)`,
  ]);
}
