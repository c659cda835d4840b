/**
 * Every metric the apps export, defined once: name, help, labels, buckets. Names start with `olt_`, carry
 * their unit (`_seconds`, `_bytes`) and counters end in `_total` (Prometheus naming conventions).
 */

interface Definition<T extends 'counter' | 'gauge' | 'histogram', L extends string> {
  type: T;
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets?: number[];
}
export type CounterDefinition<L extends string> = Definition<'counter', L>;
export type GaugeDefinition<L extends string> = Definition<'gauge', L>;
export type HistogramDefinition<L extends string> = Definition<'histogram', L> & { buckets: number[] };

const counter = <L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): CounterDefinition<L> => ({
  type: 'counter',
  name,
  help,
  labelNames,
});
const gauge = <L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): GaugeDefinition<L> => ({
  type: 'gauge',
  name,
  help,
  labelNames,
});
const histogram = <L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): HistogramDefinition<L> => ({ type: 'histogram', name, help, labelNames, buckets });

/** 5 ms … 30 s: from a cached translation to a long segment on a busy CPU worker. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
export const JOB_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
export const LAG_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32];

export const METRIC_DEFINITIONS = {
  // gateway
  streamsActive: gauge('olt_gateway_streams_active', 'StreamTranslate calls open now.', ['tenant']),
  streamsTotal: counter(
    'olt_gateway_streams_total',
    'StreamTranslate calls ended, by outcome (ok, cancelled, error, rejected, …).',
    ['tenant', 'outcome'],
  ),
  audioReceivedSeconds: counter(
    'olt_gateway_audio_received_seconds_total',
    'Seconds of audio received from clients.',
    ['tenant'],
  ),
  segmentsTotal: counter(
    'olt_gateway_segments_total',
    'Speech segments closed, by reason (silence, max_length, flush, end).',
    ['reason'],
  ),
  pipelineLatency: histogram(
    'olt_gateway_pipeline_latency_seconds',
    'Time from the end of a speech segment to its final transcript / first final translation.',
    ['stage'],
    LATENCY_BUCKETS_SECONDS,
  ),
  sessionLagSeconds: histogram(
    'olt_gateway_session_lag_seconds',
    'How far a stream’s results trail the audio it has received: audio received − audio covered by the ASR result, sampled at each ASR result (interim or final).',
    [],
    LAG_BUCKETS_SECONDS,
  ),
  grpcErrorsTotal: counter('olt_gateway_grpc_errors_total', 'gRPC calls ended with an error status.', [
    'code',
  ]),
  unexpectedErrorsTotal: counter(
    'olt_unexpected_errors_total',
    'Errors no handler expected (a bug, not bad input), by surface (http, ws, sse, grpc; process = the last-resort handlers). The request got a 500/INTERNAL; the process kept serving.',
    ['surface'],
  ),
  replyStreamRecreatedTotal: counter(
    'olt_gateway_reply_stream_recreated_total',
    'Times the gateway found its reply stream or consumer group gone (expiry, a queue-Redis restart) and recreated it.',
    [],
  ),
  lostJobsResentTotal: counter(
    'olt_gateway_lost_jobs_resent_total',
    "Jobs the gateway found gone from the queue while it waited for their result (lost with the queue Redis's last writes: a restart, a failover) and enqueued again.",
    ['kind'],
  ),
  translateCacheLookups: counter(
    'olt_gateway_translate_cache_lookups_total',
    'Translation cache lookups, by result (hit, miss).',
    ['result'],
  ),
  // cache service (apps/cache)
  cacheLookupsTotal: counter(
    'olt_cache_lookups_total',
    'Translation cache lookups reported on the cache event stream, by result (hit, miss).',
    ['result'],
  ),
  cacheWritesTotal: counter(
    'olt_cache_writes_total',
    'Model results translate workers stored in the cache, reported on the cache event stream, by source (real, warming).',
    ['source'],
  ),
  cacheEvictionsTotal: counter(
    'olt_cache_evictions_total',
    'Keys the cache Redis evicted under maxmemory (from INFO stats evicted_keys).',
    [],
  ),
  cacheWarmedHitsTotal: counter(
    'olt_cache_warmed_hits_total',
    'Lookups answered by an entry that warming put in the cache (counted once per warmed entry).',
    [],
  ),
  cacheWarmingJobsTotal: counter(
    'olt_cache_warming_jobs_total',
    'Warming translate jobs, by outcome (enqueued, skipped_busy, skipped_cached).',
    ['outcome'],
  ),
  cacheInvalidatedTotal: counter(
    'olt_cache_invalidated_keys_total',
    'Keys deleted by admin invalidation, by scope (model, tenant, pair).',
    ['scope'],
  ),
  cacheKeys: gauge('olt_cache_keys', 'Keys in the cache Redis.', []),
  cacheMemoryBytes: gauge('olt_cache_memory_bytes', 'used_memory of the cache Redis.', []),
  // workers
  jobsTotal: counter(
    'olt_worker_jobs_total',
    'Jobs finished, by outcome (ok, error, retry, abandoned: given up by the queue after stalls).',
    ['queue', 'outcome'],
  ),
  jobDuration: histogram(
    'olt_worker_job_duration_seconds',
    'Job time by stage: queue_wait (enqueue to start) and inference.',
    ['queue', 'stage'],
    JOB_BUCKETS_SECONDS,
  ),
  batchSize: histogram('olt_worker_batch_size', 'Jobs per inference batch.', ['queue'], BATCH_SIZE_BUCKETS),
  translateRowsTotal: counter(
    'olt_worker_translate_rows_total',
    'Sentences the translation model decoded (cache hits and deduplicated misses not counted).',
    [],
  ),
  translateDedupedTotal: counter(
    'olt_worker_translate_deduped_total',
    'Translate jobs answered without the model because an identical miss was being translated (lock wait or same batch).',
    [],
  ),
  asrHallucinationsDropped: counter(
    'olt_asr_hallucinations_dropped_total',
    'ASR texts dropped as likely hallucinations, by reason (no_speech, repetition).',
    ['reason'],
  ),
  modelStepdowns: counter(
    'olt_worker_model_stepdowns_total',
    'Model loads that stepped down to a smaller precision or model under memory pressure (from/to = model@precision/provider).',
    ['kind', 'from', 'to'],
  ),
  modelInfo: gauge('olt_worker_model_info', 'Always 1; labels describe the loaded model and where it runs.', [
    'kind',
    'model',
    'precision',
    'execution_provider',
    'tier',
    'device',
  ]),
  workerUp: gauge(
    'olt_worker_up',
    '1 while this worker consumes its queue, 0 while starting or draining.',
    [],
  ),
  circuitOpen: gauge(
    'olt_circuit_open',
    '1 while the circuit breaker to a dependency is open (calls fail fast), else 0; breaker = queue, cache, or obs (open OBS output circuits).',
    ['breaker'],
  ),
  // queues (exported by whoever watches them)
  queueDepth: gauge(
    'olt_queue_depth',
    'Jobs in a queue by state (waiting, prioritized, active, delayed, failed).',
    ['queue', 'state'],
  ),
  // ASR tier routing (gateway, apps/gateway/src/asr/)
  asrJobsRouted: counter(
    'olt_asr_jobs_routed_total',
    'ASR jobs by the tier their plan wanted first and the tier they went to (reason: preferred, spill, all-busy, no-workers, pinned).',
    ['wanted_tier', 'tier', 'reason'],
  ),
  asrTierWorkers: gauge('olt_asr_tier_workers', 'Live ASR workers per tier (heartbeats).', ['tier']),
  asrTierWaitSeconds: gauge(
    'olt_asr_tier_wait_seconds',
    'Estimated queue wait of a tier: backlog / worker slots x engine time per job.',
    ['tier'],
  ),
} as const;

export type MetricKey = keyof typeof METRIC_DEFINITIONS;
