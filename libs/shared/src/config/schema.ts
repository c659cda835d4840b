import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseRedisEndpoint } from '../redis/redis-endpoint';
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
/** What `asr.tier` / `translate.tier` accept: a tier, or "auto" (picked from the pinned GPU's free VRAM). */
export const TIER_SETTINGS = [...ASR_TIERS, 'auto'] as const;
/** The dtypes that ONNX exports of Whisper/NLLB ship in (file suffixes _fp16, _quantized=q8, _q4, …). */
export const PRECISIONS = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
/** Execution providers onnxruntime-node can load (CUDA/TensorRT need their libraries installed). */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml', 'auto'] as const;
export const TENANT_PLANS = ['free', 'pro', 'enterprise'] as const;

const redisUrl = z
  .string()
  .regex(
    /^(|rediss?(\+(sentinel|cluster))?:\/\/.+)$/,
    'must be empty or a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL (rediss+… for TLS)',
  )
  .superRefine((url, ctx) => {
    if (!url.includes('+')) return;
    try {
      parseRedisEndpoint(url);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^.* is invalid: /, '') });
    }
  })
  .default('');

const gateway = z
  .strictObject({
    id: z.string().default(''),
    host: nonEmpty.default('0.0.0.0'),
    grpc_port: port.default(50051),
    http_port: port.default(8080),
    // Admin listener: /metrics (tenant labels: never public), /healthz, /readyz. Same host as the others.
    admin_port: port.default(9464),
    // Largest JSON request body; a larger one is refused with 413 before it is read in full.
    max_http_body_bytes: int(1024, 64 * 1024 * 1024).default(262144),
    public_url: z
      .string()
      .regex(/^(|https?:\/\/.+)$/, 'must be empty or an http:// or https:// URL')
      .default(''),
    max_message_bytes: int(1024).default(4194304),
    max_streams: int(1).default(500),
    drain_timeout_ms: int(0).default(30000),
    session_start_timeout_ms: int(1).default(10000),
    // TLS on the gRPC and public HTTP listeners (PEM files; both or neither). "" = plain, for an Ingress
    // or mesh that terminates TLS. The admin listener stays plain (probes and scrapes come from inside).
    tls_cert_file: z.string().default(''),
    tls_key_file: z.string().default(''),
    // How often the two files are checked for a renewed certificate (cert-manager, Secret updates).
    tls_reload_interval_ms: int(100, 3_600_000).default(30000),
    // One of several gateways behind one address: they share state through the queue Redis, and start-up
    // refuses a random overlay.token_secret (links signed by one gateway must verify on the others).
    fleet: z.boolean().default(false),
    // A tenant stream's lease in the queue Redis (tenant max_streams across gateways): refreshed every
    // third of this by the holding gateway, so a dead gateway's streams stop counting after at most this.
    stream_lease_ttl_ms: int(1000, 600000).default(15000),
  })
  .prefault({})
  .refine((g) => Boolean(g.tls_cert_file) === Boolean(g.tls_key_file), {
    message: 'tls_cert_file and tls_key_file go together: set both for TLS, or neither for plain',
    path: ['tls_key_file'],
  });

const redis = z
  .strictObject({
    queue_url: redisUrl.refine((url) => !/^rediss?\+cluster:/i.test(url), {
      message: 'the queue Redis must be one primary (redis://, or redis+sentinel:// for HA), not a cluster',
    }),
    cache_url: redisUrl,
    // Secrets beside the URLs, so that a URL can sit in a ConfigMap and the password in a Secret
    // (env OLT__REDIS__QUEUE_PASSWORD …). "" = the URL's password, if any.
    queue_password: z.string().default(''),
    cache_password: z.string().default(''),
    // AUTH of the Sentinels themselves (their requirepass); "" = they need none.
    queue_sentinel_password: z.string().default(''),
    // PEM CA bundle that signs the servers' certificates (rediss://…); "" = the system's CAs.
    queue_tls_ca_file: z.string().default(''),
    cache_tls_ca_file: z.string().default(''),
    key_prefix: z
      .string()
      // Braces allow a hash tag ("{olt}"): on Redis Cluster all of BullMQ's keys must share one slot.
      .regex(/^[A-Za-z0-9_.:{}-]+$/, 'must be a non-empty run of letters, digits, braces and _ . : -')
      .default('olt'),
  })
  .prefault({});

const audio = z
  .strictObject({
    min_sample_rate_hz: int(1000).default(8000),
    max_sample_rate_hz: int(1000).default(192000),
    max_channels: int(1, 64).default(8),
    // Silero VAD frames of up to this many streams run as one batch (1 = one run per frame, the old path).
    vad_batch_max_streams: int(1, 1024).default(64),
    // How long a frame waits for other streams' frames before its batch runs.
    vad_batch_wait_ms: int(0, 50).default(5),
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

/**
 * Where a worker's engine runs and how many threads ONNX Runtime uses (the same keys in [asr] and
 * [translate]). 0 for intra_op_threads means "from the container's CPU quota" (inference-threads/).
 */
const inferenceThreads = {
  // Worker threads running the engine, each with its own copy of the model; 0 = on the event loop
  // (the old path, for comparison only: locks, heartbeats and health freeze during every batch).
  engine_threads: int(0, 64).default(1),
  intra_op_threads: int(0, 1024).default(0),
  inter_op_threads: int(1, 1024).default(1),
  allow_spinning: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  // Deadline of one engine call (a batch); past it the call fails and its thread is replaced.
  inference_timeout_ms: int(1000, 3600000).default(60000),
};

const asr = z
  .strictObject({
    tier: z.enum(TIER_SETTINGS).default('cpu'),
    model: nonEmpty.default('whisper-tiny-test'),
    precision: z.enum(PRECISIONS).default('auto'),
    execution_providers: listOf(z.enum(EXECUTION_PROVIDERS)).default(['cpu']),
    concurrency: int(1, 256).default(1),
    max_new_tokens: int(1, 448).default(128),
    device_id: int(0).default(0),
    batch_max_size: int(1, 64).default(8),
    batch_max_wait_ms: int(0, 1000).default(10),
    // Previous-text tokens fed as the prompt (Whisper keeps 223); prompt_buckets cuts shorter prompts to a
    // power of two so rows with prompts share decoder calls (false = exact lengths, the old path).
    prompt_max_tokens: int(1, 223).default(64),
    prompt_buckets: z.boolean().default(true),
    // Log-mel frames kept per inference thread so an open segment's next decode only computes its new
    // audio (0 = off, the old path).
    feature_cache_mb: int(0, 4096).default(32),
    no_speech_threshold: probability.default(0.6),
    logprob_threshold: z.number().max(0).default(-1),
    vad_agreement_min: probability.default(0.5),
    compression_ratio_threshold: z.number().min(1).default(2.4),
    max_ngram_repeats: int(2, 100).default(4),
    ...inferenceThreads,
  })
  .prefault({});

const translate = z
  .strictObject({
    tier: z.enum(TIER_SETTINGS).default('cpu'),
    model: nonEmpty.default('nllb-tiny-test'),
    precision: z.enum(PRECISIONS).default('auto'),
    execution_providers: listOf(z.enum(EXECUTION_PROVIDERS)).default(['cpu']),
    concurrency: int(1, 256).default(1),
    max_new_tokens: int(1, 1024).default(256),
    device_id: int(0).default(0),
    // Micro-batching of concurrent jobs (one encoder/decoder call per batch), keyed by source language
    // (targets mixed in one batch) or by (source, target) pair (the old path, for comparison).
    batch_by: z.enum(['source', 'pair']).default('source'),
    batch_max_size: int(1, 256).default(16),
    batch_max_wait_ms: int(0, 1000).default(5),
    // Beams per sentence: 1 decodes greedily, 2…16 run beam search (length penalty 1.0).
    beam_size: int(1, 16).default(1),
    // Translate long text sentence by sentence (Intl.Segmenter), as NLLB was trained on sentences.
    split_sentences: z.boolean().default(true),
    ...inferenceThreads,
  })
  .prefault({});

/** A tier list in spill order: each tier once. */
const tierList = listOf(z.enum(ASR_TIERS)).refine((tiers) => new Set(tiers).size === tiers.length, {
  message: 'lists a tier twice',
});

/**
 * Where a gateway with `asr.tier = "auto"` sends each stream's ASR jobs (apps/gateway/src/asr/): the first
 * tier of the tenant plan's list that has live workers and an estimated queue wait under the bound.
 * Read per job, so edits apply to open streams.
 */
const asrRouting = z
  .strictObject({
    // How often each gateway re-reads worker heartbeats and queue counts of every tier.
    refresh_ms: int(200, 60000).default(2000),
    // A tier whose estimated wait (backlog / worker slots x engine time per job) passes this is skipped...
    max_queue_wait_ms: int(1, 600000).default(2000),
    // ...until the estimate falls under this again (hysteresis: no flapping at the bound).
    recover_queue_wait_ms: int(0, 600000).default(1000),
    // Engine time per job assumed for a tier until replies report one (their inferMs, averaged).
    initial_job_ms: int(1, 600000).default(500),
    plan_tiers: z
      .strictObject({
        free: tierList.default(['low', 'cpu']),
        pro: tierList.default(['medium', 'high', 'low', 'cpu']),
        enterprise: tierList.default(['high', 'medium', 'low', 'cpu']),
      })
      .prefault({}),
  })
  .refine((r) => r.recover_queue_wait_ms <= r.max_queue_wait_ms, {
    message: 'recover_queue_wait_ms must not exceed max_queue_wait_ms',
    path: ['recover_queue_wait_ms'],
  })
  .prefault({});

const models = z
  .strictObject({
    dir: nonEmpty.default('.models'),
    // Download a known model (Hugging Face hub) on first worker start when it is missing.
    auto_download: z.boolean().default(true),
    // Never contact the hub: only local files are used.
    offline: z.boolean().default(false),
    hub_url: z
      .string()
      .regex(/^https?:\/\/.+/, 'must be an http:// or https:// URL')
      .default('https://huggingface.co'),
  })
  .prefault({});

/** GPU detection and tier selection (hardware/ in libs/shared). */
const hardware = z
  .strictObject({
    // Ask nvidia-smi / rocm-smi / xpu-smi for GPUs and free VRAM at worker start.
    detect_gpus: z.boolean().default(true),
    // Share of the GPU's total VRAM kept free (other processes, activations, fragmentation).
    vram_reserve: z.number().min(0).max(0.9).default(0.2),
    // How long one vendor tool may take before it counts as absent.
    smi_timeout_ms: int(100, 60000).default(5000),
    // Run one inference on dummy input after loading, so a GPU that cannot hold the activations steps down
    // at start instead of failing the first job.
    warm_up: z.boolean().default(true),
  })
  .prefault({});

const queue = z
  .strictObject({
    segment_ttl_s: int(1).default(600),
    attempts: int(1, 100).default(3),
    backoff_ms: int(0).default(500),
    // Short enough that a killed worker's job is taken over within ~1.5 s (lock left + one stalled check;
    // measured p99 1.65 s over 20 kills); safe because inference runs in threads and the event loop renews
    // locks on time (docs/operations.md). max_stalled_count 2 forgives one lapse on an overloaded node.
    lock_duration_ms: int(1000).default(1000),
    stalled_interval_ms: int(100).default(250),
    max_stalled_count: int(1, 10).default(2),
    result_timeout_ms: int(1).default(120000),
    // While waiting for a result, look for its job this often; a job gone (lost with the queue Redis's
    // last writes) is enqueued again, at most 3 times (0 = never look).
    lost_job_check_ms: int(0, 600000).default(5000),
    remove_on_complete: int(0).default(1000),
    remove_on_fail: int(0).default(5000),
  })
  .prefault({});

const resilience = z
  .strictObject({
    // Deadline of each queue-Redis call in a gateway's request path (segment audio, enqueue, worker list):
    // past it the segment or translation fails with UNAVAILABLE instead of waiting through an outage.
    request_timeout_ms: int(50, 600000).default(5000),
    // Deadline of a translation-cache lookup or write; past it the cache is skipped (a miss), not waited on.
    cache_timeout_ms: int(10, 60000).default(300),
    // Circuit breakers (queue, cache, each OBS output): open when this percentage of the calls in the
    // window failed, once the window holds breaker_min_calls calls; after breaker_reset_ms one probe is
    // let through (half-open) and its success closes the circuit.
    breaker_error_percent: int(1, 100).default(50),
    breaker_min_calls: int(1).default(5),
    breaker_window_ms: int(100).default(10000),
    breaker_reset_ms: int(100).default(5000),
  })
  .prefault({});

const cache = z
  .strictObject({
    ttl_s: int(1).default(604800),
    enabled: z.boolean().default(true),
    // Translations the model is confident about (mean token probability >= confident_threshold) live longer.
    confident_ttl_s: int(1).default(2592000),
    confident_threshold: probability.default(0.6),
    // Concurrent misses for one key: the first worker holds this lock while translating, the others wait.
    miss_lock_ms: int(100, 600000).default(15000),
    // Plain translations (no glossary) are shared by all tenants when true; false keys every entry by
    // tenant (no cross-tenant hits, and no `from_cache` hint about what other tenants said). Entries
    // shaped by a tenant's glossary are never shared; masking is applied after the cache.
    share_across_tenants: z.boolean().default(true),
  })
  .prefault({});

/**
 * apps/cache: the policy around the cache Redis, its event stream, its admin API and warming. LFU settings
 * come from the replay benchmark (docs/benchmarks.md): a 1-minute decay (the Redis default) lost to LRU at
 * 10k entries on the streamer trace; 10 minutes was within 0.5 points of the best setting at every size.
 */
const cacheService = z
  .strictObject({
    // Admin HTTP (stats, invalidation, export/import, /metrics, /healthz).
    admin_port: port.default(9470),
    // sha256 (hex) of the admin bearer token; "" = the admin API answers 401 to every request.
    admin_token_sha256: z
      .string()
      .regex(/^([0-9a-fA-F]{64})?$/, 'must be empty or 64 hex digits')
      .default(''),
    // Applied with CONFIG SET at start (a managed Redis that forbids CONFIG is logged and left alone).
    maxmemory: z
      .string()
      .regex(/^\d+(kb|mb|gb)?$/i, 'must be bytes or a number with kb, mb or gb')
      .default('256mb'),
    lfu_log_factor: int(0, 255).default(10),
    lfu_decay_time_min: int(0, 65535).default(10),
    // Lookup (gateway) and write (translate worker) events on the cache Redis stream (XADD MAXLEN ~): how
    // many are kept for the service to read.
    events_enabled: z.boolean().default(true),
    events_max_len: int(1000, 10_000_000).default(100000),
    // Hot keys saved on shutdown (and every snapshot_interval_ms) and reloaded at start.
    hot_keys: int(0, 1_000_000).default(2000),
    snapshot_interval_ms: int(10000).default(300000),
    warming_enabled: z.boolean().default(true),
    // Markov order: the last 1..order phrases of a stream (and its channel) predict the next one.
    warming_order: int(1, 4).default(2),
    warming_half_life_ms: int(60000).default(1800000),
    // A phrase is warmed only if its estimated probability of coming next is at least this.
    warming_min_probability: probability.default(0.5),
    // Sightings of a context before its estimate is trusted (shrinks p by n/(n+prior)).
    warming_prior_observations: z.number().min(0).max(100).default(3),
    warming_max_predictions: int(1, 20).default(3),
    // Bounds of the chain in Redis: contexts kept (least recently used dropped) and successors per context.
    warming_max_contexts: int(100, 10_000_000).default(100000),
    warming_max_successors: int(1, 64).default(8),
    // Warming jobs are enqueued only while the translate queue has no waiting real job; at most this many.
    warming_max_in_flight: int(1, 1000).default(8),
  })
  .prefault({});

const workers = z
  .strictObject({ http_port: int(0, 65535).default(9090), heartbeat_ms: int(100).default(5000) })
  .prefault({});

const limits = z
  .strictObject({
    max_targets: int(1, 200).default(8),
    // Per tenant plan, capped by max_targets.
    max_targets_by_plan: z
      .strictObject({
        free: int(1, 200).default(4),
        pro: int(1, 200).default(8),
        enterprise: int(1, 200).default(8),
      })
      .prefault({}),
    // Glossary size, the same for StreamConfig.glossary, TranslateText and POST /v1/translate.
    max_glossary_terms: int(0, 10000).default(200),
    max_glossary_term_chars: int(1, 10000).default(200),
    max_chunk_bytes: int(1).default(1048576),
    max_text_bytes: int(1).default(20000),
    // Subtitle feed viewers (SSE + WebSocket) on one gateway: per session and per tenant (429 beyond).
    max_feed_subscribers_per_session: int(1).default(50),
    max_feed_subscribers_per_tenant: int(1).default(500),
  })
  .prefault({});

const log = z
  .strictObject({ level: z.enum(LOG_LEVELS).default('info'), pretty: z.boolean().default(false) })
  .prefault({});

const auth = z.strictObject({ allow_anonymous: z.boolean().default(false) }).prefault({});

/**
 * Streaming policy of the gateway (interim results, lag, language stickiness). Sessions read it per
 * decision, so edits apply to open streams at once.
 */
const streaming = z
  .strictObject({
    interval_ms: int(200, 10000).default(1000),
    max_interim_in_flight: int(1, 100000).default(100),
    lag_warn_ms: int(100, 600000).default(3000),
    lag_event_interval_ms: int(100, 600000).default(5000),
    language_stick_probability: probability.default(0.7),
    language_switch_probability: probability.default(0.9),
    language_redetect_every: int(0, 10000).default(8),
    prompt_max_chars: int(0, 1000).default(200),
    // A stream stops reading audio while this many finals wait for ASR (per-stream memory bound: each
    // pending final holds up to max_segment_ms of audio).
    max_pending_finals: int(1, 1000).default(4),
    // After the client half-closes, its pending results must be delivered within this time; a client
    // that never reads them is cut off so its stream slot is freed.
    finish_timeout_ms: int(1000).default(180000),
    // A client that reads nothing for this long while results wait for it is cut off (CANCELLED).
    write_stall_timeout_ms: int(1000).default(30000),
  })
  .prefault({})
  .refine((s) => s.language_stick_probability <= s.language_switch_probability, {
    message:
      'must be <= streaming.language_switch_probability (switching needs more confidence than sticking)',
    path: ['language_stick_probability'],
  });

/**
 * The OBS browser-source overlay and the subtitle feed (SSE/WebSocket). The display keys are the defaults
 * of the overlay page; URL parameters override them per browser source.
 */
const hexColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'must be a colour like "#ffffff" or "#00000080"');
const overlay = z
  .strictObject({
    // HMAC-SHA256 key of overlay links; "" = random per process (links then die with the process, and
    // gateways behind one load balancer must share a fixed secret).
    token_secret: z
      .string()
      .refine((s) => s === '' || s.length >= 16, 'must be "" or at least 16 characters')
      .default(''),
    // Key id written into new links (`k` of the token), so a key can be rotated without breaking links.
    token_key_id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits and _ . -')
      .default('k1'),
    // Keys still accepted for links signed before a rotation (never used to sign). Drop one once
    // token_ttl_s has passed since it stopped being token_secret.
    previous_token_keys: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits and _ . -'),
          secret: z.string().min(16, 'must be at least 16 characters'),
        }),
      )
      .max(8)
      .default([]),
    token_ttl_s: int(60).default(604800),
    // Catch-up history per session: the last N final results (all languages) plus the open interims.
    history_finals: int(1, 10000).default(50),
    // How long an ended session keeps its history and status (overlays reconnecting, a resumed stream).
    ended_session_ttl_s: int(0).default(600),
    // A session with no result for this long is dropped from the feed even if its end was never seen.
    idle_session_ttl_s: int(60).default(21600),
    // Comment line sent to SSE clients / ping to WebSocket clients, so proxies keep idle feeds open.
    keepalive_s: int(1, 300).default(15),
    // Display defaults. langs: "" = the session's target languages (the original when it has none);
    // else a comma list of "orig" and language codes.
    langs: z
      .string()
      .regex(/^[A-Za-z0-9_,-]*$/, 'must be a comma list like "orig,es,fr"')
      .default(''),
    lines: int(1, 20).default(2),
    fade_after_s: z.number().min(0).max(3600).default(8),
    font_family: nonEmpty
      .regex(/^[^;{}<>]*$/, 'must not contain ; { } < >')
      .default('"Noto Sans", "Noto Sans CJK JP", "Droid Sans Fallback", "DejaVu Sans", Arial, sans-serif'),
    font_size_px: int(8, 400).default(44),
    font_weight: int(100, 900).default(700),
    text_color: hexColor.default('#ffffff'),
    interim_color: hexColor.default('#d8d8d8'),
    outline_color: hexColor.default('#000000'),
    outline_px: z.number().min(0).max(20).default(3),
    shadow: z.boolean().default(true),
    position: z.enum(['bottom', 'top', 'left', 'right', 'center']).default('bottom'),
    max_width_pct: int(10, 100).default(80),
  })
  .prefault({});

/**
 * OBS output of the gateway (obs-websocket v5): when enabled, sessions push their subtitles into an OBS text
 * source and/or stream captions. `enabled` applies these settings to every session; a session may also name
 * its own OBS servers (StreamConfig.obs_outputs) where `allow_session_outputs` is set.
 */
const obs = z
  .strictObject({
    enabled: z.boolean().default(false),
    // Off by default: a client-named URL makes the gateway open connections where the client says (SSRF).
    allow_session_outputs: z.boolean().default(false),
    max_session_outputs: int(1, 8).default(2),
    url: z
      .string()
      .regex(/^wss?:\/\/.+/, 'must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:4455')
      .default('ws://127.0.0.1:4455'),
    password: z.string().default(''),
    text_source: z.string().default('Subtitles'),
    create_source: z.boolean().default(true),
    scene: z.string().default(''),
    interims: z.boolean().default(false),
    languages: listOf(nonEmpty).default(['source']),
    captions: z.boolean().default(false),
    caption_language: nonEmpty.default('source'),
    caption_max_rows: int(1, 4).default(2),
    caption_min_interval_ms: int(0, 60000).default(1000),
    // Reading pace of captions and text-source finals: length / chars per second, within min..max display.
    reading_chars_per_second: z.number().min(1).max(100).default(17),
    min_display_ms: int(0, 60000).default(2000),
    max_display_ms: int(0, 60000).default(7000),
    // The text source empties after this long without new text (the overlay fades likewise); 0 = never.
    clear_after_ms: int(0, 3600000).default(8000),
    reconnect_initial_ms: int(1, 600000).default(500),
    reconnect_max_ms: int(1, 3600000).default(30000),
  })
  .prefault({})
  .refine((o) => o.reconnect_initial_ms <= o.reconnect_max_ms, {
    message: 'must be <= obs.reconnect_max_ms',
    path: ['reconnect_initial_ms'],
  });

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
    // Terms that pass through translation unchanged (target "" or absent) or become `target`.
    glossary: z
      .array(z.strictObject({ source: nonEmpty, target: z.string().default('') }))
      .max(500)
      .default([]),
    mask_profanity: z.boolean().default(false),
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
  asr_routing: asrRouting,
  translate,
  models,
  hardware,
  queue,
  cache,
  cache_service: cacheService,
  workers,
  limits,
  log,
  auth,
  faults,
  resilience,
  streaming,
  overlay,
  obs,
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
export type AsrRoutingConfig = AppConfig['asrRouting'];
export type TranslateConfig = AppConfig['translate'];
export type ModelsConfig = AppConfig['models'];
export type HardwareConfig = AppConfig['hardware'];
export type QueueConfig = AppConfig['queue'];
export type CacheConfig = AppConfig['cache'];
export type CacheServiceConfig = AppConfig['cacheService'];
export type WorkersConfig = AppConfig['workers'];
export type LimitsConfig = AppConfig['limits'];
export type LogConfig = AppConfig['log'];
export type AuthConfig = AppConfig['auth'];
export type FaultsConfig = AppConfig['faults'];
export type ResilienceConfig = AppConfig['resilience'];
export type StreamingConfig = AppConfig['streaming'];
export type OverlayConfig = AppConfig['overlay'];
export type ObsConfig = AppConfig['obs'];
export type TenantConfig = AppConfig['tenants'][number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type AsrTier = (typeof ASR_TIERS)[number];
export type TierSetting = (typeof TIER_SETTINGS)[number];
export type Precision = (typeof PRECISIONS)[number];
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];
export type TenantPlan = (typeof TENANT_PLANS)[number];

/**
 * Keys that a running process picks up from an edited file (snake_case paths; a section name covers all
 * its keys; the segment policy's keys live in [vad]). Everything else needs a restart: ports, URLs, models and tenants are wired in at start-up.
 */
export const RELOADABLE_KEYS = [
  'vad',
  'limits',
  'log.level',
  'streaming',
  'asr_routing',
  // The ASR hallucination guard: read per job, so a threshold can be tuned without a restart.
  'asr.no_speech_threshold',
  'asr.logprob_threshold',
  'asr.vad_agreement_min',
  'asr.compression_ratio_threshold',
  'asr.max_ngram_repeats',
] as const;

export function isReloadable(snakePath: string): boolean {
  return RELOADABLE_KEYS.some((key) => snakePath === key || snakePath.startsWith(`${key}.`));
}
