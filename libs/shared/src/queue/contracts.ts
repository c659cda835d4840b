/**
 * Versioned queue contracts shared by the gateway and the workers. A breaking change to a payload gets a new
 * version in the queue/stream name so old and new pods can run side by side during a rollout.
 */
export const CONTRACT_VERSION = 'v1';

/** Key prefix for everything this product writes to the queue Redis. */
export const KEY_PREFIX = `olt:${CONTRACT_VERSION}`;

/**
 * BullMQ's key prefix from redis.key_prefix. Every producer and consumer of a queue must use this one
 * function: a producer with another prefix writes to a queue no worker reads, and nothing fails.
 */
export function bullmqPrefix(keyPrefix: string): string {
  return `${keyPrefix}:bull`;
}

/** BullMQ queue for ASR jobs of one tier ("cpu", "low", "medium", "high"). */
export function asrQueueName(tier: string): string {
  return `asr-${CONTRACT_VERSION}-${tier}`;
}

/** BullMQ queue for translation jobs. */
export function translateQueueName(): string {
  return `translate-${CONTRACT_VERSION}`;
}

/** Redis stream on which workers post results for one gateway instance. */
export function replyStreamKey(gatewayId: string): string {
  return `${KEY_PREFIX}:replies:${gatewayId}`;
}

/**
 * Binary key holding the 16 kHz float32 audio of one ASR request. Keyed by tenant and the request's own
 * random id, never by the client-chosen session or segment id: two streams that pick the same session id
 * (two tenants, or one tenant resuming while its old call lingers) can never read each other's audio.
 */
export function segmentAudioKey(tenantId: string, requestId: string): string {
  return `${KEY_PREFIX}:seg:${tenantId}:${requestId}`;
}

/** Heartbeat key a worker refreshes while it is alive and ready. */
export function workerHeartbeatKey(kind: WorkerKind, workerId: string): string {
  return `${KEY_PREFIX}:workers:${kind}:${workerId}`;
}

export function workerHeartbeatPattern(kind: WorkerKind): string {
  return `${KEY_PREFIX}:workers:${kind}:*`;
}

export type WorkerKind = 'asr' | 'translate';

/** Where a worker sends the result of a job. */
export interface ReplyAddress {
  gatewayId: string;
  sessionId: string;
  /** Correlates the reply with the request inside the gateway. */
  requestId: string;
}

export interface AsrJobData {
  v: 1;
  reply: ReplyAddress;
  tenantId: string;
  segmentId: string;
  revision: number;
  isFinal: boolean;
  /** Key of the audio in the queue Redis (float32 LE, 16 kHz mono). */
  audioKey: string;
  sampleCount: number;
  startMs: number;
  endMs: number;
  /** Whisper code or undefined to detect. */
  language?: string;
  prompt?: string;
  /**
   * Fraction (0..1) of the segment's VAD frames the gateway marked as speech. With a high no-speech
   * probability, low agreement drops the text as a hallucination. Undefined = not known.
   */
  vadSpeechRatio?: number;
  /** Ask the worker for segment timestamps (AsrReply.segments). */
  timestamps?: boolean;
  enqueuedAt: number;
}

export interface TranslateJobData {
  v: 1;
  reply: ReplyAddress;
  tenantId: string;
  segmentId: string;
  revision: number;
  isFinal: boolean;
  text: string;
  /** FLORES-200 codes. */
  source: string;
  target: string;
  /** Cache key the worker writes the result to (computed by the producer, which knows the model id). */
  cacheKey: string;
  enqueuedAt: number;
  /** Terms kept out of the model: `source` passes through unchanged, or becomes `target` when set. */
  glossary?: GlossaryTerm[];
  /** A warming job (apps/cache): the worker fills the cache and sends no reply. */
  warming?: true;
}

export interface GlossaryTerm {
  source: string;
  /** "" = keep the source term as it is (do-not-translate). */
  target: string;
}

/**
 * Key under which a translate worker announces the FLORES-200 codes its loaded model knows (a JSON array,
 * expiring like the heartbeat): ListLanguages reports MT targets from these, not from a static list.
 */
export function mtLanguagesKey(workerId: string): string {
  return `${KEY_PREFIX}:mt-languages:${workerId}`;
}

export function mtLanguagesPattern(): string {
  return `${KEY_PREFIX}:mt-languages:*`;
}

/** Short lock a translate worker holds on a cache key while it translates a miss (value: worker id). */
export function translateMissLockKey(cacheKey: string): string {
  return `${KEY_PREFIX}:tr-lock:${cacheKey}`;
}

export interface AsrReply {
  kind: 'asr';
  requestId: string;
  sessionId: string;
  segmentId: string;
  revision: number;
  isFinal: boolean;
  ok: boolean;
  error?: string;
  text: string;
  language: string;
  languageProbability: number;
  confidence: number;
  model: string;
  workerId: string;
  startMs: number;
  endMs: number;
  /** Milliseconds the job waited in the queue and spent in the engine. */
  queueMs: number;
  inferMs: number;
  /** Set when the decoded text was dropped as a likely hallucination (text is then ""). */
  dropped?: 'no_speech' | 'repetition';
  /** Probability of Whisper's no-speech token at the first step (0 when the model has none). */
  noSpeechProbability?: number;
  /** Jobs in the engine batch this one ran in. */
  batchSize?: number;
  /** Segment timestamps in session time (startMs-relative), when the job asked for them. */
  segments?: Array<{ text: string; startMs: number; endMs: number }>;
}

export interface TranslateReply {
  kind: 'translate';
  requestId: string;
  sessionId: string;
  segmentId: string;
  revision: number;
  isFinal: boolean;
  ok: boolean;
  error?: string;
  target: string;
  text: string;
  fromCache: boolean;
  model: string;
  workerId: string;
  queueMs: number;
  inferMs: number;
}

export type WorkerReply = AsrReply | TranslateReply;

/** BullMQ job names. */
export const JOB_NAMES = {
  transcribe: 'transcribe',
  translate: 'translate',
} as const;

/**
 * Stream priority (proto enum) + tenant plan → BullMQ priority (1 = highest … 2,097,151).
 * Finals always outrank interim decodes of the same class so a busy worker drops behind on partials first.
 */
export function jobPriority(opts: {
  plan: 'free' | 'pro' | 'enterprise';
  priority: 'LOW' | 'NORMAL' | 'HIGH' | 'CRITICAL';
  isFinal: boolean;
  warming?: boolean;
}): number {
  if (opts.warming) return 2_000_000;
  const planBase = { enterprise: 0, pro: 100, free: 200 }[opts.plan];
  const streamBase = { CRITICAL: 0, HIGH: 20, NORMAL: 40, LOW: 60 }[opts.priority];
  return 1 + planBase + streamBase + (opts.isFinal ? 0 : 10);
}
