import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ConfigService, QUEUE_REDIS, unavailable } from '@olt/shared';
import type { FeedEvent, FeedEventBody } from './feed-event';

/**
 * Session state, the catch-up window and the live message in one step, so every gateway sees the same
 * sequence numbers. The window is what a reconnecting viewer needs, not every revision: the last
 * `history_finals` finals (a capped stream), the newest interim of each line without a final (a hash; a
 * final removes its line's interims, for transcripts every interim of the segment, as a re-detected
 * language may differ) and the last lifecycle marker (started/ended).
 */
const EMIT_SCRIPT = `
local meta, fin, int, dir = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local channel, partial, etype, lang, final, seg = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now, maxFinals, ttl, newEpoch = tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9]), ARGV[10]
local sessionId, tenantId, op = ARGV[11], ARGV[12], ARGV[13]
local state = redis.call('HGET', meta, 'state')
if op == 'end' then
  -- A session ends with its last live call, not with the first of two (a resume) to close.
  if state ~= 'live' then return 0 end
  local live = math.max(0, tonumber(redis.call('HGET', meta, 'liveStreams') or '1') - 1)
  redis.call('HSET', meta, 'liveStreams', live)
  if live > 0 then return 0 end
  redis.call('HSET', meta, 'state', 'ended', 'endedAt', now)
  ttl = tonumber(ARGV[14])
elseif etype == 'started' then
  local live = 0
  if state == 'live' then live = tonumber(redis.call('HGET', meta, 'liveStreams') or '0') end
  redis.call('HSETNX', meta, 'startedAt', now)
  redis.call('HINCRBY', meta, 'streams', 1)
  redis.call('HSET', meta, 'sessionId', sessionId, 'tenantId', tenantId, 'liveStreams', live + 1,
    'state', 'live', 'lastActivityAt', now)
  redis.call('HDEL', meta, 'endedAt')
elseif state then
  redis.call('HSET', meta, 'state', 'live', 'lastActivityAt', now)
  redis.call('HDEL', meta, 'endedAt')
  if etype == 'transcript' and lang ~= '' then redis.call('HSET', meta, 'sourceLanguage', lang) end
  if etype == 'translation' and lang ~= '' then
    local targets = redis.call('HGET', meta, 'targets') or ''
    if not string.find(',' .. targets .. ',', ',' .. lang .. ',', 1, true) then
      if targets ~= '' then targets = targets .. ',' end
      redis.call('HSET', meta, 'targets', targets .. lang)
    end
  end
  if final == '1' then redis.call('HINCRBY', meta, 'finals', 1) end
end
redis.call('HSETNX', meta, 'epoch', newEpoch)
local seq = redis.call('HINCRBY', meta, 'seq', 1)
local event = '{"seq":' .. seq .. ',' .. string.sub(partial, 2)
if etype == 'started' or etype == 'ended' then
  redis.call('HSET', meta, 'lifecycle', event)
elseif etype == 'transcript' or etype == 'translation' then
  if final == '1' then
    if etype == 'transcript' then
      local prefix = 'transcript|' .. seg .. '|'
      for _, f in ipairs(redis.call('HKEYS', int)) do
        if string.sub(f, 1, #prefix) == prefix then redis.call('HDEL', int, f) end
      end
    else
      redis.call('HDEL', int, etype .. '|' .. seg .. '|' .. lang)
    end
    redis.call('XADD', fin, 'MAXLEN', maxFinals, '*', 'e', event)
  else
    redis.call('HSET', int, etype .. '|' .. seg .. '|' .. lang, event)
  end
end
for _, k in ipairs({meta, fin, int}) do redis.call('PEXPIRE', k, math.max(ttl, 1)) end
if redis.call('HEXISTS', meta, 'state') == 1 then
  redis.call('ZADD', dir, now + ttl, sessionId)
  redis.call('PEXPIRE', dir, math.max(ttl, tonumber(redis.call('PTTL', dir)), 1))
end
redis.call('PUBLISH', channel, redis.call('HGET', meta, 'epoch') .. ' ' .. event)
return seq
`;

const EPOCH_SCRIPT = `
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('HGET', KEYS[1], 'epoch')
`;

/** Every await on Redis here has this deadline; a viewer or REST call gets UNAVAILABLE past it. */
const READ_TIMEOUT_MS = 2000;

export interface FeedKeys {
  meta: string;
  finals: string;
  interims: string;
  directory: string;
  /** Pub/sub channel of the session's live events: "<epoch> <event JSON>". */
  channel: string;
}

export interface FeedSessionStatus {
  sessionId: string;
  tenantId: string;
  state: 'live' | 'ended';
  startedAt: number;
  endedAt?: number;
  lastActivityAt: number;
  /** Language of the latest transcript (detected or configured). */
  sourceLanguage?: string;
  /** Target languages seen in translations so far, in order of first appearance. */
  targetLanguages: string[];
  finals: number;
  /** Streams (connections) that carried this session id; > 1 after a resume. */
  streams: number;
  /** Streams carrying it now: a resumed call may start before the old one is noticed as gone. */
  liveStreams: number;
}

export interface FeedCatchUp {
  epoch: string;
  /** The catch-up window, in sequence order. */
  events: FeedEvent[];
}

/**
 * The subtitle feed's state in the queue Redis, shared by every gateway: per tenant + session a meta hash
 * (status, epoch, sequence), the capped window of finals, the open interims, and per tenant a directory
 * of sessions scored by expiry. Keys carry a hash tag per session so a Cluster keeps them on one slot.
 * Everything expires on its own: `overlay.idle_session_ttl_s` after the last event,
 * `overlay.ended_session_ttl_s` after the end.
 */
@Injectable()
export class FeedStore {
  constructor(
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    private readonly config: ConfigService,
  ) {}

  keysFor(tenantId: string, sessionId: string): FeedKeys {
    const prefix = this.config.current.redis.keyPrefix;
    // Session ids are client-chosen: encoded, so no byte of theirs can shape another key or hash tag.
    const base = `${prefix}:feed:v1:{${tenantId}:${Buffer.from(sessionId, 'utf8').toString('base64url')}}`;
    return {
      meta: `${base}:meta`,
      finals: `${base}:fin`,
      interims: `${base}:int`,
      channel: `${base}:live`,
      directory: `${prefix}:feed:v1:dir:{${tenantId}}`,
    };
  }

  /** Appends one event (numbered here) or, for `end`, ends the session when its last call ends. */
  async emit(
    op: 'publish' | 'end',
    tenantId: string,
    sessionId: string,
    body: FeedEventBody,
    at: number,
  ): Promise<void> {
    const keys = this.keysFor(tenantId, sessionId);
    const overlay = this.config.current.overlay;
    const text = 'text' in body ? body : undefined;
    await this.redis.eval(
      EMIT_SCRIPT,
      4,
      keys.meta,
      keys.finals,
      keys.interims,
      keys.directory,
      keys.channel,
      JSON.stringify({ sessionId, at, ...body }),
      body.type,
      text?.lang ?? '',
      text?.isFinal ? '1' : '0',
      body.segmentId ?? '',
      at,
      overlay.historyFinals,
      overlay.idleSessionTtlS * 1000,
      newEpoch(),
      sessionId,
      tenantId,
      op,
      overlay.endedSessionTtlS * 1000,
    );
  }

  /** The session's epoch (part of every cursor), created for a viewer that waits for the session. */
  async epoch(tenantId: string, sessionId: string): Promise<string> {
    const keys = this.keysFor(tenantId, sessionId);
    const ttlMs = this.config.current.overlay.idleSessionTtlS * 1000;
    return (await this.read(this.redis.eval(EPOCH_SCRIPT, 1, keys.meta, newEpoch(), ttlMs))) as string;
  }

  async catchUp(tenantId: string, sessionId: string): Promise<FeedCatchUp> {
    const keys = this.keysFor(tenantId, sessionId);
    const replies = await this.read(
      this.redis
        .multi()
        .xrange(keys.finals, '-', '+')
        .hvals(keys.interims)
        .hmget(keys.meta, 'lifecycle', 'epoch')
        .exec(),
    );
    const [finals, interims, meta] = (replies ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [Array<[string, string[]]>, string[], Array<string | null>];
    const events = [...finals.map(([, fields]) => fields[1]), ...interims, ...(meta[0] ? [meta[0]] : [])].map(
      (json) => JSON.parse(json) as FeedEvent,
    );
    events.sort((a, b) => a.seq - b.seq);
    return { epoch: meta[1] ?? (await this.epoch(tenantId, sessionId)), events };
  }

  async status(tenantId: string, sessionId: string): Promise<FeedSessionStatus | undefined> {
    const meta = await this.read(this.redis.hgetall(this.keysFor(tenantId, sessionId).meta));
    return toStatus(meta, tenantId);
  }

  /** The tenant's sessions on every gateway, oldest first. */
  async list(tenantId: string): Promise<FeedSessionStatus[]> {
    const dir = this.keysFor(tenantId, '').directory;
    await this.read(this.redis.zremrangebyscore(dir, '-inf', Date.now()));
    const ids = await this.read(this.redis.zrange(dir, 0, -1));
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keysFor(tenantId, id).meta);
    const replies = ids.length ? ((await this.read(pipeline.exec())) ?? []) : [];
    return replies
      .map(([, meta]) => toStatus(meta as Record<string, string>, tenantId))
      .filter((s): s is FeedSessionStatus => !!s)
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  private async read<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<T>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${READ_TIMEOUT_MS} ms`)),
            READ_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (err) {
      throw unavailable(`subtitle feed state unavailable (queue Redis: ${(err as Error).message}); retry`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function newEpoch(): string {
  return randomBytes(4).toString('hex');
}

function toStatus(meta: Record<string, string>, tenantId: string): FeedSessionStatus | undefined {
  // A meta hash without a state belongs to a viewer waiting for a session that has not started.
  if (!meta.state || meta.tenantId !== tenantId) return undefined;
  const num = (key: string) => Number(meta[key] ?? 0);
  return {
    sessionId: meta.sessionId,
    tenantId,
    state: meta.state === 'live' ? 'live' : 'ended',
    startedAt: num('startedAt'),
    endedAt: meta.endedAt === undefined ? undefined : num('endedAt'),
    lastActivityAt: num('lastActivityAt'),
    sourceLanguage: meta.sourceLanguage,
    targetLanguages: meta.targets ? meta.targets.split(',') : [],
    finals: num('finals'),
    streams: num('streams'),
    liveStreams: num('liveStreams'),
  };
}
