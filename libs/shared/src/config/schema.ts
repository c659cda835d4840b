import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Camelize } from './key-case';

/**
 * The configuration schema, in the snake_case of the TOML file. Every key has its default here AND in
 * config/default.toml (which documents it); docs/configuration.md lists them for operators.
 * Sections are strict: an unknown key is an error, so a typo never passes silently.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.int().min(min).max(max);
const port = int(1, 65535);
const nonEmpty = z.string().min(1);

/** Lists may come from an env var as "cuda,cpu" as well as the TOML array ["cuda", "cpu"]. */
const listOf = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value),
    z.array(item).min(1),
  );

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const ASR_TIERS = ['cpu', 'low', 'medium', 'high'] as const;
/** The dtypes that ONNX exports of Whisper/NLLB ship in (file suffixes _fp16, _quantized=q8, _q4, …). */
export const PRECISIONS = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
/** Execution providers onnxruntime-node can load (CUDA/TensorRT need their libraries installed). */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml'] as const;
export const TENANT_PLANS = ['free', 'pro', 'enterprise'] as const;

const redisUrl = z
  .string()
  .regex(/^(|rediss?:\/\/.+)$/, 'must be empty or a redis:// or rediss:// URL')
  .default('');

const gateway = z
  .strictObject({
    id: z.string().default(''),
    host: nonEmpty.default('0.0.0.0'),
    grpc_port: port.default(50051),
    http_port: port.default(8080),
    public_url: z
      .string()
      .regex(/^(|https?:\/\/.+)$/, 'must be empty or an http:// or https:// URL')
      .default(''),
    max_message_bytes: int(1024).default(4194304),
    max_streams: int(1).default(500),
    drain_timeout_ms: int(0).default(30000),
    session_start_timeout_ms: int(1).default(10000),
  })
  .prefault({});

const redis = z
  .strictObject({
    queue_url: redisUrl,
    cache_url: redisUrl,
    key_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/, 'must be a non-empty run of letters, digits and _ . : -')
      .default('olt'),
  })
  .prefault({});

const audio = z
  .strictObject({
    min_sample_rate_hz: int(1000).default(8000),
    max_sample_rate_hz: int(1000).default(192000),
    max_channels: int(1, 64).default(8),
  })
  .prefault({})
  .refine((a) => a.min_sample_rate_hz <= a.max_sample_rate_hz, {
    message: 'must be <= audio.max_sample_rate_hz',
    path: ['min_sample_rate_hz'],
  });

const probability = z.number().min(0).max(1);

const vad = z
  .strictObject({
    threshold: probability.default(0.5),
    neg_threshold: probability.default(0.35),
    silence_ms: int(0, 60000).default(500),
    pre_roll_ms: int(0, 5000).default(200),
    min_speech_ms: int(0, 60000).default(250),
    max_segment_ms: int(1000, 300000).default(15000),
  })
  .prefault({})
  .refine((v) => v.neg_threshold <= v.threshold, {
    message: 'must be <= vad.threshold (speech ends below neg_threshold, starts above threshold)',
    path: ['neg_threshold'],
  })
  .refine((v) => v.min_speech_ms < v.max_segment_ms, {
    message: 'must be < vad.max_segment_ms',
    path: ['min_speech_ms'],
  });

const asr = z
  .strictObject({
    tier: z.enum(ASR_TIERS).default('cpu'),
    model: nonEmpty.default('whisper-tiny-test'),
    precision: z.enum(PRECISIONS).default('auto'),
    execution_providers: listOf(z.enum(EXECUTION_PROVIDERS)).default(['cpu']),
    concurrency: int(1, 256).default(1),
    max_new_tokens: int(1, 448).default(128),
    device_id: int(0).default(0),
  })
  .prefault({});

const translate = z
  .strictObject({
    tier: z.enum(ASR_TIERS).default('cpu'),
    model: nonEmpty.default('nllb-tiny-test'),
    precision: z.enum(PRECISIONS).default('auto'),
    execution_providers: listOf(z.enum(EXECUTION_PROVIDERS)).default(['cpu']),
    concurrency: int(1, 256).default(1),
    max_new_tokens: int(1, 1024).default(256),
    device_id: int(0).default(0),
  })
  .prefault({});

const models = z.strictObject({ dir: nonEmpty.default('.models') }).prefault({});

const queue = z
  .strictObject({
    segment_ttl_s: int(1).default(600),
    attempts: int(1, 100).default(3),
    backoff_ms: int(0).default(500),
    lock_duration_ms: int(1000).default(30000),
    stalled_interval_ms: int(1000).default(30000),
    result_timeout_ms: int(1).default(120000),
    remove_on_complete: int(0).default(1000),
    remove_on_fail: int(0).default(5000),
  })
  .prefault({});

const cache = z
  .strictObject({ ttl_s: int(1).default(604800), enabled: z.boolean().default(true) })
  .prefault({});

const workers = z
  .strictObject({ http_port: int(0, 65535).default(9090), heartbeat_ms: int(100).default(5000) })
  .prefault({});

const limits = z
  .strictObject({
    max_targets: int(1, 200).default(8),
    max_chunk_bytes: int(1).default(1048576),
    max_text_bytes: int(1).default(20000),
  })
  .prefault({});

const log = z
  .strictObject({ level: z.enum(LOG_LEVELS).default('info'), pretty: z.boolean().default(false) })
  .prefault({});

const auth = z.strictObject({ allow_anonymous: z.boolean().default(false) }).prefault({});

/** Fault injection for resilience tests (timeouts, retries, lag). Leave at 0 in production. */
const faults = z.strictObject({ asr_job_delay_ms: int(0, 600000).default(0) }).prefault({});

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const tenant = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a non-empty run of letters, digits and _ . -'),
    api_key_sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (sha256 of the key)')
      .optional(),
    api_key: nonEmpty.optional(),
    plan: z.enum(TENANT_PLANS).default('free'),
    max_streams: int(1).default(10),
  })
  .refine((t) => (t.api_key === undefined) !== (t.api_key_sha256 === undefined), {
    message: 'needs exactly one of api_key_sha256 (production) or api_key (plain, dev only)',
  })
  // Auth code compares hashes only; a plain dev key is hashed here once.
  .transform((t) => ({
    ...t,
    api_key_sha256: (t.api_key_sha256 ?? sha256Hex(t.api_key ?? '')).toLowerCase(),
  }));

const tenants = z
  .array(tenant)
  .default([])
  .superRefine((list, ctx) => {
    const seenIds = new Map<string, number>();
    const seenKeys = new Map<string, number>();
    list.forEach((t, i) => {
      if (seenIds.has(t.id))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'id'],
          message: `duplicates tenants[${seenIds.get(t.id)}].id`,
        });
      else seenIds.set(t.id, i);
      if (seenKeys.has(t.api_key_sha256))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `has the same API key as tenants[${seenKeys.get(t.api_key_sha256)}]`,
        });
      else seenKeys.set(t.api_key_sha256, i);
    });
  });

export const configSchema = z.strictObject({
  gateway,
  redis,
  audio,
  vad,
  asr,
  translate,
  models,
  queue,
  cache,
  workers,
  limits,
  log,
  auth,
  faults,
  tenants,
});

export type RawAppConfig = z.output<typeof configSchema>;

/**
 * The validated configuration. After `loadConfig`: `gateway.id` and `gateway.publicUrl` are filled in when
 * left empty, `models.dir` is absolute, and every tenant has `apiKeySha256` (lower-case hex).
 */
export type AppConfig = Camelize<RawAppConfig>;
export type GatewayConfig = AppConfig['gateway'];
export type RedisConfig = AppConfig['redis'];
export type AudioConfig = AppConfig['audio'];
export type VadConfig = AppConfig['vad'];
export type AsrConfig = AppConfig['asr'];
export type TranslateConfig = AppConfig['translate'];
export type ModelsConfig = AppConfig['models'];
export type QueueConfig = AppConfig['queue'];
export type CacheConfig = AppConfig['cache'];
export type WorkersConfig = AppConfig['workers'];
export type LimitsConfig = AppConfig['limits'];
export type LogConfig = AppConfig['log'];
export type AuthConfig = AppConfig['auth'];
export type FaultsConfig = AppConfig['faults'];
export type TenantConfig = AppConfig['tenants'][number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type AsrTier = (typeof ASR_TIERS)[number];
export type Precision = (typeof PRECISIONS)[number];
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];
export type TenantPlan = (typeof TENANT_PLANS)[number];

/**
 * Keys that a running process picks up from an edited file (snake_case paths; a section name covers all
 * its keys; the segment policy's keys live in [vad]). Everything else needs a restart: ports, URLs, models and tenants are wired in at start-up.
 */
export const RELOADABLE_KEYS = ['vad', 'limits', 'log.level'] as const;

export function isReloadable(snakePath: string): boolean {
  return RELOADABLE_KEYS.some((key) => snakePath === key || snakePath.startsWith(`${key}.`));
}
